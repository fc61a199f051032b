"""The base of every explanation method: shared plumbing, one hook per method.

:class:`Explainer` turns a method's raw maps into heat maps at the original
image size, normalised to 0..1, with their peaks. :class:`BaseCAM` adds the
class-activation-map recipe: run the model split at the target layer
(gradient tape included, see :mod:`.cam_model`), ask the subclass for the
weights of the activations, and sum the weighted channels. A CAM method is
then only its :meth:`BaseCAM.weights`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np

from skindesk.core.errors import ModelError

PredictFn = Callable[[np.ndarray, "np.ndarray | None"], np.ndarray]
"""Model outputs (N×K) for prepared images (N×H×W×3) and metadata rows (N×M or None)."""

TOP_CLASS = -1
"""Output column meaning "the model's most probable class"."""


@dataclass(frozen=True)
class ExplainBatch:
    """Prepared inputs for N images and what to explain in each.

    Attributes:
        images: N×H×W×3 float32 model inputs.
        meta: N×M encoded metadata rows, or None for image-only models.
        columns: N output columns to explain (:data:`TOP_CLASS` for the top one).
        signs: N values, +1, or -1 for the negative class of a one-output sigmoid model.
        sizes: N original image sizes (height, width), the heat maps' sizes.
    """

    images: np.ndarray
    meta: np.ndarray | None
    columns: np.ndarray
    signs: np.ndarray
    sizes: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.images)

    def meta_rows(self, index: int, count: int) -> np.ndarray | None:
        """Image ``index``'s metadata repeated ``count`` times (for perturbed copies)."""
        return None if self.meta is None else np.repeat(self.meta[index : index + 1], count, 0)


@dataclass(frozen=True)
class ExplainModel:
    """What methods may use: a predict function always, a split model for CAMs.

    Attributes:
        predict: plain model outputs; works for any model, SavedModels included.
        cam: the model split at its target layer (a :class:`~.cam_model.CamModel`),
            None when the model has no gradients (SavedModel) or none was needed.
    """

    predict: PredictFn
    cam: Any = None


@dataclass(frozen=True)
class RawMaps:
    """A method's maps (N×h×w, any resolution) and the model outputs (N×K)."""

    maps: np.ndarray
    outputs: np.ndarray


def resolve_columns(batch: ExplainBatch, outputs: np.ndarray) -> np.ndarray:
    """Replace :data:`TOP_CLASS` by each image's most probable output column."""
    return np.where(batch.columns < 0, np.argmax(outputs, axis=1), batch.columns).astype(np.int32)


def class_probability(outputs: np.ndarray, column: int, sign: float) -> np.ndarray:
    """The probability of one class in each row of model outputs (N×K -> N)."""
    values = np.asarray(outputs, np.float64)[:, column]
    # One sigmoid output serves two classes: the negative one's is 1 - p.
    return values if sign > 0 else 1.0 - values


def finish_map(raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Upsample a raw map to ``size`` (height, width) and scale it to 0..1 (float32).

    Negative evidence is cut at zero first, as in Grad-CAM's ReLU; a map
    without any positive evidence becomes all zeros.
    """
    positive = np.maximum(np.nan_to_num(np.asarray(raw, np.float32)), 0.0)
    height, width = size
    resized = cv2.resize(positive, (width, height), interpolation=cv2.INTER_LINEAR)
    resized -= resized.min()
    top = float(resized.max())
    return (resized / top if top > 1e-12 else np.zeros_like(resized)).astype(np.float32)


PEAK_TIE = 1e-5  # heat within this of the maximum counts as a tie


def peak_of(heatmap: np.ndarray) -> tuple[int, int]:
    """[x, y] pixel of the heat map's maximum: the first one within :data:`PEAK_TIE` of it.

    A flat-topped map (occlusion's often is) must not move its peak because of
    float noise, e.g. between one image explained alone and in a batch.
    """
    near_top = heatmap >= float(np.max(heatmap)) - PEAK_TIE
    row, col = np.unravel_index(int(np.argmax(near_top)), heatmap.shape)
    return int(col), int(row)


class Explainer(ABC):
    """A method that says where in an image the model found evidence for a class."""

    method_id: ClassVar[str]
    name: ClassVar[str]
    needs_gradients: ClassVar[bool] = False  # needs a split Keras model (a CamModel)

    @abstractmethod
    def compute_maps(self, model: ExplainModel, batch: ExplainBatch) -> RawMaps:
        """Raw maps for the batch, at any resolution covering the whole model input."""

    def explain(
        self, model: ExplainModel, batch: ExplainBatch
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Heat maps (0..1, original sizes) and the model outputs for a batch."""
        if self.needs_gradients and model.cam is None:
            raise ModelError(
                f"{self.name} needs a Keras model with gradients; this model has none "
                "(use the occlusion method)"
            )
        raw = self.compute_maps(model, batch)
        return [finish_map(m, size) for m, size in zip(raw.maps, batch.sizes)], raw.outputs


class BaseCAM(Explainer):
    """Class activation maps: a weighted sum of the target layer's channels."""

    needs_gradients: ClassVar[bool] = True
    uses_gradients: ClassVar[bool] = True  # False: a forward pass is enough

    def compute_maps(self, model: ExplainModel, batch: ExplainBatch) -> RawMaps:
        run = model.cam.gradients if self.uses_gradients else model.cam.forward
        tensors = run(batch.images, batch.meta, batch.columns, batch.signs)
        weights = self.weights(tensors, model, batch)
        if weights.ndim == 2:  # per-channel weights
            weights = weights[:, None, None, :]
        maps = np.maximum((weights * tensors.activations).sum(axis=-1), 0.0)
        return RawMaps(maps, tensors.outputs)

    @abstractmethod
    def weights(self, tensors: Any, model: ExplainModel, batch: ExplainBatch) -> np.ndarray:
        """Weights of the activations: N×C per channel, or N×h×w×C per element.

        Args:
            tensors: a :class:`~.cam_model.CamTensors` with activations (and gradients).
            model: the model, for methods that run it again (Score-CAM).
            batch: the batch being explained.
        """
