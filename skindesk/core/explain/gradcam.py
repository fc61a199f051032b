"""Grad-CAM (Selvaraju et al., ICCV 2017): channels weighted by their mean gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from skindesk.core.explain.base import BaseCAM, ExplainBatch, ExplainModel


class GradCAM(BaseCAM):
    """Each channel's weight is the spatial mean of the class score's gradient."""

    method_id = "gradcam"
    name = "Grad-CAM"

    def weights(self, tensors: Any, model: ExplainModel, batch: ExplainBatch) -> np.ndarray:
        return tensors.gradients.mean(axis=(1, 2))
