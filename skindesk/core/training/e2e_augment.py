"""The ``strong`` image-side augmentation of end-to-end training (NumPy and OpenCV).

Clinics differ in framing, focus, resolution, illuminant and what lies on
the skin. Before an image is resized for the network, ``strong`` applies,
each independently at random: a random resized crop (as in ImageNet
training: 35–100% of the area, aspect 3:4 to 4:3), a Gaussian blur, a
low-resolution round trip through 84 pixels (the ISIC 2019 copies'
resolution), Shades-of-Gray colour constancy (as an augmentation, so the
model sees both casts and corrected colours), and simulated hair, marker
ink and rulers (:mod:`.artefacts`). The batch-level flips, turns, rotations
and colour jitter of :mod:`.e2e_data` follow as for ``standard``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from skindesk.core.preprocess.color import ShadesOfGray
from skindesk.core.training.artefacts import add_artefacts

LOW_RESOLUTION = 84
CROP_AREA = (0.35, 1.0)
CROP_ASPECT = (3 / 4, 4 / 3)
# How often each step is applied (independently).
P_CROP, P_BLUR, P_LOW_RES, P_CONSTANCY, P_ARTEFACTS = 0.8, 0.2, 0.15, 0.2, 0.3


def random_resized_crop(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A crop of 35–100% of the image's area at aspect 3:4 to 4:3 (the whole image if none fits)."""
    height, width = rgb.shape[:2]
    for _ in range(10):
        area = height * width * rng.uniform(*CROP_AREA)
        aspect = math.exp(rng.uniform(math.log(CROP_ASPECT[0]), math.log(CROP_ASPECT[1])))
        w, h = round(math.sqrt(area * aspect)), round(math.sqrt(area / aspect))
        if 0 < w <= width and 0 < h <= height:
            top, left = int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1))
            return rgb[top:top + h, left:left + w]
    return rgb


def blur(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gaussian blur of 0.5–2% of the shorter side (a slightly defocused dermatoscope)."""
    sigma = max(0.5, min(rgb.shape[:2]) * rng.uniform(0.005, 0.02))
    return np.asarray(cv2.GaussianBlur(rgb, (0, 0), sigma))


def low_resolution(rgb: np.ndarray) -> np.ndarray:
    """Down to 84 pixels on the longer side and back up (as the ISIC 2019 copies were made)."""
    height, width = rgb.shape[:2]
    scale = LOW_RESOLUTION / max(height, width)
    if scale >= 1:
        return rgb
    small = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
                       interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR))


def strong_augment(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random draw of the ``strong`` steps on an H×W×3 uint8 image (uint8 out)."""
    out = np.ascontiguousarray(rgb)
    if rng.random() < P_CROP:
        out = np.ascontiguousarray(random_resized_crop(out, rng))
    if rng.random() < P_CONSTANCY:
        out = ShadesOfGray().apply(out)
    if rng.random() < P_ARTEFACTS:
        out = add_artefacts(out, rng)
    if rng.random() < P_BLUR:
        out = blur(out, rng)
    if rng.random() < P_LOW_RES:
        out = low_resolution(out)
    return out
