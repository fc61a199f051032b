"""Decoding images for display, in worker threads.

Files are read with the engine's own loader (:func:`skindesk.core.imageio.load_image`:
content-sniffed, EXIF-upright, DICOM-aware), so the picture on screen is
the one the model sees. A pyramid of halved copies is built here too, so
zooming and panning a 50-megapixel photo only ever resizes a
screen-sized region on the Tk thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".dcm", ".dicom")
_SMALLEST_LEVEL = 512  # stop halving when the longer side gets this small


@dataclass(frozen=True)
class DisplayImage:
    """A decoded picture ready to show.

    Attributes:
        path: The file.
        width, height: Full-resolution size in pixels.
        format: The file format found by content ("JPEG", "DICOM"...).
        levels: The picture at full size, 1/2, 1/4... (RGB PIL images).
        thumbnail: A small RGB copy for the image list.
    """

    path: str
    width: int
    height: int
    format: str
    levels: tuple[Image.Image, ...]
    thumbnail: Image.Image


def build_pyramid(image: Image.Image) -> tuple[Image.Image, ...]:
    """``image`` and successive halvings until the longer side is small."""
    levels = [image]
    while max(levels[-1].size) > _SMALLEST_LEVEL and min(levels[-1].size) >= 2:
        levels.append(levels[-1].reduce(2))
    return tuple(levels)


def make_thumbnail(levels: tuple[Image.Image, ...], size: int) -> Image.Image:
    """A square ``size``×``size`` thumbnail, letterboxed on a neutral grey."""
    source = next((lv for lv in reversed(levels) if max(lv.size) >= size), levels[0])
    picture = source.copy()
    picture.thumbnail((size, size), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (size, size), (128, 128, 128))
    canvas.paste(picture, ((size - picture.width) // 2, (size - picture.height) // 2))
    return canvas


def decode_for_display(path: str, thumbnail_size: int = 64) -> DisplayImage:
    """Read ``path`` for display (worker thread).

    Raises:
        ImageLoadError: The file is not a readable image (a UserError).
    """
    from skindesk.core.imageio import load_image  # heavy imports stay off the start-up path

    loaded = load_image(path)
    full = Image.fromarray(loaded.rgb)
    levels = build_pyramid(full)
    return DisplayImage(
        path=str(path),
        width=loaded.width,
        height=loaded.height,
        format=loaded.format,
        levels=levels,
        thumbnail=make_thumbnail(levels, thumbnail_size),
    )


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; folders replaced by the images directly inside them, sorted."""
    found: list[str] = []
    for raw in paths:
        path = Path(os.path.expanduser(raw.strip().strip('"').strip("'")))
        if path.is_dir():
            found.extend(
                str(p) for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            )
        elif str(path):
            found.append(str(path))
    return found
