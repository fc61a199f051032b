"""The six dermoscopy colours of the ABCD rule and how many a lesion shows.

Reference colours are the idealised sRGB values used for automatic ABCD
scoring in the dermoscopy image-analysis literature (on a 0-1 scale: white
(1, 1, 1), red (0.8, 0.2, 0.2), light brown (0.6, 0.4, 0), dark brown
(0.2, 0, 0), blue-grey (0.2, 0.6, 0.6), black (0, 0, 0); e.g. Kasmi and
Mokrani, "Classification of malignant melanoma and benign skin lesions:
implementation of automatic ABCD rule", IET Image Processing 10(6), 2016,
after Seidenari et al.). Each lesion pixel is assigned to the nearest
reference in CIELAB (ΔE*76) if it lies within :data:`MAX_DELTA_E`; a colour
counts as present when at least :data:`MIN_FRACTION` of lesion pixels are
assigned to it. Camera white balance moves real pixels away from these
idealised values, so the count is a heuristic aid, not a measurement.
"""

from __future__ import annotations

import cv2
import numpy as np

REFERENCE_COLOURS: dict[str, tuple[float, float, float]] = {
    "white": (1.0, 1.0, 1.0),
    "red": (0.8, 0.2, 0.2),
    "light brown": (0.6, 0.4, 0.0),
    "dark brown": (0.2, 0.0, 0.0),
    "blue-grey": (0.2, 0.6, 0.6),
    "black": (0.0, 0.0, 0.0),
}
MAX_DELTA_E = 50.0  # pixels farther than this from every reference count as none
MIN_FRACTION = 0.05  # share of lesion pixels needed for a colour to count
_MAX_PIXELS = 40_000  # a regular subsample is plenty for 5 % fractions


def _to_lab(rgb_float: np.ndarray) -> np.ndarray:
    """CIELAB (L* 0-100) of float RGB in 0-1, shape (..., 3)."""
    return cv2.cvtColor(rgb_float.reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_RGB2Lab)[
        :, 0, :
    ]


def reference_lab() -> np.ndarray:
    """The six reference colours in CIELAB, in :data:`REFERENCE_COLOURS` order."""
    return _to_lab(np.array(list(REFERENCE_COLOURS.values()), np.float32))


def colour_fractions(rgb: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """Share of lesion pixels nearest to each reference colour.

    Args:
        rgb: H×W×3 uint8 RGB image.
        mask: H×W lesion mask (non-zero inside).

    Returns:
        Colour name -> fraction of lesion pixels (0-1). Pixels too far from
        every reference are counted in none, so the values may sum to < 1.
    """
    index = np.flatnonzero(np.asarray(mask).ravel())
    if index.size == 0:
        return {name: 0.0 for name in REFERENCE_COLOURS}
    index = index[:: max(1, index.size // _MAX_PIXELS)]
    pixels = np.asarray(rgb).reshape(-1, 3)[index]
    lab = _to_lab(pixels.astype(np.float32) / 255.0)
    distances = np.linalg.norm(lab[:, None, :] - reference_lab()[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    close = distances.min(axis=1) <= MAX_DELTA_E
    counts = np.bincount(nearest[close], minlength=len(REFERENCE_COLOURS))
    return {
        name: round(float(count / len(lab)), 4)
        for name, count in zip(REFERENCE_COLOURS, counts, strict=True)
    }


def colours_present(fractions: dict[str, float]) -> list[str]:
    """Names of the colours covering at least :data:`MIN_FRACTION` of the lesion."""
    return [name for name, share in fractions.items() if share >= MIN_FRACTION]
