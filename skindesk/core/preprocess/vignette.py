"""Black-corner masking for images taken through a round dermatoscope lens.

Many dermoscopy images show the lens as a bright disc with black corners.
Those corners say nothing about the lesion yet dominate colour statistics
(Shades of Gray) and can steer a model, so this step finds the dark region
connected to the image corners, fits the lens circle to its inner edge and
fills everything outside the circle with the skin colour just inside it.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import cv2
import numpy as np

from skindesk.core.preprocess.base import Step, register_step

# Fraction of a corner patch that must be dark for the corner to count.
_DARK_CORNER_FRACTION = 0.8
# cv2.circle takes fixed-point coordinates; 4 bits = 1/16-pixel precision.
_SUBPIXEL_BITS = 4
# Longest side of the working copy that detection and filling run on.
_WORK_SIDE = 400


@register_step
@dataclasses.dataclass(kw_only=True)
class BlackCornerMask(Step):
    """Fill the black outside of a dermatoscope circle; no-op without dark corners.

    Lengths are fractions of the image's shorter side, so one setting works
    at any resolution.

    Attributes:
        dark_threshold: Grey level below which a pixel counts as border.
        min_dark_corners: How many of the four corners must be dark (1-4).
        margin: Move the detected edge this far inwards, over the soft rim.
        ring: Width of the ring inside the edge whose mean colour fills the outside.
        feather: Blend width at the edge, so no sharp artificial circle remains.
        fill: ``"mean"`` (ring colour; fast) or ``"inpaint"`` (slower, textured).
    """

    type_name: ClassVar[str] = "black_corner_mask"
    label: ClassVar[str] = "black-corner masking"
    choices: ClassVar[dict[str, tuple[str, ...]]] = {"fill": ("mean", "inpaint")}

    dark_threshold: float = 40.0
    min_dark_corners: int = 2
    margin: float = 0.05
    ring: float = 0.05
    feather: float = 0.02
    fill: str = "mean"

    def validate(self) -> None:
        self.check_range("dark_threshold", 1.0, 254.0)
        self.check_range("min_dark_corners", 1, 4)
        for name in ("margin", "ring", "feather"):
            self.check_range(name, 0.0, 0.5)
        self.check_choice("fill")

    @property
    def summary(self) -> str:
        return self.label

    def outside_mask(self, image: np.ndarray) -> np.ndarray | None:
        """Boolean mask of the area to fill, or None when there are no dark corners."""
        gray = cv2.medianBlur(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), 5)
        dark = (gray < self.dark_threshold).astype(np.uint8)
        side = min(gray.shape)
        seeds = _dark_corner_seeds(dark, max(2, round(0.04 * side)))
        if len(seeds) < self.min_dark_corners:
            return None
        count, labels = cv2.connectedComponents(dark, connectivity=8)
        corner_labels = np.zeros(count, dtype=bool)
        corner_labels[[labels[y, x] for y, x in seeds]] = True
        region = corner_labels[labels]
        circle = _fit_circle(_inner_edge_points(region), gray.shape)
        if circle is None:
            # Not a circle (e.g. a square frame): mask the dark region itself.
            return _distance_to(region) <= _pixels(self.margin, side)
        cx, cy, radius = circle
        inside = np.zeros(gray.shape, dtype=np.uint8)
        scale = 1 << _SUBPIXEL_BITS
        centre = (round(cx * scale), round(cy * scale))
        edge = max(1, round((radius - _pixels(self.margin, side)) * scale))
        cv2.circle(inside, centre, edge, 1, thickness=-1, shift=_SUBPIXEL_BITS)
        return inside == 0

    def apply(self, image: np.ndarray) -> np.ndarray:
        # Detection and fill work on a copy at most _WORK_SIDE pixels wide:
        # the rim is smooth, so this loses nothing and keeps large images fast.
        height, width = image.shape[:2]
        scale = min(1.0, _WORK_SIDE / max(height, width))
        small = (
            image
            if scale == 1
            else cv2.resize(
                image,
                (max(1, round(width * scale)), max(1, round(height * scale))),
                interpolation=cv2.INTER_AREA,
            )
        )
        mask = self.outside_mask(small)
        if mask is None or not mask.any() or mask.all():
            return image.copy()
        side = min(small.shape[:2])
        distance = _distance_to(mask)
        if self.fill == "inpaint":
            filled = cv2.inpaint(small, mask.astype(np.uint8) * 255, 5, cv2.INPAINT_TELEA)
        else:
            filled = np.empty_like(small)
            filled[:] = self._ring_colour(small, mask, distance, side)
        weight: np.ndarray = np.clip(1.0 - distance / (_pixels(self.feather, side) + 1), 0.0, 1.0)
        if scale != 1:
            filled = cv2.resize(filled, (width, height), interpolation=cv2.INTER_LINEAR)
            weight = cv2.resize(weight, (width, height), interpolation=cv2.INTER_LINEAR)
        weight = weight.astype(np.float32)
        return cv2.blendLinear(filled, image, weight, 1.0 - weight)

    def _ring_colour(
        self, image: np.ndarray, mask: np.ndarray, distance: np.ndarray, side: int
    ) -> np.ndarray:
        ring = ~mask & (distance <= max(1, _pixels(self.ring, side)))
        if not ring.any():
            ring = ~mask
        pixels = image[ring]
        # The rim's shadow, hairs and lesion edges are all darker than skin;
        # the brighter half of the ring is the skin colour the eye expects.
        luminance = pixels.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        skin = pixels[luminance >= np.median(luminance)]
        return np.rint(skin.mean(axis=0)).astype(np.uint8)


def _pixels(fraction: float, side: int) -> int:
    return round(fraction * side)


def _distance_to(mask: np.ndarray) -> np.ndarray:
    """Euclidean distance of every pixel to the nearest ``mask`` pixel (0 inside it)."""
    # A distance transform costs the same for any width, unlike a large dilation.
    return cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 5)


def _dark_corner_seeds(dark: np.ndarray, patch: int) -> list[tuple[int, int]]:
    """One (y, x) dark pixel for each corner whose patch is mostly dark."""
    height, width = dark.shape
    seeds = []
    for top, left in (
        (0, 0),
        (0, width - patch),
        (height - patch, 0),
        (height - patch, width - patch),
    ):
        window = dark[top : top + patch, left : left + patch]
        if window.mean() >= _DARK_CORNER_FRACTION:
            y, x = np.argwhere(window)[0]
            seeds.append((top + int(y), left + int(x)))
    return seeds


def _inner_edge_points(region: np.ndarray) -> np.ndarray:
    """(x, y) of region pixels next to the bright inside, not on the image border."""
    inside = (~region).astype(np.uint8)
    touching = cv2.dilate(inside, np.ones((3, 3), np.uint8)).astype(bool) & region
    touching[[0, -1], :] = False
    touching[:, [0, -1]] = False
    ys, xs = np.nonzero(touching)
    return np.column_stack([xs, ys]).astype(np.float64)


def _fit_circle(points: np.ndarray, shape: tuple[int, ...]) -> tuple[float, float, float] | None:
    """Robust least-squares (Kåsa) circle through ``points``; None if not circle-like.

    Points far from the first fit (say a dark lesion touching the rim) are
    dropped and the circle refitted.
    """
    side = min(shape[:2])
    for _ in range(3):
        if len(points) < 10:
            return None
        design = np.column_stack([points, np.ones(len(points))])
        target = (points**2).sum(axis=1)
        (a, b, c), *_ = np.linalg.lstsq(design, target, rcond=None)
        cx, cy = a / 2, b / 2
        radius = float(np.sqrt(max(c + cx**2 + cy**2, 0.0)))
        residual = np.abs(np.hypot(points[:, 0] - cx, points[:, 1] - cy) - radius)
        points = points[residual <= max(2.0, 2.5 * float(np.median(residual)))]
    plausible = 0 <= cx < shape[1] and 0 <= cy < shape[0] and radius >= 0.3 * side
    return (cx, cy, radius) if plausible and np.median(residual) < 0.02 * side else None
