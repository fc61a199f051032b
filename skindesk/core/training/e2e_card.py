"""The model card of an end-to-end trained network.

Like :func:`skindesk.core.training.card.trained_card` for a head, but the
card describes a whole new network: its ``keras.applications`` backbone and
where its starting weights came from, its own input size and pixel scaling,
the classes it learned, and each training phase.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skindesk import __version__
from skindesk.core.modelcard import ModelCard
from skindesk.core.training.card import _data_summary, threshold_record
from skindesk.core.training.data import SourceImages
from skindesk.core.training.e2e_fit import EndToEndConfig
from skindesk.core.training.e2e_model import arch_spec
from skindesk.core.training.recipe import Recipe

AUGMENTATION = "flips, 90° turns, ±15° rotations, brightness/contrast/saturation/hue jitter"
STRONG = ("random resized crops (35-100% of the area), Gaussian blur, an 84-pixel round trip, "
          "Shades-of-Gray colour constancy and simulated hair, marker ink and rulers, then ")


def augmentation_text(config: EndToEndConfig) -> str:
    """The augmentation a model was trained with, in words."""
    return (STRONG if config.augmentation == "strong" else "") + AUGMENTATION


def recipe_without_head(recipe: Recipe) -> dict[str, Any]:
    """The recipe as JSON data, less the head settings an end-to-end network does not use."""
    return {key: value for key, value in recipe.to_dict().items() if key != "head"}


def _weights_text(config: EndToEndConfig) -> str:
    if config.init_from:
        path = Path(config.init_from)
        return f"continuing the SkinDesk network {path.parent.name}/{path.name}"
    if config.base_weights is None:
        return "trained from scratch (random initial weights)"
    return f"starting from the weights file {Path(config.base_weights).name}"


def _architecture(config: EndToEndConfig, classes: int, temperature: float) -> str:
    spec = arch_spec(config.arch)
    origin = "keras.applications" if spec.keras_application else "SkinDesk's Keras port"
    return (f"{spec.constructor} backbone ({origin}, no top) on {config.img_size}×"
            f"{config.img_size} RGB, {_weights_text(config)}; global average pooling, dropout "
            f"{config.dropout:g} and a {classes}-class softmax with temperature scaling "
            f"(T = {temperature:.3f}). Image only, no patient metadata.")


def _scaling_note(arch: str) -> str:
    if arch_spec(arch).keras_application:
        return f"scaled as keras.applications' {arch} preprocess_input"
    return "takes raw 0-255 pixels: the model scales them itself ((x - 127) / 128, its first layer)"


def _training_text(sources: list[SourceImages], config: EndToEndConfig) -> str:
    parts = [f"{s.name} ({len(s.train)} training images)" for s in sources]
    return ("Whole network trained end to end on: " + "; ".join(parts)
            + f", augmented on the fly ({augmentation_text(config)}). Validation splits were used only for "
            "early stopping, the temperature and the threshold.")


def _training(config: EndToEndConfig, fitted: dict[str, Any], recipe: Recipe,
              sources: list[SourceImages], created: str) -> dict[str, Any]:
    weights = None
    if config.base_weights is not None:
        weights = {"file": Path(config.base_weights).name, "sha256": fitted["base_weights_sha256"]}
    return {
        "created": created, "app_version": __version__,
        "method": "end to end: " + " then ".join(p["phase"] for p in fitted["phases"]),
        "architecture": config.arch, "base_weights": weights, "device": fitted["device"],
        "continued_from": _continued_from(config, fitted), "resumed": fitted.get("resumed") or [],
        "mixed_precision": fitted["mixed_precision"], "augmentation": augmentation_text(config),
        "phases": fitted["phases"], "epochs_run": sum(p["epochs_run"] for p in fitted["phases"]),
        "temperature": round(fitted["temperature"], 4), "config": config.to_dict(),
        "recipe": recipe_without_head(recipe), "data": _data_summary(sources),
    }


def _continued_from(config: EndToEndConfig, fitted: dict[str, Any]) -> dict[str, Any] | None:
    if not config.init_from:
        return None
    path = Path(config.init_from)
    return {"model_folder": path.parent.name, "file": path.name, "sha256": fitted.get("init_from_sha256")}


def _limitations(sources: list[SourceImages], class_ids: tuple[str, ...]) -> list[str]:
    names = ", ".join(s.name for s in sources)
    return [(f"Trained only on {names}: check it on images from your own dermatoscopes and "
             "patients before relying on it."),
            f"Knows only the classes {', '.join(class_ids)}; any other lesion is forced into one of them."]


def end_to_end_card(vocabulary: ModelCard, model_id: str, name: str, sha256: str, config: EndToEndConfig,
                    recipe: Recipe, fitted: dict[str, Any], sources: list[SourceImages],
                    created: str) -> dict[str, Any]:
    """Card data for a network trained end to end; ``vocabulary`` holds its classes."""
    classes = [c for c in vocabulary.raw["classes"] if c["id"] in vocabulary.class_ids]
    return {
        "schema_version": 1,
        "id": model_id,
        "name": name,
        "version": created,
        "architecture": _architecture(config, len(classes), fitted["temperature"]),
        "file": "model.keras",
        "sha256": sha256,
        "input": {"size": [config.img_size, config.img_size], "channels": "RGB", "resize": "bilinear",
                  "preprocessing": arch_spec(config.arch).scaling,
                  "note": _scaling_note(config.arch)},
        "output": "softmax",
        "classes": classes,
        "gradcam_layer": fitted["gradcam_layer"],
        "threshold": threshold_record(fitted, recipe, fitted_part="model"),
        "training_data": _training_text(sources, config),
        "training": _training(config, fitted, recipe, sources, created),
        "validation": fitted["validation"],
        "intended_use": vocabulary.raw.get("intended_use", ""),
        "limitations": _limitations(sources, vocabulary.class_ids),
        "provenance": {"trained_with": "skindesk train", "architecture": config.arch,
                       "base_weights": Path(config.base_weights).name if config.base_weights else "none",
                       **({"continued_from": Path(config.init_from).parent.name} if config.init_from else {})},
        "license": {"note": "trained locally; the licences of the training data and base weights apply"},
    }
