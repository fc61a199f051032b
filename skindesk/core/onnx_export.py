"""Exporting a model to ONNX for :mod:`.onnx_runtime`, checked against the Keras model.

An export is only recorded in the card after ONNX Runtime's outputs have
matched TensorFlow's on the given images within :data:`TOLERANCE`, so the
faster runtime never changes a result a clinician sees.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from importlib import metadata as package_metadata
from typing import Any

import numpy as np

from skindesk.core import tfruntime
from skindesk.core.errors import ModelError
from skindesk.core.hashing import sha256_path
from skindesk.core.imageprep import prepare_image
from skindesk.core.metadata import UNKNOWN, PatientMetadata, encode_metadata, metadata_width
from skindesk.core.model_loader import load_card_keras_model, load_predictor
from skindesk.core.modelcard import ModelCard
from skindesk.core.onnx_runtime import load_onnx_predictor

TOLERANCE = 1e-4
OPSET = 17
# Known and unknown patient details, so a metadata input is checked too.
_CHECK_METADATA = (UNKNOWN, PatientMetadata.create(age=70, sex="male", site="back"),
                   PatientMetadata.create(age=35, sex="female", site="lower extremity"))


def _signature(card: ModelCard) -> list[Any]:
    tf = tfruntime.tensorflow()
    height, width = card.input_size
    image = tf.TensorSpec([None, height, width, 3], tf.float32, name="image")
    if not card.metadata_input:
        return [image]
    meta = tf.TensorSpec([None, metadata_width(card.metadata_input)], tf.float32, name="metadata")
    return [meta, image] if int(card.metadata_input.get("input_index", 1)) == 0 else [image, meta]


def _check_batches(card: ModelCard, images: Sequence[np.ndarray]
                   ) -> list[tuple[np.ndarray, np.ndarray | None]]:
    prepared = np.stack([prepare_image(rgb, card) for rgb in images])
    if not card.metadata_input:
        return [(prepared, None)]
    return [(prepared, np.stack([encode_metadata(card.metadata_input, m)] * len(images)))
            for m in _CHECK_METADATA]


def max_difference(card: ModelCard, onnx_card: ModelCard, images: Sequence[np.ndarray]) -> float:
    """Largest absolute output difference, ONNX Runtime vs TensorFlow, on ``images``."""
    keras_run, _ = load_predictor(card)
    onnx_run = load_onnx_predictor(onnx_card)
    worst = 0.0
    for prepared, meta in _check_batches(card, images):
        worst = max(worst, float(np.max(np.abs(keras_run(prepared, meta) - onnx_run(prepared, meta)))))
    return worst


def export_onnx(card: ModelCard, images: Sequence[np.ndarray], file_name: str = "model.onnx"
                ) -> dict[str, Any]:
    """Write ``file_name`` beside the card's model and return the card's ``onnx`` entry.

    Args:
        card: The model to export (any Keras model the engine loads, composites included).
        images: RGB uint8 images the export is checked on (real ones where possible).

    Raises:
        ModelError: The outputs differ by more than :data:`TOLERANCE` (the file is removed).
    """
    import tf2onnx

    target = card.folder / file_name
    tf2onnx.convert.from_keras(load_card_keras_model(card), input_signature=_signature(card),
                               opset=OPSET, output_path=str(target))
    entry: dict[str, Any] = {"file": file_name, "sha256": sha256_path(target), "opset": OPSET,
                             "converter": f"tf2onnx {tf2onnx.__version__} (from_keras)"}
    onnx_card = dataclasses.replace(card, raw={**card.raw, "onnx": entry})
    worst = max_difference(card, onnx_card, images)
    if worst > TOLERANCE:
        target.unlink()
        raise ModelError(f"the ONNX export of '{card.id}' differs from the Keras model by "
                         f"{worst:.2e} (more than {TOLERANCE:g}); not used")
    variants = len(_CHECK_METADATA) if card.metadata_input else 1
    entry["check"] = {"images": len(images), "metadata_variants": variants,
                      "max_abs_difference": float(f"{worst:.3g}"), "tolerance": TOLERANCE,
                      "onnxruntime": package_metadata.version("onnxruntime")}
    return entry
