"""Turning decoded pixels of any depth or mode into 8-bit RGB arrays.

Internal to :mod:`skindesk.core.imageio`; shared by the Pillow and DICOM
readers so both scale high bit depths the same way.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from skindesk.core.errors import ImageLoadError

# Transparent pixels become white, as most viewers show them on a white page;
# black would look like dark pigment or the dermoscope's vignette to a model.
BACKGROUND = (255, 255, 255)

# Modes Pillow converts to RGB correctly on its own (colour spaces included).
_PILLOW_CONVERTS = frozenset({"1", "L", "CMYK", "YCbCr", "LAB", "HSV", "RGBX"})
_WITH_ALPHA = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_SIXTEEN_BIT = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})


def check_pixel_count(path: str, width: int, height: int, limit: int) -> None:
    """Refuse an image whose declared size is above ``limit`` pixels.

    Raises:
        ImageLoadError: ``width * height`` exceeds ``limit``.
    """
    count = width * height
    if count > limit:
        raise ImageLoadError(
            path,
            f"image too large ({width}×{height} = {count:,} pixels; the limit is {limit:,})",
        )


def pil_to_rgb(image: Image.Image, path: str) -> np.ndarray:
    """Return a loaded Pillow image as a read-only H×W×3 uint8 RGB array.

    Args:
        image: A decoded image in any Pillow mode.
        path: The file it came from, for the error message.

    Raises:
        ImageLoadError: The mode has no sensible RGB rendering.
    """
    mode = image.mode
    if mode in _WITH_ALPHA or (mode in ("P", "L", "RGB") and image.has_transparency_data):
        return readonly(np.asarray(_over_background(image)))
    if mode == "RGB":
        return readonly(np.asarray(image))
    if mode in _PILLOW_CONVERTS or mode == "P":
        return readonly(np.asarray(image.convert("RGB")))
    if mode in _SIXTEEN_BIT:
        # Pillow's own I;16 -> L conversion clips at 255 instead of scaling.
        return gray_to_rgb(scale_full_range(np.asarray(image), 65535))
    if mode in ("I", "F"):
        return gray_to_rgb(scale_nominal(np.asarray(image)))
    raise ImageLoadError(path, f"unsupported pixel mode {mode!r}")


def _over_background(image: Image.Image) -> Image.Image:
    """Composite an image with transparency over :data:`BACKGROUND`."""
    if image.mode == "La":
        image = image.convert("LA")  # Pillow has no direct La -> RGBA path
    rgba = image.convert("RGBA")
    result = Image.new("RGB", rgba.size, BACKGROUND)
    result.paste(rgba, mask=rgba.getchannel("A"))
    return result


def gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    """Repeat an H×W uint8 array into a read-only H×W×3 array."""
    return readonly(np.repeat(gray[:, :, np.newaxis], 3, axis=2))


def scale_full_range(values: np.ndarray, full_scale: int) -> np.ndarray:
    """Map integers in 0..full_scale linearly onto 0..255, rounding to nearest.

    For 16-bit data this divides by 257, so 65535 -> 255 and 32768 -> 128.
    """
    # Clipped first: stray bits above the stored depth must not wrap around.
    wide: np.ndarray = np.clip(values, 0, full_scale).astype(np.uint64)
    scaled: np.ndarray = (wide * 255 + full_scale // 2) // full_scale
    return scaled.astype(np.uint8)


def scale_min_max(values: np.ndarray) -> np.ndarray:
    """Stretch the actual value range onto 0..255 (a constant image gives 0)."""
    values = values.astype(np.float64)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if high <= low:
        return np.zeros(values.shape, np.uint8)
    scaled: np.ndarray = (np.nan_to_num(values, nan=low) - low) * (255.0 / (high - low))
    rounded: np.ndarray = np.clip(np.rint(scaled), 0, 255)
    return rounded.astype(np.uint8)


def scale_nominal(values: np.ndarray) -> np.ndarray:
    """Scale 32-bit integer or float samples, guessing their nominal range.

    Floats within 0..1 and integers within 0..255 or 0..65535 keep their
    meaning (so a dark image stays dark); anything else is min-max stretched.
    """
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if finite.size == 0 or finite.min() < 0:
        return scale_min_max(values)
    peak = float(finite.max())
    if values.dtype.kind == "f" and peak <= 1.0:
        scaled = np.nan_to_num(values.astype(np.float64), nan=0.0) * 255.0
        return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    if values.dtype.kind != "f" and peak <= 255:
        return values.astype(np.uint8)
    if values.dtype.kind != "f" and peak <= 65535:
        return scale_full_range(values, 65535)
    return scale_min_max(values)


def readonly(array: np.ndarray) -> np.ndarray:
    """Make an array C-contiguous and read-only, copying only if needed."""
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array
