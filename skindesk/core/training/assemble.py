"""Joining the frozen backbone and a trained head into one deployable model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skindesk.core.training.backbone import NORMALIZATION_LAYER, TRUNK_LAYER, Backbone


def assemble_model(backbone: Backbone, head: Any, temperature: float, metadata_width: int,
                   cut: str | None = None) -> Any:
    """image (+ metadata) -> softmax(head(backbone(image)) / T), as a single Keras model.

    The backbone's layers (its Normalization and Xception trunk) are reused
    as they are, so Grad-CAM finds the same ``xception/...`` layers and the
    image pipeline (raw 0–255 pixels, bilinear resize) is unchanged. With
    ``cut``, the trunk ends at that layer and ``head`` is a tuned tail.
    """
    import keras

    from skindesk.core.composite import backbone_layers

    image = keras.Input((*backbone.input_size, 3), name="image")
    pooled = image
    for layer in backbone_layers(backbone.source_model, [NORMALIZATION_LAYER, TRUNK_LAYER], cut):
        pooled = layer(pooled)
    inputs = [image]
    head_inputs = [pooled]
    if metadata_width:
        metadata = keras.Input((metadata_width,), name="metadata")
        inputs.append(metadata)
        head_inputs.append(metadata)
    logits = head(head_inputs if len(head_inputs) > 1 else pooled)
    scaled = keras.layers.Rescaling(1.0 / temperature, name="temperature")(logits)
    probabilities = keras.layers.Activation("softmax", name="probabilities")(scaled)
    return keras.Model(inputs, probabilities, name="skindesk_trained")


CALIBRATED_HEAD = "calibrated_head"


def calibrated_head(head: Any, temperature: float) -> Any:
    """The head with its temperature and softmax: features (+ metadata) -> probabilities."""
    import keras

    scaled = keras.layers.Rescaling(1.0 / temperature, name="temperature")(head.outputs[0])
    probabilities = keras.layers.Activation("softmax", name="probabilities")(scaled)
    return keras.Model(head.inputs, probabilities, name=CALIBRATED_HEAD)


def save_model(model: Any, folder: Path, file_name: str = "model.keras") -> Path:
    """Save ``model`` into ``folder`` (created) and return the file path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file_name
    model.save(target)
    return target
