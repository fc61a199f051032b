"""Occlusion sensitivity (Zeiler & Fergus, ECCV 2014): hide a patch, watch the score.

Model-agnostic: it needs only the model's predict function, so it works
for any model, SavedModels without gradients included. A square patch,
filled with the image's mean colour, slides over the model input; each
pixel's value is the average drop in the class's log-probability over the
patches covering it (log, so that a confident 0.99 still shows which
patches lower it). Cost: one forward pass per patch position, batched;
with the defaults (a patch of a quarter of the input, stride half a patch)
7×7 = 49 passes per image.
"""

from __future__ import annotations

import numpy as np

from skindesk.core.explain.base import (
    ExplainBatch,
    Explainer,
    ExplainModel,
    RawMaps,
    class_probability,
    resolve_columns,
)

DEFAULT_PATCH_FRACTION = 0.25
_FLOOR = 1e-7  # keeps log(0) finite


class OcclusionSensitivity(Explainer):
    """Heat = how much hiding each region lowers the class's log-probability.

    Args:
        patch_size: patch side in model-input pixels (None: ``patch_fraction`` of the input).
        stride: step between patches in pixels (None: half a patch).
        batch_size: occluded images per forward pass.
        patch_fraction: patch side as a fraction of the input's shorter side.
    """

    method_id = "occlusion"
    name = "Occlusion sensitivity"

    def __init__(
        self,
        patch_size: int | None = None,
        stride: int | None = None,
        batch_size: int = 8,
        patch_fraction: float = DEFAULT_PATCH_FRACTION,
    ) -> None:
        self.patch_size = patch_size
        self.stride = stride
        self.batch_size = max(1, batch_size)
        self.patch_fraction = patch_fraction

    def compute_maps(self, model: ExplainModel, batch: ExplainBatch) -> RawMaps:
        outputs = model.predict(batch.images, batch.meta)
        columns = resolve_columns(batch, outputs)
        maps = []
        for i in range(len(batch)):
            base = _log_probability(outputs[i : i + 1], columns[i], batch.signs[i])[0]
            maps.append(self._map(model, batch, i, base, columns[i]))
        return RawMaps(np.stack(maps), outputs)

    def _geometry(self, height: int, width: int) -> tuple[int, int]:
        patch = self.patch_size or round(min(height, width) * self.patch_fraction)
        patch = int(min(max(patch, 1), height, width))
        return patch, int(self.stride or max(1, patch // 2))

    def _map(
        self, model: ExplainModel, batch: ExplainBatch, index: int, base: float, column: int
    ) -> np.ndarray:
        image = batch.images[index]
        height, width = image.shape[:2]
        patch, stride = self._geometry(height, width)
        corners = [
            (y, x) for y in _starts(height, patch, stride) for x in _starts(width, patch, stride)
        ]
        fill = image.mean(axis=(0, 1))  # neutral: the image's own mean colour
        drop = np.zeros((height, width), np.float64)
        covered = np.zeros((height, width), np.float64)
        for start in range(0, len(corners), self.batch_size):
            chunk = corners[start : start + self.batch_size]
            occluded = np.repeat(image[None], len(chunk), axis=0)
            for k, (y, x) in enumerate(chunk):
                occluded[k, y : y + patch, x : x + patch] = fill
            outputs = model.predict(occluded, batch.meta_rows(index, len(chunk)))
            for (y, x), score in zip(chunk, _log_probability(outputs, column, batch.signs[index])):
                drop[y : y + patch, x : x + patch] += base - score
                covered[y : y + patch, x : x + patch] += 1
        return (drop / np.maximum(covered, 1)).astype(np.float32)


def _starts(length: int, patch: int, stride: int) -> list[int]:
    """Patch offsets along one axis; the last patch always reaches the edge."""
    starts = list(range(0, length - patch + 1, stride))
    if starts[-1] != length - patch:
        starts.append(length - patch)
    return starts


def _log_probability(outputs: np.ndarray, column: int, sign: float) -> np.ndarray:
    return np.log(np.maximum(class_probability(outputs, column, sign), _FLOOR))
