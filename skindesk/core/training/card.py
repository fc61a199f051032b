"""The model card of a trained model: what it is, how it was made, how it did on validation."""

from __future__ import annotations

from collections import Counter
from typing import Any

from skindesk import __version__
from skindesk.core.modelcard import ModelCard
from skindesk.core.training.data import SourceImages
from skindesk.core.training.recipe import Recipe
from skindesk.core.training.selection import in_splits


def _data_summary(sources: list[SourceImages]) -> dict[str, Any]:
    summary = {}
    for s in sources:
        summary[s.name] = {
            "train": dict(sorted(Counter(i.label for i in s.train).items())),
            "val": dict(sorted(Counter(i.label for i in in_splits(s.cached, ("val",))).items())),
            "holdout_images_not_used": len(s.holdout),
            "augmented_views": list(s.views),
        }
    return summary


def _training_text(sources: list[SourceImages], tuned: bool) -> str:
    parts = [f"{s.name} ({len(s.train)} training images"
             + (f", plus augmented views: {', '.join(s.views)}" if s.views else "") + ")" for s in sources]
    what = ("Head, then the backbone's last block with the head, trained on cached backbone features of: "
            if tuned else "Head trained on frozen backbone features of: ")
    return (what + "; ".join(parts)
            + ". Validation splits were used only for early stopping, the temperature and the threshold.")


def _architecture(base: ModelCard, recipe: Recipe, temperature: float) -> str:
    head = "linear" if not recipe.head.hidden else f"{recipe.head.hidden}-unit hidden layer"
    inputs = ", with patient metadata" if recipe.head.use_metadata else ", image only"
    if recipe.tune is None:
        trunk = f"Frozen Normalization + Xception backbone of '{base.id}'"
    else:
        trunk = (f"Normalization + Xception backbone of '{base.id}', its layers from "
                 f"'{recipe.tune.train_from}' on retrained (the rest frozen)")
    return f"{trunk}; new head ({head}{inputs}) with temperature scaling (T = {temperature:.3f})."


def threshold_record(fitted: dict[str, Any], recipe: Recipe, fitted_part: str = "head") -> dict[str, Any]:
    """The card's threshold entry: the chosen point and how and on what it was chosen."""
    threshold = dict(fitted["threshold"])
    on = ", ".join(recipe.threshold_sources) or "all sources"
    threshold["method"] = f"highest threshold with malignant sensitivity >= {recipe.target_sensitivity:.2f}"
    threshold["dataset"] = f"validation split of {on} (not used to fit the {fitted_part}'s weights)"
    return threshold


def _limitations(base: ModelCard, sources: list[SourceImages], recipe: Recipe) -> list[str]:
    names = ", ".join(s.name for s in sources)
    trained = (f"Only the backbone's layers from '{recipe.tune.train_from}' on and the classifier head were "
               f"trained" if recipe.tune else "Only the classifier head was trained")
    return [
        (f"{trained} (on {names}); the image features come from the frozen backbone of "
         f"'{base.id}', so what that backbone cannot see, this model cannot either."),
        ("Validated on the hold-out and test data named in this card only; expect different "
         "sensitivity and specificity on images from other dermatoscopes, cameras and populations."),
        f"Knows only the classes {', '.join(base.class_ids)}; any other lesion is forced into one of them.",
    ]


def trained_card(base: ModelCard, model_id: str, name: str, sha256: str, recipe: Recipe,
                 fitted: dict[str, Any], sources: list[SourceImages], train_rows: int,
                 created: str) -> dict[str, Any]:
    """Card data for a model whose head was trained on ``base``'s backbone."""
    raw = base.raw
    card: dict[str, Any] = {
        "schema_version": raw.get("schema_version", 1),
        "id": model_id,
        "name": name,
        "version": created,
        "architecture": _architecture(base, recipe, fitted["temperature"]),
        "file": "model.keras",
        "sha256": sha256,
        "input": raw["input"],
        "output": "softmax",
        "classes": raw["classes"],
        "gradcam_layer": raw.get("gradcam_layer"),
        "threshold": threshold_record(fitted, recipe),
        "training_data": _training_text(sources, recipe.tune is not None),
        "training": {
            "created": created, "app_version": __version__, "base_model": base.id,
            "base_model_sha256": base.sha256, "method": ("cached backbone features (CPU), head only" if recipe.tune is None
                                 else "cached block-13 maps (CPU), last block and head"),
            "rows": train_rows, "epochs_run": fitted["epochs"], "temperature": round(fitted["temperature"], 4),
            "recipe": recipe.to_dict(), "data": _data_summary(sources),
        },
        "validation": fitted["validation"],
        "intended_use": raw.get("intended_use", ""),
        "limitations": _limitations(base, sources, recipe),
        "provenance": {"trained_with": "skindesk train", "base_model": base.id},
        "license": raw.get("license", {}),
    }
    if recipe.head.use_metadata and base.metadata_input:
        card["metadata_input"] = base.metadata_input
    return card
