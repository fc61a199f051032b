"""Small image operations behind :mod:`skindesk.core.segmentation`.

Every function works on the downscaled working image (about 256 px on the
long side), so the kernel sizes below are in working-image pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_SIZE = 256  # long side of the working image, in pixels

_HAIR_KERNEL = 11  # wider than a hair, narrower than most lesions
_HAIR_CONTRAST = 12  # black-hat response (grey levels) that counts as hair
_FRAME_RELATIVE_DARKNESS = 0.5  # frame pixels are < half the bright skin level
_FRAME_GROW = 0.03  # also drop the dim rim next to the frame (fraction of size)


def to_working_size(rgb: np.ndarray) -> np.ndarray:
    """Resize so the long side is :data:`WORK_SIZE` px, keeping the aspect ratio."""
    height, width = rgb.shape[:2]
    scale = WORK_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(rgb, size, interpolation=interpolation)


def hair_mask(rgb: np.ndarray) -> np.ndarray:
    """Thin dark lines (hairs, ruler marks) as a bool mask, by black-hat filtering."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_HAIR_KERNEL, _HAIR_KERNEL))
    blackhat = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel)
    mask = (blackhat > _HAIR_CONTRAST).astype(np.uint8)
    # Hair edges are soft; widening the mask keeps their halo out of the inpainting source.
    return np.asarray(cv2.dilate(mask, np.ones((3, 3), np.uint8))).astype(bool)


def remove_hair(rgb: np.ndarray) -> np.ndarray:
    """The image with hairs painted over from their surroundings (Telea inpainting)."""
    mask = hair_mask(rgb)
    if not mask.any():
        return rgb
    return cv2.inpaint(rgb, mask.astype(np.uint8), 3, cv2.INPAINT_TELEA)


def channel_max(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel maximum over the three channels: ``rgb.max(axis=2)``, about 10× faster.

    NumPy reduces a length-3 last axis slowly; element-wise maxima of the
    channel planes do not (this runs on every image of a batch scan).
    """
    return np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])


def channel_min(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel minimum over the three channels: ``rgb.min(axis=2)``, faster (as :func:`channel_max`)."""
    return np.minimum(np.minimum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])


def frame_mask(rgb: np.ndarray) -> np.ndarray:
    """The dark dermatoscope frame (corners outside the round field of view).

    Frame pixels are much darker than the bright skin level and connected to
    an image corner; a dark lesion in the middle is never connected to one.
    """
    brightness = cv2.GaussianBlur(channel_max(rgb).astype(np.float32), (0, 0), 2)
    dark = (brightness < _FRAME_RELATIVE_DARKNESS * np.percentile(brightness, 95))
    count, labels = cv2.connectedComponents(dark.astype(np.uint8))
    if count <= 1:
        return np.zeros(dark.shape, bool)
    height, width = dark.shape
    k = max(2, round(0.05 * min(height, width)))
    corners = np.concatenate(
        [labels[:k, :k].ravel(), labels[:k, -k:].ravel(),
         labels[-k:, :k].ravel(), labels[-k:, -k:].ravel()]
    )
    ids = np.unique(corners[corners > 0])
    mask = np.isin(labels, ids)
    if not mask.any():
        return mask
    grow = 2 * round(_FRAME_GROW * max(height, width)) + 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow))
    return np.asarray(cv2.dilate(mask.astype(np.uint8), disc)).astype(bool)


def lesion_feature(rgb: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, float]:
    """HSV saturation, smoothed and robustly standardised over the field of view.

    Pigmented and vascular lesions are more saturated than the skin around
    them, and saturation (unlike brightness) is unaffected by the uneven
    illumination of many dermatoscopes. Returns the feature (higher = more
    lesion-like, in units of the skin's interquartile range, at least 2 grey
    levels) and the 1-99 % range of raw saturation, which is small for flat images.
    """
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    saturation = cv2.GaussianBlur(hsv[..., 1].astype(np.float32), (0, 0), 2)
    values = saturation[valid]
    q1, q25, q50, q75, q99 = np.percentile(values, [1, 25, 50, 75, 99])
    return (saturation - q50) / max(float(q75 - q25), 2.0), float(q99 - q1)


def centre_weights(shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Gaussian weights around the image centre; distances in half-widths/heights."""
    height, width = shape
    yy, xx = np.mgrid[0:height, 0:width]
    r2 = ((xx - width / 2) / (width / 2)) ** 2 + ((yy - height / 2) / (height / 2)) ** 2
    return np.exp(-r2 / (2 * sigma**2))


def weighted_otsu(values: np.ndarray, weights: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold on a weighted histogram of ``values`` (0.5-99.5 % range kept)."""
    low, high = np.percentile(values, [0.5, 99.5])
    if high <= low:
        return float(low)
    hist, edges = np.histogram(np.clip(values, low, high), bins, (low, high), weights=weights)
    p = hist / max(hist.sum(), 1e-12)
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(bins))
    between = (mu[-1] * omega - mu) ** 2 / (omega * (1 - omega) + 1e-12)
    return float(edges[int(np.argmax(between)) + 1])


def clean_binary(binary: np.ndarray, size: int = 7) -> np.ndarray:
    """Opening then closing with a disc: drops specks, bridges small gaps."""
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    out = cv2.morphologyEx(binary.astype(np.uint8), cv2.MORPH_OPEN, disc)
    return cv2.morphologyEx(out, cv2.MORPH_CLOSE, disc).astype(bool)


def central_component(binary: np.ndarray, min_fraction: float = 0.002) -> np.ndarray | None:
    """The connected component with the largest centre-weighted mass, holes filled.

    Each pixel counts ``exp(-r^2 / 0.3^2)`` with ``r`` its distance from the
    centre in image widths/heights: a lesion near the centre beats a larger
    patch of shaded skin along the edge. ``None`` when no component is at
    least ``min_fraction`` of the image.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        binary.astype(np.uint8), connectivity=8
    )
    if count <= 1:
        return None
    height, width = binary.shape
    yy, xx = np.mgrid[0:height, 0:width]
    r2 = ((xx - width / 2) / width) ** 2 + ((yy - height / 2) / height) ** 2
    mass = np.bincount(labels.ravel(), weights=np.exp(-r2 / 0.3**2).ravel(), minlength=count)
    mass[0] = 0  # background
    mass[stats[:, cv2.CC_STAT_AREA] < min_fraction * height * width] = 0
    if not mass.max() > 0:
        return None
    return fill_holes(labels == int(np.argmax(mass)))


def fill_holes(region: np.ndarray) -> np.ndarray:
    """A connected region with its holes filled (everything inside its outline)."""
    contours, _ = cv2.findContours(
        region.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    filled = np.zeros(region.shape, np.uint8)
    cv2.drawContours(filled, contours, -1, 1, thickness=cv2.FILLED)
    return filled.astype(bool) | region


def box_of(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of a mask's pixels; right/bottom exclusive."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1
