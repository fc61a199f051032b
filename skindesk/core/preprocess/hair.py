"""DullRazor-style hair removal: find thin hairs with morphology, inpaint them.

Black-hat (closing minus image) with a cross-shaped kernel responds to dark
structures thinner than the kernel in any orientation, so dark hairs light
up while lesions, which are much wider, do not. Top-hat does the same for
light (grey or white) hairs. The thresholded, slightly dilated response is
the hair mask that ``cv2.inpaint`` fills from the surrounding skin.
Reference: Lee T. et al., "DullRazor", Comput. Biol. Med. 27(6), 1997.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import cv2
import numpy as np

from skindesk.core.preprocess.base import Step, register_step

_INPAINT_FLAGS = {"telea": cv2.INPAINT_TELEA, "ns": cv2.INPAINT_NS}
# A hair is many times longer than it is wide; see _keep_elongated.
_MIN_ELONGATION = 8.0


@register_step
@dataclasses.dataclass(kw_only=True)
class HairRemoval(Step):
    """Remove dark and/or light hairs by morphological detection and inpainting.

    Attributes:
        hair: Which hairs to remove: ``"dark"``, ``"light"`` or ``"both"``.
        kernel_size: Size in pixels of the cross kernel; structures thinner
            than about half of it count as hair. 0 = auto, about 4% of the
            image's shorter side (7 px at 200×150, 31 px at 1024×768).
        threshold: Minimum black-hat/top-hat response (grey levels) for a
            pixel to count as hair.
        min_length: Keep only long, thin mask parts at least this long (as
            a fraction of the shorter side), so lesion dots, globules and
            pigment network, which are not hairs, are not inpainted. 0 keeps all.
        dilate: Grow the mask by this many pixels to cover hair edges.
        inpaint_method: ``"telea"`` or ``"ns"`` (Navier-Stokes).
        inpaint_radius: Neighbourhood radius of the inpainting, in pixels.
    """

    type_name: ClassVar[str] = "hair_removal"
    label: ClassVar[str] = "hair removal"
    choices: ClassVar[dict[str, tuple[str, ...]]] = {
        "hair": ("dark", "light", "both"),
        "inpaint_method": tuple(_INPAINT_FLAGS),
    }

    hair: str = "dark"
    kernel_size: int = 0
    threshold: float = 12.0
    min_length: float = 0.1
    dilate: int = 1
    inpaint_method: str = "telea"
    inpaint_radius: float = 3.0

    def validate(self) -> None:
        self.check_choice("hair")
        self.check_choice("inpaint_method")
        if self.kernel_size != 0:
            self.check_range("kernel_size", 3, 101)
        self.check_range("threshold", 0, 255)
        self.check_range("min_length", 0.0, 1.0)
        self.check_range("dilate", 0, 50)
        self.check_range("inpaint_radius", 1, 50)

    @property
    def summary(self) -> str:
        return f"{self.label} ({self.hair})"

    def hair_mask(self, image: np.ndarray) -> np.ndarray:
        """The uint8 mask (255 = hair) that :meth:`apply` inpaints."""
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        # A light blur keeps sensor noise and JPEG blocks out of the response.
        gray = cv2.GaussianBlur(gray, (3, 3), 0)
        size = self.kernel_size or _auto_kernel_size(gray.shape)
        kernel = cv2.getStructuringElement(cv2.MORPH_CROSS, (size, size))
        response = np.zeros_like(gray)
        if self.hair in ("dark", "both"):
            response = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel)
        if self.hair in ("light", "both"):
            response = cv2.max(response, cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, kernel))
        mask: np.ndarray = (response > self.threshold).astype(np.uint8) * 255
        if self.min_length > 0:
            mask = _keep_elongated(mask, self.min_length * min(gray.shape))
        if self.dilate:
            size = 2 * self.dilate + 1
            grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
            mask = cv2.dilate(mask, grow)
        return mask

    def apply(self, image: np.ndarray) -> np.ndarray:
        mask = self.hair_mask(image)
        if not mask.any():
            return image.copy()
        flags = _INPAINT_FLAGS[self.inpaint_method]
        return cv2.inpaint(image, mask, self.inpaint_radius, flags)


def _auto_kernel_size(shape: tuple[int, ...]) -> int:
    return max(5, int(0.04 * min(shape[:2])) | 1)


def _keep_elongated(mask: np.ndarray, min_length: float) -> np.ndarray:
    """Drop mask components that are short or compact (dots, blobs, network meshes)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    width = stats[:, cv2.CC_STAT_WIDTH].astype(np.float64)
    height = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    length = np.hypot(width, height)  # the bounding-box diagonal, about a hair's length
    # length² / area is length / mean width: large for a hair, about 2 for a blob.
    elongation = length**2 / np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    keep = (length >= min_length) & (elongation >= _MIN_ELONGATION)
    keep[0] = False  # label 0 is the background
    return (keep[labels] * 255).astype(np.uint8)
