"""Colour constancy: Shades of Gray (Finlayson & Trezzi 2004).

The illuminant is estimated per channel as the Minkowski p-norm mean of the
pixel values: p=1 is Gray World, larger p weighs bright pixels more, and
p=inf is max-RGB (White Patch). Each channel is then scaled so the estimate
becomes neutral. Barata et al. (2015) found p=6 works well for dermoscopy.
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

import cv2
import numpy as np

from skindesk.core.preprocess.base import Step, register_step

_VALUES = np.arange(256, dtype=np.float64)


@register_step
@dataclasses.dataclass(kw_only=True)
class ShadesOfGray(Step):
    """Shades of Gray colour constancy.

    Attributes:
        p: Minkowski norm; 1 = Gray World, ``math.inf`` (``"inf"`` in JSON)
            = max-RGB. 6 is the usual choice for dermoscopy.
    """

    type_name: ClassVar[str] = "shades_of_gray"
    label: ClassVar[str] = "shades of gray"

    p: float = 6.0

    def validate(self) -> None:
        self.check_range("p", 1.0)

    @property
    def summary(self) -> str:
        if math.isinf(self.p):
            return "max-RGB"
        if self.p == 1:
            return "gray world"
        return f"{self.label} (p={self.p:g})"

    def illuminant(self, image: np.ndarray) -> np.ndarray:
        """The per-channel illuminant estimate (R, G, B) in grey levels."""
        estimate = np.empty(3)
        for channel in range(3):
            # A 256-bin histogram makes the p-norm exact and far cheaper than
            # raising every pixel to the power p.
            counts = np.bincount(image[..., channel].ravel(), minlength=256)
            if math.isinf(self.p):
                estimate[channel] = np.flatnonzero(counts).max()
            else:
                # Scale to 0..1 first so that v**p cannot overflow for large p.
                moment = counts @ (_VALUES / 255.0) ** self.p / counts.sum()
                estimate[channel] = 255.0 * moment ** (1.0 / self.p)
        return estimate

    def gains(self, image: np.ndarray) -> np.ndarray:
        """Per-channel gains; their illuminant-weighted mean is 1 (brightness kept)."""
        estimate = self.illuminant(image)
        if estimate.min() <= 1e-6:
            # A channel with no signal cannot be balanced; leave colours alone.
            return np.ones(3)
        return estimate.mean() / estimate

    def apply(self, image: np.ndarray) -> np.ndarray:
        lut = np.clip(np.rint(_VALUES[:, None] * self.gains(image)[None, :]), 0, 255)
        # One 256×1×3 table maps each channel through its own gain in one pass.
        return cv2.LUT(image, lut.astype(np.uint8).reshape(256, 1, 3))
