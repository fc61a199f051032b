"""Reading single-frame DICOM images with pydicom (internal to imageio).

Dermoscopy and clinical photographs arrive as VL Photographic or Secondary
Capture objects, mostly 8-bit RGB; grayscale and high-bit-depth images are
rendered the way a viewer would show them, then reduced to 8-bit RGB.
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.pixels.decoders.base import get_decoder
from pydicom.pixels.processing import apply_color_lut, apply_modality_lut, apply_voi_lut
from pydicom.uid import UID

from skindesk.core._pixels import (
    check_pixel_count,
    gray_to_rgb,
    readonly,
    scale_full_range,
    scale_min_max,
)
from skindesk.core.errors import ImageLoadError


def read_dicom(fp: BinaryIO, path: str, max_pixels: int) -> tuple[np.ndarray, str]:
    """Decode a single-frame DICOM file into 8-bit RGB.

    Args:
        fp: The open file, positioned anywhere.
        path: The file's path, for error messages.
        max_pixels: Refuse images whose Rows × Columns exceed this.

    Returns:
        The read-only H×W×3 uint8 array and a description of the source
        pixels such as ``"MONOCHROME2 12-bit"``.

    Raises:
        ImageLoadError: The file is not a decodable single-frame DICOM image.
    """
    fp.seek(0)
    try:
        # force=True also reads files without the 128-byte preamble; the
        # checks below reject whatever is not an image.
        dataset = pydicom.dcmread(fp, force=True)
        _check_header(dataset, path, max_pixels)
        pixels = dataset.pixel_array  # pydicom converts YBR_* to RGB by default
        rgb = _to_rgb(pixels, dataset, path)
    except ImageLoadError:
        raise
    except MemoryError as error:
        raise ImageLoadError(path, "not enough memory to decode the DICOM image") from error
    except Exception as error:
        # pydicom raises a zoo of types (InvalidDicomError, ValueError,
        # struct.error, KeyError, ...) for malformed files, some lazily on
        # element access; the cause stays chained for the log.
        detail = f"{type(error).__name__}: {error}"
        raise ImageLoadError(path, f"corrupt or unreadable DICOM file ({detail})") from error
    return rgb, _describe(dataset)


def _check_header(dataset: Dataset, path: str, max_pixels: int) -> None:
    """Refuse what cannot become one picture, before any pixel is decoded."""
    if "PixelData" not in dataset:
        raise ImageLoadError(path, "DICOM file holds no image (no Pixel Data element)")
    rows, columns = dataset.get("Rows"), dataset.get("Columns")
    if not rows or not columns:
        raise ImageLoadError(path, "corrupt DICOM file (Rows or Columns missing)")
    frames = int(dataset.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        raise ImageLoadError(
            path, f"multi-frame DICOM is not supported ({frames} frames); export a single frame"
        )
    check_pixel_count(path, int(columns), int(rows), max_pixels)
    _check_transfer_syntax(dataset, path)


def _check_transfer_syntax(dataset: Dataset, path: str) -> None:
    """Refuse compressed pixel data that no installed pydicom plugin decodes."""
    meta = getattr(dataset, "file_meta", None)
    uid = meta.get("TransferSyntaxUID") if meta is not None else None
    if uid is None:
        return  # a bare dataset: pydicom assumes Implicit VR Little Endian
    uid = UID(str(uid))
    if not uid.is_transfer_syntax:
        raise ImageLoadError(path, f"unknown DICOM transfer syntax {uid}")
    if not uid.is_compressed:
        return
    try:
        available = get_decoder(uid).is_available
    except NotImplementedError:
        available = False
    if not available:
        name = uid.name if uid.name != str(uid) else "unknown"
        raise ImageLoadError(
            path,
            f"unsupported DICOM compression (transfer syntax {name}, {uid}); "
            "export the image uncompressed",
        )


def _to_rgb(pixels: np.ndarray, dataset: Dataset, path: str) -> np.ndarray:
    """Render decoded samples as 8-bit RGB following the photometric interpretation."""
    photometric = _photometric(dataset)
    bits = _bits_stored(dataset)
    if photometric in ("MONOCHROME1", "MONOCHROME2") and pixels.ndim == 2:
        gray = _render_gray(pixels, dataset, bits)
        if photometric == "MONOCHROME1":
            gray = 255 - gray  # MONOCHROME1 means low values are white
        return gray_to_rgb(gray)
    if photometric == "PALETTE COLOR" and pixels.ndim == 2:
        colours = apply_color_lut(pixels, dataset)
        if colours.dtype != np.uint8:
            colours = scale_full_range(colours, 65535)  # 16-bit LUT entries
        return readonly(colours)
    # YBR_* arrive already converted to RGB by pydicom's as_rgb default.
    if (photometric == "RGB" or photometric.startswith("YBR")) and pixels.shape[-1:] == (3,):
        if pixels.ndim != 3:
            raise ImageLoadError(path, "corrupt DICOM file (unexpected colour array shape)")
        # Scale by the nominal range: a per-image stretch would shift colours.
        return readonly(scale_full_range(pixels, 2**bits - 1) if bits != 8 else pixels)
    raise ImageLoadError(
        path,
        f"unsupported DICOM photometric interpretation {photometric!r} with {pixels.shape} samples",
    )


def _render_gray(pixels: np.ndarray, dataset: Dataset, bits: int) -> np.ndarray:
    """Apply rescale and window (or stretch) to grayscale samples, giving uint8."""
    values = apply_modality_lut(pixels, dataset)  # to real units (e.g. Hounsfield)
    if "VOILUTSequence" in dataset:
        return scale_min_max(apply_voi_lut(values, dataset))
    window = _first_window(dataset)
    if window is not None:
        return _apply_window(values, *window)
    if bits <= 8 and values.dtype.kind in "ui" and values.min() >= 0:
        return scale_full_range(values, 2**bits - 1)  # 1- to 8-bit: fill 0..255
    return scale_min_max(values)


def _first_window(dataset: Dataset) -> tuple[float, float] | None:
    """The first Window Center/Width pair, or None when absent or unusable."""
    center, width = dataset.get("WindowCenter"), dataset.get("WindowWidth")
    if center is None or width is None:
        return None
    center = center[0] if isinstance(center, MultiValue) else center
    width = width[0] if isinstance(width, MultiValue) else width
    if width is None or center is None or float(width) <= 0:
        return None
    return float(center), float(width)


def _apply_window(values: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM's LINEAR window function (PS3.3 C.11.2.1.2.1), output 0..255."""
    shifted = values.astype(np.float64) - (center - 0.5)
    if width <= 1:
        return np.where(shifted > 0, 255, 0).astype(np.uint8)
    scaled = np.clip(shifted / (width - 1) + 0.5, 0.0, 1.0) * 255.0
    return np.rint(scaled).astype(np.uint8)


def _photometric(dataset: Dataset) -> str:
    return str(dataset.get("PhotometricInterpretation", "")).strip().upper()


def _bits_stored(dataset: Dataset) -> int:
    bits = int(dataset.get("BitsStored") or dataset.get("BitsAllocated") or 8)
    return min(max(bits, 1), 32)


def _describe(dataset: Dataset) -> str:
    """E.g. ``"MONOCHROME1 12-bit"`` for :attr:`LoadedImage.source_mode`."""
    return f"{_photometric(dataset) or 'unknown'} {_bits_stored(dataset)}-bit"
