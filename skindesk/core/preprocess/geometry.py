"""Geometric steps: resize to a target size and centre crop to an aspect ratio."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import cv2
import numpy as np

from skindesk.core.preprocess.base import Step, register_step

INTERPOLATIONS = {
    "area": cv2.INTER_AREA,
    "linear": cv2.INTER_LINEAR,
    "cubic": cv2.INTER_CUBIC,
    "lanczos": cv2.INTER_LANCZOS4,
    "nearest": cv2.INTER_NEAREST,
}


@register_step
@dataclasses.dataclass(kw_only=True)
class Resize(Step):
    """Resize to exactly ``width`` × ``height`` pixels (no aspect correction).

    Put a :class:`CenterCrop` before it to avoid squashing the image.

    Attributes:
        width: Target width in pixels.
        height: Target height in pixels.
        interpolation: ``"auto"`` (area when shrinking, cubic when enlarging),
            or one of ``area``, ``linear``, ``cubic``, ``lanczos``, ``nearest``.
    """

    type_name: ClassVar[str] = "resize"
    label: ClassVar[str] = "resize"
    choices: ClassVar[dict[str, tuple[str, ...]]] = {
        "interpolation": ("auto", *INTERPOLATIONS),
    }

    width: int = 224
    height: int = 224
    interpolation: str = "auto"

    def validate(self) -> None:
        self.check_range("width", 1, 16384)
        self.check_range("height", 1, 16384)
        self.check_choice("interpolation")

    @property
    def summary(self) -> str:
        return f"{self.label} ({self.width}×{self.height})"

    def apply(self, image: np.ndarray) -> np.ndarray:
        if image.shape[:2] == (self.height, self.width):
            return image.copy()
        name = self.interpolation
        if name == "auto":
            # Area averaging avoids aliasing when shrinking; it blurs when enlarging.
            shrinking = self.width * self.height < image.shape[0] * image.shape[1]
            name = "area" if shrinking else "cubic"
        return cv2.resize(image, (self.width, self.height), interpolation=INTERPOLATIONS[name])


@register_step
@dataclasses.dataclass(kw_only=True)
class CenterCrop(Step):
    """Crop the largest centred region with the given aspect ratio.

    Attributes:
        aspect: Width divided by height of the result; 1.0 gives a square.
        scale: Fraction of that largest region to keep (1.0 keeps all of it;
            0.8 zooms in on the centre).
    """

    type_name: ClassVar[str] = "center_crop"
    label: ClassVar[str] = "centre crop"

    aspect: float = 1.0
    scale: float = 1.0

    def validate(self) -> None:
        self.check_range("aspect", 0.01, 100.0)
        self.check_range("scale", 0.01, 1.0)

    @property
    def summary(self) -> str:
        zoom = f", {self.scale:.0%}" if self.scale != 1 else ""
        return f"{self.label} ({self.aspect:g}:1{zoom})"

    def apply(self, image: np.ndarray) -> np.ndarray:
        height, width = image.shape[:2]
        crop_w = min(width, height * self.aspect)
        crop_h = crop_w / self.aspect
        crop_w = max(1, round(crop_w * self.scale))
        crop_h = max(1, round(crop_h * self.scale))
        top = (height - crop_h) // 2
        left = (width - crop_w) // 2
        return image[top : top + crop_h, left : left + crop_w].copy()
