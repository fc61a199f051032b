"""Loading any supported image file as an 8-bit RGB array.

Files are recognised by their content, never their extension: a PNG named
``.jpg`` loads, a text file named ``.jpg`` is "not an image". Every failure
is an :class:`~skindesk.core.errors.ImageLoadError` whose reason says what is
wrong in words a user can act on.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from PIL import Image

from skindesk.core._pillow import load_with_pillow
from skindesk.core.errors import ImageLoadError

SUPPORTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "BMP", "TIFF", "WEBP", "DICOM")
"""Format names :func:`load_image` reads, as reported in :attr:`LoadedImage.format`."""

DEFAULT_MAX_PIXELS = 100_000_000
"""Larger images are refused from their header (a decompression-bomb guard)."""

# Pillow's own guard stays on as a backstop, but no lower than ours, so it
# never refuses an image that the max_pixels check would accept by default.
if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < DEFAULT_MAX_PIXELS:
    Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS

_HEAD_BYTES = 132  # DICOM's "DICM" magic sits at bytes 128..131
_BMP_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})
_TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_DICOM_VRS = frozenset(
    b"AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC "
    b"UI UL UN UR US UT UV".split()
)


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image, upright and in 8-bit RGB.

    Attributes:
        rgb: H×W×3 uint8 array in RGB order, C-contiguous and read-only
            (shared without copying; call ``.copy()`` to edit it).
        path: The file it was read from.
        format: One of :data:`SUPPORTED_FORMATS`.
        source_mode: The stored pixel layout before conversion: a Pillow mode
            (``"I;16"``, ``"P"``, ``"CMYK"``, ``"RGB;16"``...) or, for DICOM,
            the photometric interpretation and bit depth (``"MONOCHROME1 12-bit"``).
        width: Columns of ``rgb``, after EXIF orientation.
        height: Rows of ``rgb``, after EXIF orientation.
        exif_rotated: True when an EXIF orientation tag turned or flipped it.
    """

    rgb: np.ndarray
    path: str
    format: str
    source_mode: str
    width: int
    height: int
    exif_rotated: bool = False


def sniff_image_format(path: str | os.PathLike[str]) -> str | None:
    """Name the image format from the file's first 132 bytes, without decoding.

    Meant for scanning folders quickly; a non-None answer does not promise
    the file is intact.

    Args:
        path: The file to look at.

    Returns:
        One of :data:`SUPPORTED_FORMATS`, or None if the content (possibly
        empty) is none of them.

    Raises:
        ImageLoadError: The file is missing, a folder or cannot be read.
    """
    with _open_file(str(path), allow_empty=True) as fp:
        return _sniff(_read_head(fp, str(path)))


def load_image(
    path: str | os.PathLike[str],
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int | None = None,
) -> LoadedImage:
    """Read an image file into an upright 8-bit RGB array.

    Args:
        path: Any JPEG, PNG, BMP, TIFF, WebP or single-frame DICOM file; only
            the first frame of multi-page TIFF or animated PNG/WebP is read.
        max_pixels: Refuse images whose declared width × height exceeds this,
            before decoding. Pillow's own guard still refuses anything above
            twice ``PIL.Image.MAX_IMAGE_PIXELS``.
        max_side: For thumbnails: lets a JPEG decode at 1/2, 1/4 or 1/8 scale
            while both sides stay at least ``max_side``. Other formats, and
            None (the default), give full resolution; callers resize exactly.

    Returns:
        The decoded :class:`LoadedImage`.

    Raises:
        ImageLoadError: For any unreadable, unsupported, damaged or too large file.
    """
    if max_pixels <= 0:
        raise ValueError(f"max_pixels must be positive, not {max_pixels}")
    path = str(path)
    with _open_file(path) as fp:
        image_format = _sniff(_read_head(fp, path))
        if image_format is None:
            raise ImageLoadError(path, "not an image (unrecognised content)")
        if image_format == "DICOM":
            from skindesk.core._dicom import read_dicom  # pydicom: ~0.5 s to import, rarely needed

            rgb, source_mode = read_dicom(fp, path, max_pixels)
            return _result(rgb, path, "DICOM", source_mode, exif_rotated=False)
        rgb, source_mode, rotated = load_with_pillow(fp, path, image_format, max_pixels, max_side)
        return _result(rgb, path, image_format, source_mode, exif_rotated=rotated)


def _open_file(path: str, *, allow_empty: bool = False) -> BinaryIO:
    """Open a regular (and unless allowed, non-empty) file for binary reading, or say why not."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ImageLoadError(path, "is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise ImageLoadError(path, "not a regular file")
        if info.st_size == 0 and not allow_empty:
            raise ImageLoadError(path, "empty file (0 bytes)")
        return open(path, "rb")  # the callers close it with `with`
    except (FileNotFoundError, NotADirectoryError) as error:
        raise ImageLoadError(path, "file not found") from error
    except PermissionError as error:
        raise ImageLoadError(path, "permission denied") from error
    except IsADirectoryError as error:
        raise ImageLoadError(path, "is a folder") from error
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        raise ImageLoadError(path, f"cannot open the file ({_os_detail(error)})") from error


def _read_head(fp: BinaryIO, path: str) -> bytes:
    try:
        return fp.read(_HEAD_BYTES)
    except OSError as error:
        raise ImageLoadError(path, f"cannot read the file ({_os_detail(error)})") from error


def _os_detail(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)


def _sniff(head: bytes) -> str | None:
    """Recognise a format by its magic bytes, mirroring Pillow's checks."""
    if head[128:132] == b"DICM":
        return "DICOM"  # first: the preamble may itself hold a TIFF header
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"BM") and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        return "BMP"
    if head[:4] in _TIFF_MAGICS:
        return "TIFF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    return "DICOM" if _looks_like_bare_dicom(head) else None


def _looks_like_bare_dicom(head: bytes) -> bool:
    """A DICOM dataset saved without preamble starts with a group 0002/0008 tag."""
    if len(head) < 8 or head[:2] not in (b"\x02\x00", b"\x08\x00"):
        return False
    explicit_vr = head[4:6] in _DICOM_VRS
    implicit_length = int.from_bytes(head[4:8], "little")
    return explicit_vr or (head[:2] == b"\x08\x00" and implicit_length < 1024)


def _result(
    rgb: np.ndarray, path: str, image_format: str, source_mode: str, *, exif_rotated: bool
) -> LoadedImage:
    height, width = rgb.shape[:2]
    return LoadedImage(rgb, path, image_format, source_mode, width, height, exif_rotated)
