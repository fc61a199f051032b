"""Drawing heat maps: colour maps, overlays on the image, PNG files.

Colour maps are OpenCV's (``jet``, ``inferno``, ``viridis``, ``turbo``,
``magma``, ``plasma``...), which match matplotlib's of the same names.
OpenCV colours in BGR; everything here takes and returns RGB.
"""

from __future__ import annotations

import cv2
import numpy as np

from skindesk.core.errors import SettingsError
from skindesk.core.pngfile import write_png

__all__ = ["COLORMAPS", "colorize", "heatmap_to_uint8", "render_overlay", "write_png"]

COLORMAPS: dict[str, int] = {
    name[len("COLORMAP_") :].lower(): getattr(cv2, name)
    for name in sorted(dir(cv2))
    if name.startswith("COLORMAP_")
}
DEFAULT_COLORMAP = "jet"
DEFAULT_OPACITY = 0.4


def heatmap_to_uint8(heatmap: np.ndarray) -> np.ndarray:
    """A 0..1 heat map as an 8-bit grayscale image (0..255)."""
    return np.rint(np.clip(np.asarray(heatmap, np.float32), 0.0, 1.0) * 255.0).astype(np.uint8)


def colorize(heatmap: np.ndarray, colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """An H×W×3 uint8 RGB picture of a 0..1 heat map in a named colour map.

    Raises:
        SettingsError: the colour map name is unknown.
    """
    code = COLORMAPS.get(colormap.lower())
    if code is None:
        raise SettingsError(f"unknown colour map '{colormap}'; use one of: {', '.join(COLORMAPS)}")
    bgr = cv2.applyColorMap(heatmap_to_uint8(heatmap), code)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def render_overlay(
    rgb: np.ndarray,
    heatmap: np.ndarray,
    colormap: str = DEFAULT_COLORMAP,
    opacity: float = DEFAULT_OPACITY,
) -> np.ndarray:
    """Blend a coloured heat map over an RGB uint8 image.

    Args:
        rgb: the H×W×3 uint8 image (the heat map is resized to it if needed).
        heatmap: 0..1 heat map.
        colormap: a name from :data:`COLORMAPS`.
        opacity: 0 shows the image unchanged, 1 only the heat map.

    Raises:
        SettingsError: unknown colour map, or opacity outside 0..1.
    """
    if not 0.0 <= opacity <= 1.0:
        raise SettingsError(f"opacity must lie between 0 and 1, not {opacity}")
    height, width = rgb.shape[:2]
    if heatmap.shape[:2] != (height, width):
        heatmap = cv2.resize(
            heatmap.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR
        )
    colored = colorize(heatmap, colormap).astype(np.float32)
    blended = rgb.astype(np.float32) * (1.0 - opacity) + colored * opacity
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)
