"""Contrast enhancement: CLAHE on the lightness channel of CIE Lab.

Equalising only L stretches local contrast (pigment network, borders)
without shifting hue, which matters because colour is diagnostic.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import cv2
import numpy as np

from skindesk.core.preprocess.base import Step, register_step


@register_step
@dataclasses.dataclass(kw_only=True)
class Clahe(Step):
    """Contrast-limited adaptive histogram equalisation of Lab lightness.

    Attributes:
        clip_limit: Contrast limit per tile; 1 is almost no change, 2 mild, 4 strong.
        tile_grid: Number of tiles along each side of the image.
    """

    type_name: ClassVar[str] = "clahe"
    label: ClassVar[str] = "CLAHE"

    clip_limit: float = 2.0
    tile_grid: int = 8

    def validate(self) -> None:
        self.check_range("clip_limit", 0.1, 40.0)
        self.check_range("tile_grid", 1, 64)

    @property
    def summary(self) -> str:
        return f"{self.label} (clip {self.clip_limit:.1f})"

    def apply(self, image: np.ndarray) -> np.ndarray:
        lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
        clahe = cv2.createCLAHE(self.clip_limit, (self.tile_grid, self.tile_grid))
        lab[..., 0] = clahe.apply(np.ascontiguousarray(lab[..., 0]))
        return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
