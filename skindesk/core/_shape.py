"""Shape measurements of a binary lesion mask (helpers of :mod:`.measurements`)."""

from __future__ import annotations

import math

import cv2
import numpy as np

_ASYMMETRY_SIZE = 256  # px; larger lesions are measured at this size


def outer_contour(mask: np.ndarray) -> np.ndarray:
    """The largest outer contour as an (N, 2) float array of x, y pixel centres."""
    contours, _ = cv2.findContours(
        (mask > 0).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    if not contours:
        return np.zeros((0, 2), np.float64)
    return max(contours, key=cv2.contourArea)[:, 0, :].astype(np.float64)


def smoothed_perimeter(contour: np.ndarray, sigma: float = 2.0) -> float:
    """Length of the contour after light Gaussian smoothing along it.

    The raw 8-connected pixel chain overestimates a smooth border by about
    5-8 % (its staircase); smoothing the coordinates over a few pixels
    removes the staircase but keeps real notches wider than ~5 px.
    """
    if len(contour) < 3:
        return float(len(contour))
    if len(contour) > 6 * sigma:
        contour = _smooth_closed(contour, sigma)
    closed = np.vstack([contour, contour[:1]])
    return float(np.hypot(*np.diff(closed, axis=0).T).sum())


def _smooth_closed(points: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing of a closed curve's coordinates (wrapping at the ends)."""
    radius = int(3 * sigma)
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-(offsets**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    padded = np.concatenate([points[-radius:], points, points[:radius]])
    return np.stack(
        [np.convolve(padded[:, axis], kernel, mode="valid") for axis in range(2)], axis=1
    )


def polygon_area(contour: np.ndarray) -> float:
    """Area enclosed by a closed polygon (shoelace formula)."""
    x, y = contour[:, 0], contour[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def max_diameter(contour: np.ndarray) -> float:
    """Largest distance between two border points (maximum Feret diameter), px."""
    if len(contour) < 2:
        return 0.0
    hull = cv2.convexHull(contour.astype(np.float32))[:, 0, :].astype(np.float64)
    diffs = hull[:, None, :] - hull[None, :, :]
    # +1: pixel centres lie half a pixel inside the outline on each side.
    return float(np.sqrt((diffs**2).sum(-1)).max()) + 1.0


def principal_axes(mask: np.ndarray) -> tuple[float, float, float]:
    """Centroid x, y and the major axis angle in radians (image coordinates)."""
    moments = cv2.moments((mask > 0).astype(np.uint8), binaryImage=True)
    if moments["m00"] == 0:
        return 0.0, 0.0, 0.0
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    angle = 0.5 * math.atan2(2 * moments["mu11"], moments["mu20"] - moments["mu02"])
    return cx, cy, angle


def reflection_asymmetry(mask: np.ndarray, cx: float, cy: float, angle: float) -> float:
    """Non-overlapping area after reflecting the mask about a line.

    The line passes through ``(cx, cy)`` at ``angle``. Returns
    ``|M xor M'| / (|M| + |M'|)`` (that is 1 - Dice of mask and mirror image):
    0 for a shape symmetric about the line, 1 for no overlap at all.
    """
    binary = (mask > 0).astype(np.uint8)
    rows, cols = np.flatnonzero(binary.any(1)), np.flatnonzero(binary.any(0))
    if rows.size == 0:
        return 0.0
    extent = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    if extent > _ASYMMETRY_SIZE:
        # The fraction is scale-free: measure a large lesion at ~256 px to save time.
        scale = _ASYMMETRY_SIZE / extent
        box = binary[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32)
        small = cv2.resize(box, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) > 0.5
        return reflection_asymmetry(
            small.astype(np.uint8), (cx - cols[0] + 0.5) * scale - 0.5,
            (cy - rows[0] + 0.5) * scale - 0.5, angle,
        )
    # Work on the lesion's box padded by its own size, so no mirror image
    # falls off the canvas and a large image costs no more than a small one.
    pad = int(max(rows[-1] - rows[0], cols[-1] - cols[0])) + 2
    crop = binary[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    padded = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    centre = np.array([cx - cols[0] + pad, cy - rows[0] + pad])
    c2, s2 = math.cos(2 * angle), math.sin(2 * angle)
    # Reflection about the line through `centre` at `angle`.
    matrix = np.array([[c2, s2, 0.0], [s2, -c2, 0.0]])
    matrix[:, 2] = centre - matrix[:, :2] @ centre
    mirrored = cv2.warpAffine(padded, matrix, padded.shape[::-1], flags=cv2.INTER_NEAREST)
    total = int(padded.sum()) + int(mirrored.sum())
    if total == 0:
        return 0.0
    return float(np.logical_xor(padded, mirrored).sum() / total)


def sector_edge_contrast(
    lightness: np.ndarray, mask: np.ndarray, cx: float, cy: float, sectors: int = 8
) -> list[float]:
    """Lightness step across the border in each pie sector around the centroid.

    For each of ``sectors`` equal angular sectors: median CIELAB L* in a
    band just outside the border minus the median in a band just inside
    (positive when the lesion is darker than the skin). Sectors with no
    band pixels (border on the image edge) give NaN.
    """
    inside = (mask > 0).astype(np.uint8)
    radius = math.sqrt(max(int(inside.sum()), 1) / math.pi)
    width = max(2, round(0.1 * radius))
    # Distance transforms give both bands at any lesion size for the cost of two passes.
    inner = (inside > 0) & (cv2.distanceTransform(inside, cv2.DIST_L2, 3) <= width)
    outer = (inside == 0) & (cv2.distanceTransform(1 - inside, cv2.DIST_L2, 3) <= width)
    ys, xs = np.nonzero(inner | outer)
    angles = np.arctan2(ys - cy, xs - cx) + math.pi
    sector = np.minimum((angles / (2 * math.pi) * sectors).astype(int), sectors - 1)
    values, is_outer = lightness[ys, xs], outer[ys, xs]
    steps = []
    for index in range(sectors):
        here = sector == index
        a, b = values[here & is_outer], values[here & ~is_outer]
        steps.append(float(np.median(a) - np.median(b)) if a.size and b.size else math.nan)
    return steps
