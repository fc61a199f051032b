"""Synthetic dermoscopy-like images with a known lesion outline, for tests."""

from __future__ import annotations

import cv2
import numpy as np

SKIN = (226, 172, 150)
LESION = (122, 72, 52)
HAIR = (45, 32, 28)


def ellipse_mask(height: int, width: int, centre: tuple[float, float] | None = None,
                 axes: tuple[float, float] | None = None, angle: float = 25.0) -> np.ndarray:
    """A filled ellipse as a 0/255 mask; defaults to a centred lesion."""
    centre = centre or (width * 0.5, height * 0.5)
    axes = axes or (width * 0.22, height * 0.18)
    mask = np.zeros((height, width), np.uint8)
    cv2.ellipse(mask, (round(centre[0]), round(centre[1])), (round(axes[0]), round(axes[1])),
                angle, 0, 360, 255, -1)
    return mask


def dermoscopy_like(
    mask: np.ndarray, *, hairs: int = 0, corners: bool = False, noise: float = 4.0,
    seed: int = 0,
) -> np.ndarray:
    """Skin-coloured RGB image with a brown lesion where ``mask`` is set.

    Adds mild uneven illumination, Gaussian noise, optional dark hairs
    crossing the image and optional black dermatoscope corners.
    """
    rng = np.random.default_rng(seed)
    height, width = mask.shape
    shade = 1.0 - 0.08 * (np.arange(width)[None, :] / width)  # uneven illumination, left to right
    soft = cv2.GaussianBlur((mask > 0).astype(np.float32), (0, 0), max(1.0, width / 200))
    skin, lesion = np.array(SKIN, np.float32), np.array(LESION, np.float32)
    image = (skin * (1 - soft[..., None]) + lesion * soft[..., None]) * shade[..., None]
    image += rng.normal(0, noise, image.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    thickness = max(1, round(width / 160))
    for _ in range(hairs):
        start = (int(rng.integers(0, width)), 0)
        end = (int(rng.integers(0, width)), height - 1)
        cv2.line(image, start, end, HAIR, thickness, cv2.LINE_AA)
    if corners:
        circle = np.zeros((height, width), np.uint8)
        # The round field of view cuts off the four corners, as in many dermatoscopes.
        radius = round(0.45 * np.hypot(width, height))
        cv2.circle(circle, (width // 2, height // 2), radius, 1, -1)
        image[circle == 0] = (8, 6, 6)
    return image


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two masks (non-zero = inside)."""
    a, b = a > 0, b > 0
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0
