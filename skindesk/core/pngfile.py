"""Writing PNG files from image arrays, safely for any path.

Encodes in memory and writes with Python's ``open``, because ``cv2.imwrite``
cannot open non-ASCII paths on Windows.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from skindesk.core.errors import UserError


def write_png(
    path: str | os.PathLike[str], image: np.ndarray, *, make_parents: bool = False
) -> Path:
    """Write a grayscale (H×W) or RGB (H×W×3) uint8 image as PNG.

    Args:
        path: Where to write.
        image: The pixels; RGB order for colour images.
        make_parents: Create missing parent folders first (the CLI's output
            options do; an interactive "save as" should not).

    Raises:
        UserError: the image cannot be encoded or the file cannot be written.
    """
    target = Path(path)
    pixels = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(pixels))
    if not ok:
        raise UserError(f"cannot encode the image for {target}")
    try:
        if make_parents:
            target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(encoded.tobytes())
    except OSError as error:
        raise UserError(f"cannot write {target}: {error.strerror or error}") from None
    return target
