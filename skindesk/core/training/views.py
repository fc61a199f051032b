"""Deterministic augmented views of an image for feature caching.

Each view is a pure function of the image and a seed derived from the file
name, so a cache built twice holds the same numbers and an interrupted
extraction can resume. Views model what differs between clinics: mirror and
rotation, illumination and white balance, blur, the low resolution of
the 84-pixel ISIC 2019 copy, and hair, marker ink and rulers (``artefacts``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import cv2
import numpy as np

from skindesk.core.training.artefacts import add_artefacts

View = Callable[[np.ndarray, np.random.Generator], np.ndarray]

LOW_RES_SIDE = 84


def view_seed(key: str, view: str) -> int:
    """A stable 32-bit seed for one image and view."""
    return int.from_bytes(hashlib.sha256(f"{view}:{key}".encode()).digest()[:4], "little")


def _orig(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return rgb


def _geometric(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flip, rotate by a multiple of 90° and crop 80–100% of the area."""
    out = np.rot90(rgb, int(rng.integers(4)))
    if rng.random() < 0.5:
        out = out[:, ::-1]
    height, width = out.shape[:2]
    scale = float(np.sqrt(rng.uniform(0.8, 1.0)))
    crop_h, crop_w = max(1, int(height * scale)), max(1, int(width * scale))
    top = int(rng.integers(0, height - crop_h + 1))
    left = int(rng.integers(0, width - crop_w + 1))
    return np.ascontiguousarray(out[top:top + crop_h, left:left + crop_w])


def _photometric(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Brightness, contrast, per-channel gain (white balance) and gamma jitter."""
    pixels = rgb.astype(np.float32) / 255.0
    gains = rng.uniform(0.85, 1.15, size=3).astype(np.float32)
    pixels = pixels * gains * rng.uniform(0.85, 1.15)
    mean = pixels.mean()
    pixels = (pixels - mean) * rng.uniform(0.8, 1.2) + mean
    pixels = np.clip(pixels, 0.0, 1.0) ** rng.uniform(0.8, 1.25)
    return (pixels * 255.0 + 0.5).astype(np.uint8)


def _low_resolution(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Down to 84×84 and (later, by the model resize) back up: the ISIC 2019 copy's look."""
    return cv2.resize(rgb, (LOW_RES_SIDE, LOW_RES_SIDE), interpolation=cv2.INTER_AREA)


def _mixed(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Geometric and photometric jitter plus, half the time, a slight blur."""
    out = _photometric(_geometric(rgb, rng), rng)
    if rng.random() < 0.5:
        sigma = float(rng.uniform(0.5, 1.5))
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    return out


def _mixed_with_artefacts(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The mixed view with simulated hair, marker ink and/or a ruler on top."""
    return add_artefacts(_mixed(rgb, rng), rng)


VIEWS: dict[str, View] = {
    "orig": _orig,
    "geo": _geometric,
    "photo": _photometric,
    "lowres": _low_resolution,
    "mixed": _mixed,
    "artefacts": _mixed_with_artefacts,
}


def apply_view(rgb: np.ndarray, view: str, key: str) -> np.ndarray:
    """Return ``view`` of ``rgb``; ``key`` (the file name) seeds its randomness."""
    try:
        function = VIEWS[view]
    except KeyError:
        raise ValueError(f"unknown view {view!r}; choose from {', '.join(VIEWS)}") from None
    return function(rgb, np.random.default_rng(view_seed(key, view)))
