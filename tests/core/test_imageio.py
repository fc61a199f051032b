"""Tests for skindesk.core.imageio: every format, pixel mode and failure.

All images are generated in tmp_path; only the last test reads real data.
"""

from __future__ import annotations

import os
import struct
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import ExifTags, Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import ExplicitVRLittleEndian, JPEGLSLossless, generate_uid

from skindesk.core import imageio
from skindesk.core._pixels import pil_to_rgb
from skindesk.core.errors import ImageLoadError
from skindesk.core.imageio import SUPPORTED_FORMATS, load_image, sniff_image_format

WHITE, RED = (255, 255, 255), (255, 0, 0)


def pixels_of(path: Path, **kwargs: int) -> np.ndarray:
    """Load and check the invariants every result must meet."""
    loaded = load_image(path, **kwargs)
    assert loaded.rgb.dtype == np.uint8 and loaded.rgb.ndim == 3 and loaded.rgb.shape[2] == 3
    assert loaded.rgb.flags.c_contiguous
    assert (loaded.height, loaded.width) == loaded.rgb.shape[:2]
    return loaded.rgb


def save(image: Image.Image, path: Path, **params: Any) -> Path:
    image.save(path, **params)
    return path


def reason_of(path: Path | str, **kwargs: int) -> str:
    with pytest.raises(ImageLoadError) as caught:
        load_image(path, **kwargs)
    assert caught.value.path == str(path)
    return caught.value.reason


# --- pixel modes -------------------------------------------------------------


def gray16(values: list[int], dtype: str = "<u2") -> Image.Image:
    return Image.fromarray(np.array([values], dtype=dtype))


def palette_image(transparent: bool) -> Image.Image:
    image = Image.new("P", (2, 1))
    image.putpalette([0, 0, 255, 255, 0, 0])
    image.putpixel((1, 0), 1)
    if transparent:
        image.info["transparency"] = 0
    return image


def cv2_png16(tmp: Path, bgr_or_bgra: list[int]) -> Path:
    # Pillow cannot write 16-bit colour; OpenCV can (in BGR order).
    path = tmp / "colour16.png"
    cv2.imwrite(str(path), np.array([[bgr_or_bgra]], dtype=np.uint16))
    return path


MODE_CASES: dict[str, tuple[Callable[[Path], Path], list[tuple[int, int, int]], int]] = {
    # name: (writer, expected first-row pixels, tolerance)
    "L png": (lambda t: save(Image.new("L", (1, 1), 77), t / "a.png"), [(77, 77, 77)], 0),
    "LA png": (
        lambda t: save(Image.frombytes("LA", (2, 1), bytes([100, 255, 0, 0])), t / "a.png"),
        [(100, 100, 100), WHITE],
        0,
    ),
    "P png": (lambda t: save(palette_image(False), t / "a.png"), [(0, 0, 255), RED], 0),
    "P png transparent": (lambda t: save(palette_image(True), t / "a.png"), [WHITE, RED], 0),
    "RGBA over white": (
        lambda t: save(
            Image.frombytes("RGBA", (3, 1), bytes([9, 9, 9, 0, 10, 20, 30, 255, 0, 0, 0, 128])),
            t / "a.png",
        ),
        [WHITE, (10, 20, 30), (127, 127, 127)],
        1,
    ),
    "1-bit png": (
        lambda t: save(Image.frombytes("1", (2, 1), bytes([0b01000000])), t / "a.png"),
        [(0, 0, 0), WHITE],
        0,
    ),
    "I;16 png": (
        lambda t: save(gray16([65535, 32768, 0, 257]), t / "a.png"),
        [WHITE, (128, 128, 128), (0, 0, 0), (1, 1, 1)],
        0,
    ),
    "I;16 tiff": (lambda t: save(gray16([65535, 32768]), t / "a.tif"), [WHITE, (128,) * 3], 0),
    "I;16B tiff": (
        lambda t: save(gray16([65535, 32768], ">u2"), t / "a.tif"),
        [WHITE, (128,) * 3],
        0,
    ),
    "I 32-bit tiff": (
        lambda t: save(Image.fromarray(np.array([[65535, 32768]], np.int32)), t / "a.tif"),
        [WHITE, (128,) * 3],
        0,
    ),
    "F tiff": (
        lambda t: save(Image.fromarray(np.array([[0.0, 0.5, 1.0]], np.float32)), t / "a.tif"),
        [(0, 0, 0), (128,) * 3, WHITE],
        0,
    ),
    "CMYK jpeg": (
        lambda t: save(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), t / "a.jpg"),
        [RED],
        3,
    ),
    "CMYK tiff": (
        lambda t: save(Image.new("CMYK", (1, 1), (0, 255, 255, 0)), t / "a.tif"),
        [RED],
        0,
    ),
    "YCbCr tiff": (
        lambda t: save(Image.new("YCbCr", (1, 1), (76, 85, 255)), t / "a.tif"),
        [RED],
        2,
    ),
    "LAB tiff": (
        lambda t: save(Image.new("LAB", (2, 1), (255, 128, 128)), t / "a.tif"),
        [WHITE],
        1,
    ),
    "RGB 16-bit png": (lambda t: cv2_png16(t, [0, 32768, 65535]), [(255, 128, 0)], 0),
    "RGBA 16-bit png": (lambda t: cv2_png16(t, [0, 0, 65535, 0]), [WHITE], 0),
}


@pytest.mark.parametrize("case", MODE_CASES, ids=str)
def test_every_mode_becomes_the_expected_rgb(case: str, tmp_path: Path) -> None:
    write, expected, tolerance = MODE_CASES[case]
    first_row = pixels_of(write(tmp_path))[0, : len(expected)].astype(int)
    assert np.abs(first_row - np.array(expected)).max() <= tolerance, first_row.tolist()


def test_hsv_in_memory_is_converted() -> None:
    # No file format stores HSV, so the conversion is tested directly.
    rgb = pil_to_rgb(Image.new("HSV", (1, 1), (0, 255, 255)), "memory")
    assert rgb[0, 0].tolist() == list(RED)


def test_sixteen_bit_source_mode_is_reported(tmp_path: Path) -> None:
    assert load_image(cv2_png16(tmp_path, [1, 2, 3])).source_mode == "RGB;16"
    assert load_image(save(gray16([1]), tmp_path / "g.png")).source_mode == "I;16"


def test_result_is_read_only(tmp_path: Path) -> None:
    rgb = pixels_of(save(Image.new("RGB", (2, 2)), tmp_path / "a.png"))
    with pytest.raises(ValueError):
        rgb[0, 0, 0] = 1


# --- formats, content sniffing, paths ------------------------------------------

FORMAT_PARAMS: dict[str, dict[str, Any]] = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}}


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "BMP", "TIFF", "WEBP"])
def test_each_format_loads_and_is_sniffed(image_format: str, tmp_path: Path) -> None:
    path = save(
        Image.new("RGB", (20, 10), (200, 30, 60)),
        tmp_path / "picture.bin",
        format=image_format,
        **FORMAT_PARAMS.get(image_format, {}),
    )
    loaded = load_image(path)
    assert (loaded.format, loaded.width, loaded.height) == (image_format, 20, 10)
    assert np.abs(loaded.rgb[5, 10].astype(int) - [200, 30, 60]).max() <= 3
    assert sniff_image_format(path) == image_format
    assert image_format in SUPPORTED_FORMATS


def test_png_named_jpg_loads_as_png(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (3, 2)), tmp_path / "x.jpg", format="PNG")
    assert load_image(path).format == "PNG"


def test_unicode_path(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (4, 3), RED), tmp_path / "läsion_測試 é.png")
    loaded = load_image(path)
    assert loaded.path == str(path) and loaded.rgb[0, 0].tolist() == list(RED)


@pytest.mark.parametrize(
    "content", [b"", b"hello, not an image\n" * 20, b"BMW service report"], ids=str
)
def test_sniff_rejects_non_images(content: bytes, tmp_path: Path) -> None:
    (tmp_path / "f.jpg").write_bytes(content)
    assert sniff_image_format(tmp_path / "f.jpg") is None


def test_sniff_names_bare_dicom_last(tmp_path: Path) -> None:
    write_dicom(tmp_path / "bare", np.zeros((2, 2), np.uint8), "MONOCHROME2", 8, preamble=False)
    assert sniff_image_format(tmp_path / "bare") == "DICOM"


# --- EXIF orientation and reduced decoding -------------------------------------


def marked_jpeg(path: Path, orientation: int | None) -> Path:
    """A 64×32 grey JPEG with a red 16×16 block in its top-left corner."""
    image = Image.new("RGB", (64, 32), (128, 128, 128))
    image.paste(RED, (0, 0, 16, 16))
    exif = Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return save(image, path, quality=95, exif=exif)


def test_exif_orientation_6_turns_the_image(tmp_path: Path) -> None:
    loaded = load_image(marked_jpeg(tmp_path / "r.jpg", 6))
    assert (loaded.width, loaded.height, loaded.exif_rotated) == (32, 64, True)
    # Orientation 6 shows the stored top-left corner at the top-right.
    assert loaded.rgb[8, 24].tolist() == pytest.approx(RED, abs=8)
    assert loaded.rgb[8, 4].tolist() == pytest.approx([128] * 3, abs=8)


def test_no_orientation_tag_means_no_rotation(tmp_path: Path) -> None:
    loaded = load_image(marked_jpeg(tmp_path / "u.jpg", None))
    assert (loaded.width, loaded.height, loaded.exif_rotated) == (64, 32, False)


def test_max_side_decodes_jpeg_at_reduced_scale(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (1024, 768), RED), tmp_path / "big.jpg")
    small = load_image(path, max_side=200)
    assert 200 <= min(small.width, small.height) and small.width < 1024
    assert (load_image(path).width, load_image(path).height) == (1024, 768)


# --- DICOM ---------------------------------------------------------------------


def write_dicom(
    path: Path, pixels: np.ndarray, photometric: str, bits: int, preamble: bool = True
) -> Dataset:
    dataset = Dataset()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.4"  # VL Photographic
    dataset.SOPInstanceUID = generate_uid()
    dataset.file_meta.MediaStorageSOPClassUID = dataset.SOPClassUID
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    dataset.set_pixel_data(pixels, photometric, bits)
    dataset.save_as(path, enforce_file_format=preamble)
    return dataset


def test_dicom_monochrome2_16_bit_is_stretched(tmp_path: Path) -> None:
    path = tmp_path / "m2.dcm"
    write_dicom(path, np.array([[0, 16384, 32768, 65535]], np.uint16), "MONOCHROME2", 16)
    loaded = load_image(path)
    assert (loaded.format, loaded.source_mode) == ("DICOM", "MONOCHROME2 16-bit")
    assert loaded.rgb[0, :, 0].tolist() == [0, 64, 128, 255]
    assert sniff_image_format(path) == "DICOM"


def test_dicom_monochrome1_is_inverted(tmp_path: Path) -> None:
    path = tmp_path / "m1.dcm"
    write_dicom(path, np.array([[0, 255, 100]], np.uint8), "MONOCHROME1", 8)
    assert pixels_of(path)[0, :, 0].tolist() == [255, 0, 155]


def test_dicom_window_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "w.dcm"
    dataset = write_dicom(path, np.array([[500, 1000, 1600]], np.uint16), "MONOCHROME2", 12)
    dataset.WindowCenter, dataset.WindowWidth = 1000, 1000
    dataset.save_as(path, enforce_file_format=True)
    assert pixels_of(path)[0, :, 0].tolist() == [0, 128, 255]


@pytest.mark.parametrize("preamble", [True, False], ids=["preamble", "bare"])
def test_dicom_rgb_loads_by_content(preamble: bool, tmp_path: Path) -> None:
    pixels = np.zeros((2, 3, 3), np.uint8)
    pixels[0, 0] = RED
    path = tmp_path / "colour.png"  # the wrong extension on purpose
    write_dicom(path, pixels, "RGB", 8, preamble=preamble)
    loaded = load_image(path)
    assert (loaded.format, loaded.width, loaded.height) == ("DICOM", 3, 2)
    assert loaded.rgb[0, 0].tolist() == list(RED)


def test_dicom_ybr_full_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "ybr.dcm"
    write_dicom(path, np.array([[[76, 85, 255]]], np.uint8), "YBR_FULL", 8)
    assert pixels_of(path)[0, 0].tolist() == pytest.approx(RED, abs=2)


def test_dicom_multi_frame_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mf.dcm"
    write_dicom(path, np.zeros((3, 4, 4), np.uint8), "MONOCHROME2", 8)
    assert "multi-frame DICOM is not supported" in reason_of(path)


def test_dicom_compression_without_decoder_is_named(tmp_path: Path) -> None:
    path = tmp_path / "jls.dcm"
    dataset = write_dicom(path, np.zeros((4, 4), np.uint8), "MONOCHROME2", 8)
    dataset.file_meta.TransferSyntaxUID = JPEGLSLossless
    dataset.PixelData = encapsulate([b"\xff\xd8\xff\xf7" + bytes(12)])
    dataset["PixelData"].VR = "OB"
    dataset.save_as(path, enforce_file_format=True)
    reason = reason_of(path)
    assert "unsupported DICOM compression" in reason and "JPEG-LS" in reason


def test_dicom_without_pixels_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.dcm"
    dataset = write_dicom(path, np.zeros((2, 2), np.uint8), "MONOCHROME2", 8)
    del dataset.PixelData
    dataset.save_as(path, enforce_file_format=True)
    assert "no image" in reason_of(path)


# --- failures ------------------------------------------------------------------


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims the given size, with correct CRCs and no real pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def test_huge_declared_size_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_declaring(100_000, 100_000))
    tracemalloc.start()
    started = time.perf_counter()
    reason = reason_of(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert reason.startswith("image too large (100000×100000 = 10,000,000,000 pixels")
    assert elapsed < 1.0 and peak < 5_000_000


def test_max_pixels_is_checked_from_the_header(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (20, 20)), tmp_path / "a.png")
    reason = reason_of(path, max_pixels=100)
    assert reason == "image too large (20×20 = 400 pixels; the limit is 100)"


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "TIFF", "WEBP", "BMP"])
def test_truncated_file_names_the_format(image_format: str, tmp_path: Path) -> None:
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
    path = save(Image.fromarray(noise), tmp_path / "whole", format=image_format)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    reason = reason_of(path)
    assert "truncated" in reason and image_format in reason


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.png", None, "file not found"),
        ("empty.png", b"", "empty file (0 bytes)"),
        ("notes.jpg", b"not a picture", "not an image (unrecognised content)"),
    ],
)
def test_unreadable_files_say_why(
    name: str, content: bytes | None, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert reason_of(path) == expected


def test_folder_is_refused(tmp_path: Path) -> None:
    assert reason_of(tmp_path) == "is a folder"


def test_corrupt_png_data_is_reported(tmp_path: Path) -> None:
    noise = np.random.default_rng(1).integers(0, 255, (64, 64, 3), np.uint8)
    data = bytearray(save(Image.fromarray(noise), tmp_path / "n.png").read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    (tmp_path / "n.png").write_bytes(bytes(data))
    assert reason_of(tmp_path / "n.png").startswith("truncated or corrupt PNG file")


def test_permission_denied_via_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(Image.new("RGB", (2, 2)), tmp_path / "locked.png")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(imageio, "open", refuse, raising=False)
    assert reason_of(path) == "permission denied"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_permission_denied_on_disk(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (2, 2)), tmp_path / "locked.png")
    path.chmod(0)
    try:
        assert reason_of(path) == "permission denied"
    finally:
        path.chmod(0o600)


# --- real data -----------------------------------------------------------------


@pytest.mark.realdata
def test_real_dermoscopy_images_load(shared_data: Path) -> None:
    for path in sorted((shared_data / "ham10000/images/mel").iterdir())[:3]:
        loaded = load_image(path)
        assert loaded.format == "JPEG"
        assert (loaded.rgb.shape, loaded.rgb.dtype) == ((150, 200, 3), np.uint8)
