"""Loading a model file of any supported Keras format into a fast predictor.

Supported: Keras 3 ``.keras`` archives, legacy Keras 2 ``.h5``/``.hdf5``
files (the format of most public training notebooks), and TensorFlow
SavedModel folders. The predictor is a ``tf.function`` traced once with a
variable batch dimension, which avoids ``model.predict``'s per-call set-up
cost and never retraces.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core import tfruntime
from skindesk.core.composite import is_composite, load_composite
from skindesk.core.ensemble import is_ensemble, load_ensemble
from skindesk.core.errors import ModelError
from skindesk.core.metadata import metadata_width
from skindesk.core.modelcard import ModelCard

log = logging.getLogger(__name__)

Predictor = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


def model_format(path: Path) -> str:
    """'savedmodel', 'keras' or 'h5', judged from the path."""
    if path.is_dir():
        if (path / "saved_model.pb").exists():
            return "savedmodel"
        raise ModelError(f"{path} is a folder but not a TensorFlow SavedModel")
    suffix = path.suffix.lower()
    if suffix == ".keras":
        return "keras"
    if suffix in (".h5", ".hdf5"):
        return "h5"
    raise ModelError(f"{path}: unsupported model format '{suffix}' (use .keras, .h5 or SavedModel)")


def load_keras_model(path: Path) -> Any:
    """Load a ``.keras`` or ``.h5`` file as a Keras model (not compiled)."""
    tfruntime.tensorflow()
    import keras

    try:
        return keras.models.load_model(path, compile=False)
    except Exception as error:
        raise ModelError(f"cannot load the model file {path}: {error}") from error


def _keras_predictor(model: Any, card: ModelCard) -> Predictor:
    # Traced, not frozen into constants: freezing was ~10% faster on the CPU but
    # tripled resident memory (0.9 -> 2.5 GB for the default model).
    tf = tfruntime.tensorflow()
    height, width = card.input_size
    image_spec = tf.TensorSpec([None, height, width, 3], tf.float32)
    if card.metadata_input:
        meta_spec = tf.TensorSpec([None, metadata_width(card.metadata_input)], tf.float32)
        meta_first = int(card.metadata_input.get("input_index", 1)) == 0

        @tf.function(input_signature=[image_spec, meta_spec])
        def run_with_meta(images: Any, meta: Any) -> Any:
            inputs = [meta, images] if meta_first else [images, meta]
            return model(inputs, training=False)

        return lambda images, meta: run_with_meta(tf.constant(images), tf.constant(meta)).numpy()

    @tf.function(input_signature=[image_spec])
    def run(images: Any) -> Any:
        return model(images, training=False)

    return lambda images, _meta: run(tf.constant(images)).numpy()


def _savedmodel_predictor(path: Path, card: ModelCard) -> Predictor:
    tf = tfruntime.tensorflow()
    try:
        loaded = tf.saved_model.load(str(path))
        signature = loaded.signatures["serving_default"]
    except Exception as error:
        raise ModelError(f"cannot load the SavedModel {path}: {error}") from error
    names = list(signature.structured_input_signature[1].keys())
    if len(names) != 1 or card.metadata_input:
        raise ModelError(f"{path}: SavedModels must have exactly one image input")

    def run(images: np.ndarray, _meta: np.ndarray | None) -> np.ndarray:
        outputs = signature(**{names[0]: tf.constant(images)})
        return next(iter(outputs.values())).numpy()

    run.keep_alive = loaded  # type: ignore[attr-defined]  # the signature needs it alive
    return run


def load_card_keras_model(card: ModelCard) -> Any:
    """The card's model as Keras (a composite assembled); None for a SavedModel."""
    if model_format(card.model_path) == "savedmodel":
        return None
    if is_ensemble(card):
        return load_ensemble(card, load_keras_model, load_card_keras_model)
    if is_composite(card):
        return load_composite(card, load_keras_model)
    return load_keras_model(card.model_path)


def load_predictor(card: ModelCard) -> tuple[Predictor, Any]:
    """Load the card's model; return (predictor, Keras model or None for SavedModel)."""
    path = card.model_path
    if not path.exists():
        raise ModelError(f"model file of '{card.id}' is missing: {path}")
    fmt = model_format(path)
    if fmt == "savedmodel":
        return _savedmodel_predictor(path, card), None
    model = load_card_keras_model(card)
    return _keras_predictor(model, card), model
