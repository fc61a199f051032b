"""Noise reduction: non-local means, bilateral or median filtering.

Non-local means preserves fine texture best but is by far the slowest
(about 3 s for a 1024×768 image on two cores with the default 7/21 windows,
about 1 s with 5/11), so the standard preset uses the bilateral filter,
which takes a few tens of milliseconds; see ``bench/bench_preprocess.py``.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import cv2
import numpy as np

from skindesk.core.preprocess.base import Step, register_step


@register_step
@dataclasses.dataclass(kw_only=True)
class Denoise(Step):
    """Edge-preserving denoising with a choice of method.

    Attributes:
        method: ``"nlmeans"``, ``"bilateral"`` or ``"median"``.
        h: NL-means filter strength for luminance (higher removes more).
        h_color: NL-means filter strength for colour.
        template_window: NL-means patch size (odd).
        search_window: NL-means search area size (odd); time grows with its square.
        diameter: Bilateral neighbourhood diameter in pixels.
        sigma_color: Bilateral range sigma in grey levels.
        sigma_space: Bilateral spatial sigma in pixels.
        median_size: Median aperture (odd).
    """

    type_name: ClassVar[str] = "denoise"
    label: ClassVar[str] = "denoise"
    choices: ClassVar[dict[str, tuple[str, ...]]] = {
        "method": ("nlmeans", "bilateral", "median"),
    }

    method: str = "nlmeans"
    h: float = 5.0
    h_color: float = 5.0
    template_window: int = 7
    search_window: int = 21
    diameter: int = 7
    sigma_color: float = 30.0
    sigma_space: float = 5.0
    median_size: int = 3

    def validate(self) -> None:
        self.check_choice("method")
        for name in ("h", "h_color", "sigma_color", "sigma_space"):
            self.check_range(name, 0.0, 1000.0)
        self.check_range("diameter", 1, 51)
        for name in ("template_window", "search_window", "median_size"):
            self.check_range(name, 1, 101)
            if getattr(self, name) % 2 == 0:
                self.fail(f"{name} must be odd; got {getattr(self, name)}")

    @property
    def summary(self) -> str:
        if self.method == "nlmeans":
            return f"NL-means (h={self.h:g})"
        if self.method == "bilateral":
            return f"bilateral filter (d={self.diameter})"
        return f"median filter ({self.median_size}×{self.median_size})"

    def apply(self, image: np.ndarray) -> np.ndarray:
        if self.method == "nlmeans":
            return cv2.fastNlMeansDenoisingColored(
                image, None, self.h, self.h_color, self.template_window, self.search_window
            )
        if self.method == "bilateral":
            return cv2.bilateralFilter(image, self.diameter, self.sigma_color, self.sigma_space)
        return cv2.medianBlur(image, self.median_size)
