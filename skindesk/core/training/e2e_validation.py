"""Validation loss after each epoch, with honest BatchNormalization statistics.

A network trained from scratch learns its BatchNormalization layers: they
normalise with each batch's statistics while training but with slowly
updated moving averages at inference. On a small dataset (few steps per
epoch) those averages lag far behind the weights, so the model saved (and
the validation loss early stopping watches) would be much worse than the
trained network. After each epoch the moving statistics are therefore
re-estimated from training images (a plain average over up to 20 batches,
as stochastic weight averaging does) before the validation loss is computed.
A pretrained backbone runs in inference mode throughout and needs none of this.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

RECALIBRATION_BATCHES = 20


def _batch_norm_layers(model: Any) -> list[Any]:
    from skindesk.core.model_import.preprocessing import iter_layers

    return [layer for layer in iter_layers(model) if type(layer).__name__ == "BatchNormalization"]


def recalibrate_batch_statistics(model: Any, batches: Any, limit: int = RECALIBRATION_BATCHES) -> int:
    """Set every BatchNormalization layer's moving statistics to their average over ``batches``.

    Batch k is given momentum k/(k+1), which makes the moving value the
    plain mean of the first k+1 batches' statistics. Weights are untouched.

    Returns:
        The number of batches used.
    """
    layers = _batch_norm_layers(model)
    momenta = [layer.momentum for layer in layers]
    used = 0
    try:
        for images, _labels in itertools.islice(batches, limit):
            for layer in layers:
                layer.momentum = used / (used + 1)
            model(images, training=True)
            used += 1
    finally:
        for layer, momentum in zip(layers, momenta, strict=True):
            layer.momentum = momentum
    return used


def validation_loss(model: Any, batches: Any) -> float:
    """Mean cross-entropy of the true classes over (images, labels) batches, in inference mode."""
    import keras

    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
    total, count = 0.0, 0
    for images, labels in batches:
        total += float(loss(labels, model(images, training=False)))
        count += int(np.asarray(labels).shape[0])
    return total / max(count, 1)


def epoch_validation(model: Any, val: Any, recalibrate_on: Any | None) -> Any:
    """A callback that puts ``val_loss`` into each epoch's logs (before early stopping reads them).

    Args:
        val: (images, labels) batches of the validation split.
        recalibrate_on: (images, labels) batches of training images to re-estimate
            BatchNormalization statistics from first, or None to leave them.
    """
    import keras

    class EpochValidation(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if recalibrate_on is not None:
                recalibrate_batch_statistics(model, recalibrate_on)
            if logs is not None:
                logs["val_loss"] = validation_loss(model, val)

    return EpochValidation()
