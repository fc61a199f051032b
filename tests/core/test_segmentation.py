"""Lesion segmentation: synthetic lesions with known outlines, real HAM10000 masks, the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from skindesk.cli import main as cli_main
from skindesk.core.segmentation import SegmentationResult, segment_lesion
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask, iou

SIZES = [(150, 200), (480, 640), (768, 1024)]


@pytest.mark.parametrize("height,width", SIZES)
@pytest.mark.parametrize("hairs,corners", [(0, False), (8, False), (8, True), (16, True)])
def test_synthetic_lesion_is_found_with_iou_above_0_9(height, width, hairs, corners):
    truth = ellipse_mask(height, width)
    image = dermoscopy_like(truth, hairs=hairs, corners=corners)

    result = segment_lesion(image)

    assert result.found
    assert iou(result.mask, truth) > 0.9


def test_off_centre_lesion_is_found():
    truth = ellipse_mask(300, 400, centre=(140, 120), axes=(60, 45))
    result = segment_lesion(dermoscopy_like(truth, hairs=5))
    assert iou(result.mask, truth) > 0.85


def test_result_contract_mask_and_exclusive_box():
    truth = ellipse_mask(150, 200)
    result = segment_lesion(dermoscopy_like(truth))

    assert isinstance(result, SegmentationResult)
    assert result.mask.shape == truth.shape and result.mask.dtype == np.uint8
    assert set(np.unique(result.mask)) <= {0, 255}
    left, top, right, bottom = result.box
    rows, cols = np.nonzero(result.mask)
    assert (left, top, right, bottom) == (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)
    assert result.area_px == np.count_nonzero(result.mask)
    assert 0 <= result.confidence <= 1 and result.reason == ""


def test_grayscale_input_is_accepted():
    truth = ellipse_mask(150, 200)
    gray = cv2.cvtColor(dermoscopy_like(truth), cv2.COLOR_RGB2GRAY)
    result = segment_lesion(gray)
    assert result.mask.shape == gray.shape


@pytest.mark.parametrize("value", [0, 128, 255])
def test_plain_image_gives_not_found_with_reason(value):
    result = segment_lesion(np.full((150, 200, 3), value, np.uint8))
    assert not result.found
    assert result.reason
    assert result.box is None and result.area_px == 0
    assert result.mask.shape == (150, 200)


def _ham_sample(shared_data: Path, count: int, seed: int = 0) -> list[tuple[str, Path, Path]]:
    images = sorted((shared_data / "ham10000" / "images").glob("*/*.jpg"))
    chosen = random.Random(seed).sample(images, count)
    return [(p.stem, p, shared_data / "ham10000" / "masks" / f"{p.stem}.png") for p in chosen]


def _overlay(rgb: np.ndarray, truth: np.ndarray, result: SegmentationResult) -> np.ndarray:
    """Truth outline green, ours red, our box yellow; scaled up 2× to look at."""
    big = cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), None, fx=2, fy=2)
    for mask, colour in ((truth, (0, 200, 0)), (result.mask, (0, 0, 255))):
        mask2 = cv2.resize(mask, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
        contours, _ = cv2.findContours(mask2, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(big, contours, -1, colour, 2)
    if result.box:
        left, top, right, bottom = (2 * v for v in result.box)
        cv2.rectangle(big, (left, top), (right - 1, bottom - 1), (0, 220, 255), 1)
    return big


@pytest.mark.realdata
@pytest.mark.slow
def test_real_ham10000_sample_mean_iou_at_least_0_7(shared_data, output_dir):
    ious, tiles = [], []
    for image_id, image_path, mask_path in _ham_sample(shared_data, 50):
        rgb = cv2.cvtColor(cv2.imread(str(image_path)), cv2.COLOR_BGR2RGB)
        truth = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE)
        result = segment_lesion(rgb)
        ious.append(iou(result.mask, truth))
        tile = _overlay(rgb, truth, result)
        cv2.putText(tile, f"{image_id} IoU {ious[-1]:.2f}", (4, 16), 0, 0.5, (255, 255, 255), 1)
        tiles.append(tile)
    for index in range(0, 12, 4):
        cv2.imwrite(str(output_dir / f"overlays_{index // 4}.png"), np.hstack(tiles[index:index + 4]))
    print(f"HAM10000 sample of 50: mean IoU {np.mean(ious):.3f}, median {np.median(ious):.3f}")
    assert np.mean(ious) >= 0.7


def _write_png(path: Path, rgb: np.ndarray) -> None:
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    path.write_bytes(data.tobytes())


def test_cli_json_writes_mask_and_one_object(tmp_path, capsys):
    truth = ellipse_mask(150, 200)
    image_path = tmp_path / "läsion 1.png"  # Unicode and a space, as on real desktops
    _write_png(image_path, dermoscopy_like(truth, hairs=4))
    mask_path = tmp_path / "out" / "maske.png"

    code = cli_main(["segment", str(image_path), "--out", str(mask_path),
                     "--pixel-spacing", "0.05", "--json"])

    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["path"] == str(image_path) and report["found"] is True
    assert len(report["box"]) == 4 and report["area_px"] > 0
    assert report["measurements"]["max_diameter_mm"] == pytest.approx(
        report["measurements"]["max_diameter_px"] * 0.05, rel=1e-3)
    mask = cv2.imdecode(np.fromfile(mask_path, np.uint8), cv2.IMREAD_UNCHANGED)
    assert mask.shape == truth.shape and set(np.unique(mask)) <= {0, 255}
    assert iou(mask, truth) > 0.9


def test_cli_summary_is_readable(tmp_path, capsys):
    image_path = tmp_path / "lesion.png"
    _write_png(image_path, dermoscopy_like(ellipse_mask(150, 200)))
    code = cli_main(["segment", str(image_path), "--out", str(tmp_path / "m.png")])
    out = capsys.readouterr().out
    assert code == 0
    assert "lesion box" in out and "not validated" in out and "mask written" in out


def test_cli_reports_not_found_without_failing(tmp_path, capsys):
    image_path = tmp_path / "flat.png"
    _write_png(image_path, np.full((150, 200, 3), 180, np.uint8))
    code = cli_main(["segment", str(image_path), "--out", str(tmp_path / "m.png"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["found"] is False and report["reason"]
    assert report["measurements"] is None and report["box"] is None


@pytest.mark.parametrize("spacing", ["0", "-1", "nan"])
def test_cli_rejects_bad_pixel_spacing(tmp_path, capsys, spacing):
    image_path = tmp_path / "lesion.png"
    _write_png(image_path, dermoscopy_like(ellipse_mask(150, 200)))
    code = cli_main(["segment", str(image_path), "--out", str(tmp_path / "m.png"),
                     "--pixel-spacing", spacing])
    assert code == 2
    assert "pixel-spacing" in capsys.readouterr().err


def test_cli_unreadable_image_is_a_user_error(tmp_path, capsys):
    bad = tmp_path / "not-an-image.png"
    bad.write_bytes(b"hello")
    code = cli_main(["segment", str(bad), "--out", str(tmp_path / "m.png")])
    assert code == 2
    assert "not-an-image.png" in capsys.readouterr().err
