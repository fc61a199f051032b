"""``skindesk train --arch ARCH --base-weights FILE|none``: a whole network, end to end.

Steps: select and split the images as the head path does (by lesion id),
stream them from disk with augmentation, train a ``keras.applications``
backbone and a new classifier with class weighting (frozen backbone, then
fine-tuning, when starting from a weights file), fit the temperature and
choose the operating threshold on the validation split, save a float32
``model.keras`` and write its card. The GPU is used when present, in mixed
precision. The hold-out evaluation and installation are those of the head
path (:mod:`skindesk.core.training.finish`).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.errors import UserError
from skindesk.core.evaluation.labelmap import infer_label_map
from skindesk.core.hashing import sha256_file
from skindesk.core.jsonfile import write_json_atomic
from skindesk.core.modelcard import ModelCard, write_card
from skindesk.core.operating_point import threshold_for_sensitivity
from skindesk.core.training.assemble import save_model
from skindesk.core.training.backbone import DEFAULT_BACKBONE_MODEL
from skindesk.core.training.calibration import fit_temperature, softmax
from skindesk.core.training.data import SourceImages, select_images
from skindesk.core.training.e2e_card import end_to_end_card, recipe_without_head
from skindesk.core.training.e2e_checkpoint import TrainingCheckpoint, run_fingerprint
from skindesk.core.training.e2e_continue import continued_network, options_of
from skindesk.core.training.e2e_data import ImageTable, image_dataset, image_table
from skindesk.core.training.e2e_device import device_precision
from skindesk.core.training.e2e_fit import (
    EndToEndConfig,
    PhaseData,
    Stage,
    fit_network,
    predict_logits,
)
from skindesk.core.training.e2e_model import (
    arch_spec,
    backbone_options,
    build_backbone,
    build_classifier,
    deployable_model,
)
from skindesk.core.training.head import sample_weights
from skindesk.core.training.recipe import Recipe
from skindesk.core.training.selection import in_splits
from skindesk.core.training.trainer import TrainResult
from skindesk.core.training.validation import (
    choose_operating_threshold,
    malignant_probability,
    per_source,
)


def class_vocabulary(images: list[Any], label_map: dict[str, Any]) -> ModelCard:
    """The bundled model's card narrowed to the classes these images' labels map onto.

    Raises:
        UserError: Fewer than two classes, or none of them malignant.
    """
    from skindesk.core.registry import ModelRegistry

    card = ModelRegistry().get(DEFAULT_BACKBONE_MODEL)
    targets = infer_label_map({i.label for i in images}, card, label_map)
    present = {t.model_class for t in targets.values() if t.model_class}
    classes = tuple(c for c in card.classes if c.id in present)
    if len(classes) < 2 or not any(c.malignant for c in classes):
        raise UserError(f"training needs at least two classes, one of them malignant; the labels map "
                        f"onto {', '.join(c.id for c in classes) or 'none'} (see --label-map)")
    return dataclasses.replace(card, classes=classes)


def _tables(sources: list[SourceImages], recipe: Recipe) -> tuple[ModelCard, ImageTable, ImageTable]:
    train = [i for s in sources for i in s.train]
    val = [i for s in sources for i in in_splits(s.cached, ("val",))]
    if not train or not val:
        raise UserError("training needs images in both the train and the val split")
    vocabulary = class_vocabulary(train + val, recipe.label_map)
    val_table = image_table(val, vocabulary, recipe.label_map)
    if val_table.malignant.all() or not val_table.malignant.any():
        raise UserError("the validation split needs both malignant and benign images to choose the "
                        "threshold; add images or give the CSV a split column")
    return vocabulary, image_table(train, vocabulary, recipe.label_map), val_table


def _rounded_down_threshold(arrays: Any, logits: np.ndarray, temperature: float,
                            malignant_columns: list[int], target: float) -> float:
    """The chosen threshold to 6 decimals, rounded down.

    Rounding to nearest can put it just above the malignant score it was chosen at;
    a well-separated model's scores crowd near 1, where 0.9999996 would become 1.0
    and the model would miss most malignant lesions.
    """
    scores = malignant_probability(softmax(logits, temperature), malignant_columns)
    exact = threshold_for_sensitivity(scores, arrays.malignant, target).threshold
    return math.floor(exact * 1e6) / 1e6


def calibrate(model: Any, val: ImageTable, config: EndToEndConfig, recipe: Recipe,
              malignant_columns: list[int]) -> dict[str, Any]:
    """Temperature, threshold and validation metrics from the model's validation logits."""
    scaling = arch_spec(config.arch).scaling
    batches = image_dataset(val, config.img_size, scaling, config.batch_size, "predict")
    logits, rows = predict_logits(model, batches)
    arrays = val.rows(rows)
    if arrays.malignant.all() or not arrays.malignant.any():
        raise UserError("too few readable validation images (both malignant and benign are needed)")
    temperature = fit_temperature(logits, arrays.labels) if recipe.temperature_scaling else 1.0
    chosen = np.isin(arrays.sources, recipe.threshold_sources) if recipe.threshold_sources \
        else np.ones(len(arrays), dtype=bool)
    threshold = choose_operating_threshold(arrays.subset(chosen), logits[chosen], temperature,
                                           malignant_columns, recipe.target_sensitivity)
    threshold["value"] = _rounded_down_threshold(arrays.subset(chosen), logits[chosen], temperature,
                                                 malignant_columns, recipe.target_sensitivity)
    validation = per_source(arrays, logits, temperature, malignant_columns, threshold["value"])
    return {"temperature": temperature, "threshold": threshold, "validation": validation}


def _train_network(config: EndToEndConfig, train: ImageTable, val: ImageTable, class_ids: tuple[str, ...],
                   on_stage: Stage | None,
                   checkpoint: TrainingCheckpoint | None = None) -> tuple[Any, list[dict[str, Any]]]:
    """Build and fit the network (inside :func:`device_precision`); (model, phase records)."""
    import keras

    keras.utils.set_random_seed(config.seed)
    model, base = _classifier(config, class_ids)
    scaling = arch_spec(config.arch).scaling
    per_row = sample_weights(train.labels, train.sources, len(class_ids), config.class_weight)
    data = PhaseData(
        train=image_dataset(train, config.img_size, scaling, config.batch_size, "train",
                            weights=per_row, seed=config.seed, augmentation=config.augmentation),
        val=image_dataset(val, config.img_size, scaling, config.batch_size, "val"),
        recalibrate_on=image_dataset(train, config.img_size, scaling, config.batch_size, "val",
                                     shuffle=True, seed=config.seed),
        batches=-(-len(train) // config.batch_size))
    return model, fit_network(model, base, data, config, on_stage, checkpoint)


def _classifier(config: EndToEndConfig, class_ids: tuple[str, ...]) -> tuple[Any, Any]:
    """(classifier, backbone): a network to go on training, or a new one on the starting weights."""
    if config.init_from:
        return continued_network(Path(config.init_from), config.arch, config.img_size, class_ids,
                                 config.dropout, config.seed)
    weights = _weights_path(config)
    base = build_backbone(config.arch, config.img_size, weights)
    return build_classifier(base, len(class_ids), config.dropout, weights is not None, config.seed), base


def _weights_path(config: EndToEndConfig) -> Path | None:
    return Path(config.base_weights) if config.base_weights else None


def _save(model: Any, config: EndToEndConfig, recipe: Recipe, fitted: dict[str, Any],
          folder: Path) -> Path:
    """Save the deployable float32 model and the recipe; return the model file."""
    from skindesk.core.model_import.inspection import find_gradcam_layer

    options = options_of(config.arch, model.get_layer(config.arch)) if config.init_from \
        else backbone_options(config.arch, _weights_path(config))
    pretrained = config.base_weights is not None or config.init_from is not None
    deployed = deployable_model(model, config.arch, options, fitted["temperature"], pretrained)
    fitted["gradcam_layer"] = find_gradcam_layer(deployed)
    model_file = save_model(deployed, folder)
    recipe_data = {**recipe_without_head(recipe), "end_to_end": config.to_dict()}
    write_json_atomic(folder / "recipe.json", recipe_data)
    return model_file


def train_end_to_end(recipe: Recipe, config: EndToEndConfig, out_dir: str | Path, model_id: str,
                     name: str, on_stage: Stage | None = None, resume: bool = False) -> TrainResult:
    """Train a network by ``recipe`` and ``config`` into ``out_dir``.

    Writes model.keras, card.json and recipe.json; the hold-out split is left
    for :func:`skindesk.core.training.finish.finish_training`. Every epoch is
    checkpointed in ``out_dir/.checkpoint`` (removed at the end); with ``resume``
    an interrupted run goes on from its last epoch (see :mod:`.e2e_checkpoint`).

    Raises:
        UserError: Among others, ``out_dir`` holds an interrupted run and ``resume``
            is not set, or ``resume`` is set and there is no such run to go on with.
    """
    from skindesk.core import tfruntime

    # Read from the environment, not from Keras: importing Keras would import TensorFlow
    # before tfruntime has quieted and configured it. Another backend: JAX on a GPU machine, say.
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        tfruntime.tensorflow()
    folder = Path(out_dir).expanduser().resolve()
    sources = select_images(recipe)
    vocabulary, train, val = _tables(sources, recipe)
    malignant_columns = [vocabulary.class_ids.index(c) for c in vocabulary.malignant_class_ids]
    fingerprint = run_fingerprint(config.to_dict(), recipe_without_head(recipe), train, val)
    checkpoint = TrainingCheckpoint.open(folder, fingerprint, resume)
    with device_precision() as (device, mixed):
        model, phases = _train_network(config, train, val, vocabulary.class_ids, on_stage, checkpoint)
    if on_stage:
        on_stage("temperature and threshold on the validation split", 0, 1)
    fitted = calibrate(model, val, config, recipe, malignant_columns)
    weights = _weights_path(config)
    fitted.update(phases=phases, device=device, mixed_precision=mixed,
                  base_weights_sha256=sha256_file(weights) if weights else None,
                  init_from_sha256=sha256_file(Path(config.init_from)) if config.init_from else None,
                  resumed=checkpoint.resumed)
    model_file = _save(model, config, recipe, fitted, folder)
    card = end_to_end_card(vocabulary, model_id, name, sha256_file(model_file), config, recipe, fitted,
                           sources, created=datetime.date.today().isoformat())
    write_card(card, folder)
    checkpoint.remove()
    return TrainResult(folder, card, sources, {f"{p['phase']}/val_loss": p["val_loss"] for p in phases})
