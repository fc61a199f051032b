"""``skindesk train``: from a recipe to an installed-ready model folder with its card.

Steps: select and split the images, cache backbone features, fit the head
with early stopping on the validation split, fit the temperature and choose
the operating threshold on the validation split, join backbone and head,
save, and write a card that records the recipe and the validation numbers.
Hold-out metrics are measured afterwards through the normal engine (see
:mod:`skindesk.core.training.holdout`), exactly as a user would see them.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.hashing import sha256_file
from skindesk.core.jsonfile import write_json_atomic
from skindesk.core.training.arrays import Arrays
from skindesk.core.training.assemble import (
    CALIBRATED_HEAD,
    assemble_model,
    calibrated_head,
    save_model,
)
from skindesk.core.training.backbone import (
    DEFAULT_BACKBONE_MODEL,
    NORMALIZATION_LAYER,
    TRUNK_LAYER,
    load_backbone,
)
from skindesk.core.training.calibration import fit_temperature
from skindesk.core.training.card import trained_card
from skindesk.core.training.data import SourceImages, cache_all, select_images, training_arrays
from skindesk.core.training.features import FeatureCache
from skindesk.core.training.head import fit_head, head_logits, sample_weights
from skindesk.core.training.recipe import Recipe
from skindesk.core.training.tune import TAIL_NAME, fit_tail
from skindesk.core.training.validation import choose_operating_threshold, per_source

log = logging.getLogger(__name__)

Stage = Callable[[str, int, int], None]


@dataclass
class TrainResult:
    """What training produced."""

    folder: Path
    card: dict[str, Any]
    sources: list[SourceImages]
    history: dict[str, list[float]]


def fit(recipe: Recipe, train: Arrays, val: Arrays, classes: int, malignant_columns: list[int]) -> dict[str, Any]:
    """Fit head, temperature and threshold on arrays; the numbers the card records."""
    head, history = fit_head(train, val, classes, recipe.head)
    return calibrate(recipe, head, history, head_logits(head, val, recipe.head.use_metadata), val,
                     malignant_columns)


def fit_tuned(recipe: Recipe, source_model: Any, pooled: tuple[Arrays, Arrays], maps: tuple[Arrays, Arrays],
              classes: int, malignant_columns: list[int]) -> dict[str, Any]:
    """Head on pooled features first, then the last block with it on block-13 maps (see tune.py)."""
    assert recipe.tune is not None
    head, _ = fit_head(*pooled, classes, recipe.head)
    weights = sample_weights(maps[0].labels, maps[0].sources, classes, recipe.head.class_weight)
    tail, history = fit_tail(source_model, head, *maps, recipe.tune, weights)
    return calibrate(recipe, tail, history, head_logits(tail, maps[1], False), maps[1], malignant_columns)


def calibrate(recipe: Recipe, head: Any, history: dict, logits: np.ndarray, val: Arrays,
              malignant_columns: list[int]) -> dict[str, Any]:
    """Temperature and operating threshold from the validation logits of a fitted head."""
    temperature = fit_temperature(logits, val.labels) if recipe.temperature_scaling else 1.0
    chosen_rows = np.isin(val.sources, recipe.threshold_sources)
    if not recipe.threshold_sources or not chosen_rows.any():  # none of those sources here: all of val
        chosen_rows = np.ones(len(val), dtype=bool)
    threshold = choose_operating_threshold(val.subset(chosen_rows), logits[chosen_rows], temperature,
                                           malignant_columns, recipe.target_sensitivity)
    validation = per_source(val, logits, temperature, malignant_columns, threshold["value"])
    return {"head": head, "history": history, "temperature": temperature, "threshold": threshold,
            "validation": validation, "epochs": len(history.get("loss", []))}


HEAD_FILE = "head.keras"


def _is_bundled(model_id: str) -> bool:
    from skindesk.core.registry import ModelRegistry

    return any(m.card.id == model_id and m.bundled for m in ModelRegistry().installed())


def _save(backbone: Any, fitted: dict[str, Any], metadata_width: int, folder: Path, head_only: bool,
          cut: str | None) -> Path:
    """Save the head alone (on a bundled backbone, which is always there) or the whole model.

    With ``cut``, the "head" is a tuned tail that takes the output of trunk layer ``cut``.
    """
    if head_only:
        return save_model(calibrated_head(fitted["head"], fitted["temperature"]), folder, HEAD_FILE)
    return save_model(assemble_model(backbone, fitted["head"], fitted["temperature"], metadata_width, cut),
                      folder)


def train_model(recipe: Recipe, out_dir: str | Path, model_id: str, name: str, cache_dir: str | Path,
                base_model: str = DEFAULT_BACKBONE_MODEL, on_stage: Stage | None = None) -> TrainResult:
    """Train a model by ``recipe`` into ``out_dir`` (model.keras, card.json, recipe.json)."""
    from skindesk.core import tfruntime

    tfruntime.tensorflow()
    folder = Path(out_dir).expanduser().resolve()
    backbone = load_backbone(base_model)
    card = backbone.card
    sources = select_images(recipe)
    cache = FeatureCache(cache_dir)
    cache_all(backbone, cache, sources, on_stage, with_block13=recipe.tune is not None)
    metadata_spec = card.metadata_input if recipe.head.use_metadata else None
    train, val = training_arrays(cache, sources, card, metadata_spec, recipe.label_map)
    if on_stage:
        on_stage(f"fitting the {'head and last block' if recipe.tune else 'head'} on {len(train)} rows", 0, 1)
    malignant_columns = [card.class_ids.index(c) for c in card.malignant_class_ids]
    if recipe.tune is not None:
        maps = training_arrays(cache, sources, card, None, recipe.label_map, kind="block13")
        fitted = fit_tuned(recipe, backbone.source_model, (train, val), maps, len(card.class_ids),
                           malignant_columns)
    else:
        fitted = fit(recipe, train, val, len(card.class_ids), malignant_columns)
    model_file = _save(backbone, fitted, val.metadata.shape[1] if recipe.head.use_metadata else 0,
                       folder, head_only=_is_bundled(base_model), cut=recipe.tune.cut if recipe.tune else None)
    write_json_atomic(folder / "recipe.json", recipe.to_dict())
    card_data = trained_card(card, model_id, name, sha256_file(model_file), recipe, fitted, sources,
                             train_rows=len(train), created=datetime.date.today().isoformat())
    card_data["file"] = model_file.name
    if model_file.name == HEAD_FILE:
        card_data["backbone"] = {"model": card.id, "sha256": card.sha256,
                                 "layers": [NORMALIZATION_LAYER, TRUNK_LAYER]}
        if recipe.tune is not None:
            card_data["backbone"]["cut"] = recipe.tune.cut
    if recipe.tune is not None and card_data.get("gradcam_layer"):
        # The base's last convolution now lives in the tuned tail, not in the trunk.
        inner = str(card_data["gradcam_layer"]).rsplit("/", 1)[-1]
        container = CALIBRATED_HEAD if model_file.name == HEAD_FILE else TAIL_NAME
        card_data["gradcam_layer"] = f"{container}/{inner}"
    from skindesk.core.modelcard import write_card

    write_card(card_data, folder)
    return TrainResult(folder, card_data, sources, fitted["history"])
