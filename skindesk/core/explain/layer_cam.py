"""LayerCAM (Jiang et al., IEEE TIP 2021): every activation weighted by its own gradient.

Unlike Grad-CAM's one weight per channel, each position keeps its own
positive gradient, so the map stays sharp where the evidence is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skindesk.core.explain.base import BaseCAM, ExplainBatch, ExplainModel


class LayerCAM(BaseCAM):
    """Element-wise weights: the positive part of the gradient."""

    method_id = "layercam"
    name = "LayerCAM"

    def weights(self, tensors: Any, model: ExplainModel, batch: ExplainBatch) -> np.ndarray:
        return np.maximum(tensors.gradients, 0.0)
