"""Score-CAM (Wang et al., CVPR-W 2020): channels weighted by what they show the model.

Each channel's activation, upsampled and scaled to 0..1, masks the input
image; the class probability of the masked image is the channel's weight,
as in the authors' implementation (pytorch-grad-cam instead soft-maxes raw
scores over channels, which flattens the weights when logits are close).
No gradients are used, but it costs one forward pass per channel, so only
the ``top_k`` channels with the highest mean activation are scored (32 by
default: 32 extra forward passes per image, batched); the others get
weight zero.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from skindesk.core.explain.base import (
    BaseCAM,
    ExplainBatch,
    ExplainModel,
    class_probability,
    resolve_columns,
)

DEFAULT_TOP_K = 32


class ScoreCAM(BaseCAM):
    """Channel weights from the class probabilities of channel-masked images.

    Args:
        top_k: how many channels to score (None: all of them).
        batch_size: masked images per forward pass.
    """

    method_id = "scorecam"
    name = "Score-CAM"
    uses_gradients = False

    def __init__(self, top_k: int | None = DEFAULT_TOP_K, batch_size: int = 8) -> None:
        self.top_k = top_k
        self.batch_size = max(1, batch_size)

    def weights(self, tensors: Any, model: ExplainModel, batch: ExplainBatch) -> np.ndarray:
        acts = tensors.activations
        columns = resolve_columns(batch, tensors.outputs)
        weights = np.zeros((acts.shape[0], acts.shape[-1]), np.float32)
        for index in range(len(batch)):
            # A stable sort keeps the choice of channels deterministic on ties.
            channels = np.argsort(-acts[index].mean(axis=(0, 1)), kind="stable")[: self.top_k]
            masks = _channel_masks(acts[index][..., channels], batch.images.shape[1:3])
            weights[index, channels] = self._masked_probabilities(
                model, batch, index, masks, columns[index]
            )
        return weights

    def _masked_probabilities(
        self, model: ExplainModel, batch: ExplainBatch, index: int, masks: np.ndarray, column: int
    ) -> np.ndarray:
        scores = []
        for start in range(0, len(masks), self.batch_size):
            chunk = batch.images[index] * masks[start : start + self.batch_size, ..., None]
            count = len(chunk)
            result = model.cam.forward(
                chunk,
                batch.meta_rows(index, count),
                np.full(count, column),
                np.repeat(batch.signs[index], count),
            )
            scores.append(class_probability(result.outputs, column, batch.signs[index]))
        return np.concatenate(scores).astype(np.float32)


def _channel_masks(activations: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """k×H×W masks: each channel upsampled to ``size`` and scaled to 0..1."""
    height, width = size
    masks = np.stack(
        [
            cv2.resize(activations[..., c], (width, height), interpolation=cv2.INTER_LINEAR)
            for c in range(activations.shape[-1])
        ]
    )
    low = masks.min(axis=(1, 2), keepdims=True)
    span = masks.max(axis=(1, 2), keepdims=True) - low
    return np.where(span > 1e-12, (masks - low) / np.maximum(span, 1e-12), 0.0).astype(np.float32)
