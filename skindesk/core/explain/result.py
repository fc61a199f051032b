"""The result of explaining one image: a heat map plus what it explains."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.explain.overlay import (
    DEFAULT_COLORMAP,
    DEFAULT_OPACITY,
    heatmap_to_uint8,
    render_overlay,
    write_png,
)


@dataclass(frozen=True)
class Explanation:
    """Where the model found evidence for one class in one image.

    Attributes:
        heatmap: H×W float32 in 0..1 at the original image's size (1 = strongest).
        method: the method's registry id (``"gradcam"``...).
        method_name: its readable name (``"Grad-CAM"``...).
        class_id: the explained class (a card class id).
        class_index: its position in the card's classes.
        probability: the model's probability for that class.
        peak: [x, y] of the heat map's maximum, in original image pixels.
        layer: the target layer's slash path; None for occlusion.
        model_id: the model explained.
    """

    heatmap: np.ndarray
    method: str
    method_name: str
    class_id: str
    class_index: int
    probability: float
    peak: tuple[int, int]
    layer: str | None = None
    model_id: str = ""

    def overlay(
        self, rgb: np.ndarray, colormap: str = DEFAULT_COLORMAP, opacity: float = DEFAULT_OPACITY
    ) -> np.ndarray:
        """The heat map blended over the original RGB uint8 image (see :func:`render_overlay`)."""
        return render_overlay(rgb, self.heatmap, colormap, opacity)

    def heatmap_uint8(self) -> np.ndarray:
        """The heat map as an 8-bit grayscale array (0..255)."""
        return heatmap_to_uint8(self.heatmap)

    def save_heatmap(self, path: str | os.PathLike[str]) -> Path:
        """Write the raw heat map as an 8-bit grayscale PNG."""
        return write_png(path, self.heatmap_uint8())

    def save_overlay(
        self,
        path: str | os.PathLike[str],
        rgb: np.ndarray,
        colormap: str = DEFAULT_COLORMAP,
        opacity: float = DEFAULT_OPACITY,
    ) -> Path:
        """Write the overlay on ``rgb`` as an RGB PNG."""
        return write_png(path, self.overlay(rgb, colormap, opacity))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the heat map's pixels)."""
        height, width = self.heatmap.shape
        return {
            "method": self.method,
            "method_name": self.method_name,
            "class": self.class_id,
            "class_index": self.class_index,
            "probability": round(self.probability, 6),
            "peak": list(self.peak),
            "layer": self.layer,
            "model": self.model_id,
            "size": [width, height],
        }
