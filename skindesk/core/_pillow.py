"""Reading JPEG, PNG, BMP, TIFF and WebP files with Pillow (internal to imageio)."""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
from PIL import ExifTags, Image, ImageFile, ImageOps

from skindesk.core._pixels import check_pixel_count, pil_to_rgb
from skindesk.core.errors import ImageLoadError


def load_with_pillow(
    fp: BinaryIO, path: str, image_format: str, max_pixels: int, max_side: int | None
) -> tuple[np.ndarray, str, bool]:
    """Decode one file whose content was recognised as ``image_format``.

    Args:
        fp: The open file, positioned anywhere.
        path: The file's path, for error messages.
        image_format: The Pillow format name the content matched.
        max_pixels: Refuse images whose declared width × height exceeds this.
        max_side: If given, let a JPEG decode at reduced scale (see load_image).

    Returns:
        The read-only RGB array, the source pixel mode and whether an EXIF
        orientation was applied.

    Raises:
        ImageLoadError: The file is damaged, too large or in an unusable mode.
    """
    with _open(fp, path, image_format, max_pixels) as image:
        source_mode = _describe_mode(image)
        if max_side is not None and image_format == "JPEG":
            image.draft(None, (max_side, max_side))
        _decode(image, path, image_format)
        rotated = _apply_exif_orientation(image)
        return pil_to_rgb(image, path), source_mode, rotated


def _open(fp: BinaryIO, path: str, image_format: str, max_pixels: int) -> ImageFile.ImageFile:
    """Parse the header with the one plugin the content matched, and check the size."""
    fp.seek(0)
    try:
        # Naming the plugin keeps Pillow from trying others (EPS runs Ghostscript).
        image = Image.open(fp, formats=[image_format])
    except Image.DecompressionBombError as error:
        width, height = _declared_size(fp, path, image_format)
        check_pixel_count(path, width, height, min(max_pixels, _pillow_hard_limit(max_pixels)))
        raise ImageLoadError(path, f"image too large ({error})") from error
    except Exception as error:
        raise ImageLoadError(path, _corrupt(image_format, error)) from error
    try:
        check_pixel_count(path, image.width, image.height, max_pixels)
    except ImageLoadError:
        image.close()
        raise
    return image


def _declared_size(fp: BinaryIO, path: str, image_format: str) -> tuple[int, int]:
    """Width and height from the header, bypassing Pillow's bomb check (message only)."""
    try:
        fp.seek(0)
        factory = Image.OPEN[image_format][0]
        with factory(fp, path) as header_only:
            return header_only.size
    except Exception:  # noqa: BLE001 - it only improves a message; (0, 0) falls back
        return 0, 0


def _pillow_hard_limit(max_pixels: int) -> int:
    """Pillow refuses outright above twice its MAX_IMAGE_PIXELS."""
    limit = Image.MAX_IMAGE_PIXELS
    return 2 * limit if limit is not None else max_pixels


def _decode(image: Image.Image, path: str, image_format: str) -> None:
    """Force the full decode so truncated files fail here, not later."""
    try:
        image.load()
    except MemoryError as error:
        raise ImageLoadError(path, f"not enough memory to decode the {image_format}") from error
    except Exception as error:
        # Pillow signals damaged data with OSError, SyntaxError, ValueError,
        # EOFError, struct.error and more, depending on the plugin.
        raise ImageLoadError(path, _corrupt(image_format, error)) from error


def _corrupt(image_format: str, error: Exception) -> str:
    detail = str(error) or type(error).__name__
    if "cannot identify image file" in detail:
        detail = "the header could not be read"
    return f"truncated or corrupt {image_format} file ({detail})"


def _describe_mode(image: ImageFile.ImageFile) -> str:
    """The Pillow mode, marking 16-bit colour that Pillow reads as 8-bit ("RGB;16")."""
    args = image.tile[0].args if image.tile else None
    raw_mode = args if isinstance(args, str) else (args[0] if args else None)
    if image.mode in ("RGB", "RGBA") and str(raw_mode).startswith(f"{image.mode};16"):
        return f"{image.mode};16"
    return image.mode


def _apply_exif_orientation(image: Image.Image) -> bool:
    """Turn the image upright in place; True if its EXIF orientation said to."""
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        if orientation not in range(2, 9):
            return False
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # noqa: BLE001 - damaged EXIF is common where the pixels are fine
        return False
    return True
