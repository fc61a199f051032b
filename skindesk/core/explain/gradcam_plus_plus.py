"""Grad-CAM++ (Chattopadhyay et al., WACV 2018): better maps for several objects.

Uses the paper's closed form for an exponential of the class score, in
which second and third derivatives are powers of the first, so one
backward pass suffices (as in pytorch-grad-cam).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skindesk.core.explain.base import BaseCAM, ExplainBatch, ExplainModel

_EPSILON = 1e-7


class GradCAMPlusPlus(BaseCAM):
    """Channel weights from positive gradients, each pixel weighted by alpha."""

    method_id = "gradcam++"
    name = "Grad-CAM++"

    def weights(self, tensors: Any, model: ExplainModel, batch: ExplainBatch) -> np.ndarray:
        grads = tensors.gradients.astype(np.float64)  # cubes of small gradients underflow
        squared = grads**2
        activation_sums = tensors.activations.sum(axis=(1, 2), keepdims=True)
        alpha = squared / (2 * squared + activation_sums * squared * grads + _EPSILON)
        alpha = np.where(grads != 0, alpha, 0.0)
        return (np.maximum(grads, 0) * alpha).sum(axis=(1, 2)).astype(np.float32)
