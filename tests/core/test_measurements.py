"""Lesion measurements on shapes whose answers we know."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from skindesk.core import dermoscopy_colours
from skindesk.core.measurements import TDS_LABEL, measure_lesion


def circle(radius: int, size: int = 800) -> np.ndarray:
    mask = np.zeros((size, size), np.uint8)
    cv2.circle(mask, (size // 2, size // 2), radius, 255, -1)
    return mask


def star(points: int = 7, outer: int = 200, inner: int = 110, size: int = 600) -> np.ndarray:
    angles = np.arange(2 * points) * math.pi / points
    radii = np.where(np.arange(2 * points) % 2 == 0, outer, inner)
    polygon = np.stack([size / 2 + radii * np.cos(angles), size / 2 + radii * np.sin(angles)], 1)
    mask = np.zeros((size, size), np.uint8)
    cv2.fillPoly(mask, [polygon.round().astype(np.int32)], 255)
    return mask


def kite(size: int = 600) -> np.ndarray:
    """Symmetric about one axis only: a big disc with a small one beside it."""
    mask = np.zeros((size, size), np.uint8)
    cv2.circle(mask, (250, 300), 120, 255, -1)
    cv2.circle(mask, (400, 300), 60, 255, -1)
    return mask


@pytest.mark.parametrize("radius", [20, 80, 300])
def test_circle_is_compact_symmetric_and_has_its_diameter(radius):
    m = measure_lesion(circle(radius))
    assert m.compactness == pytest.approx(1.0, abs=0.06)
    assert m.asymmetry_major < 0.02 and m.asymmetry_minor < 0.02
    assert m.asymmetry_score == 0
    assert m.equivalent_diameter_px == pytest.approx(2 * radius, rel=0.02)
    assert m.max_diameter_px == pytest.approx(2 * radius + 1, abs=1.5)
    assert m.area_px == pytest.approx(math.pi * radius**2, rel=0.03)


def test_millimetres_follow_the_pixel_spacing():
    m = measure_lesion(circle(100), pixel_spacing_mm=0.03)
    assert m.max_diameter_mm == pytest.approx(m.max_diameter_px * 0.03, rel=1e-3)
    assert m.equivalent_diameter_mm == pytest.approx(6.0, rel=0.02)
    assert m.area_mm2 == pytest.approx(m.area_px * 0.03**2, rel=1e-3)


def test_without_spacing_there_are_no_millimetres():
    m = measure_lesion(circle(50))
    assert m.max_diameter_mm is None and m.area_mm2 is None


def test_rotated_ellipse_is_symmetric_about_both_principal_axes():
    mask = np.zeros((600, 600), np.uint8)
    cv2.ellipse(mask, (300, 300), (220, 90), 33, 0, 360, 255, -1)
    m = measure_lesion(mask)
    assert max(m.asymmetry_major, m.asymmetry_minor) < 0.03
    assert m.asymmetry_score == 0


def test_star_has_a_more_irregular_border_than_a_circle():
    assert measure_lesion(star()).compactness > 1.3 * measure_lesion(circle(150)).compactness


def test_asymmetric_shape_scores_higher_asymmetry():
    ellipse, lopsided = np.zeros((600, 600), np.uint8), kite()
    cv2.ellipse(ellipse, (300, 300), (200, 120), 0, 0, 360, 255, -1)
    a, b = measure_lesion(ellipse), measure_lesion(lopsided)
    assert max(b.asymmetry_major, b.asymmetry_minor) > 0.1
    assert b.asymmetry_score >= 1 > a.asymmetry_score
    # Mirrored about the line through both discs' centres it stays symmetric.
    assert min(b.asymmetry_major, b.asymmetry_minor) < 0.03


def test_box_is_exclusive_and_only_the_largest_region_counts():
    mask = np.zeros((100, 100), np.uint8)
    mask[10:30, 20:50] = 255
    mask[80:82, 80:82] = 255  # a speck elsewhere
    m = measure_lesion(mask)
    assert m.box == (20, 10, 50, 30)
    assert m.area_px == 600


def _stripes(colours: list[tuple[float, float, float]], height: int = 120) -> np.ndarray:
    stripes = [np.tile(np.array(c) * 255, (height, 40, 1)) for c in colours]
    return np.hstack(stripes).round().astype(np.uint8)


def test_all_six_reference_colours_are_counted():
    image = _stripes(list(dermoscopy_colours.REFERENCE_COLOURS.values()))
    m = measure_lesion(np.full(image.shape[:2], 255, np.uint8), image)
    assert m.colours == list(dermoscopy_colours.REFERENCE_COLOURS)


def test_a_single_colour_patch_counts_once():
    image = _stripes([dermoscopy_colours.REFERENCE_COLOURS["light brown"]] * 3)
    m = measure_lesion(np.full(image.shape[:2], 255, np.uint8), image)
    assert m.colours == ["light brown"]


def test_colour_below_five_percent_is_not_counted():
    image = np.zeros((100, 100, 3), np.uint8)
    image[:] = np.array(dermoscopy_colours.REFERENCE_COLOURS["dark brown"]) * 255
    image[:, :3] = 0  # 3 % black
    fractions = dermoscopy_colours.colour_fractions(image, np.ones((100, 100), np.uint8))
    assert fractions["black"] == pytest.approx(0.03, abs=0.005)
    assert dermoscopy_colours.colours_present(fractions) == ["dark brown"]


def test_sharp_border_counts_more_abrupt_sectors_than_a_faded_one():
    mask = circle(120, 400)
    sharp = np.where(mask[..., None] > 0, (90, 50, 35), (225, 175, 150)).astype(np.uint8)
    faded = cv2.GaussianBlur(sharp, (0, 0), 40)
    assert measure_lesion(mask, sharp).border_abrupt_sectors == 8
    assert measure_lesion(mask, faded).border_abrupt_sectors < 8


def test_tds_is_partial_and_labelled_as_heuristic():
    mask = kite()
    image = np.where(mask[..., None] > 0, (90, 50, 35), (225, 175, 150)).astype(np.uint8)
    m = measure_lesion(mask, image)
    colour_score = max(1, len(m.colours))
    expected = 1.3 * m.asymmetry_score + 0.1 * m.border_abrupt_sectors + 0.5 * colour_score
    assert m.tds_partial == pytest.approx(expected, abs=0.01)
    assert m.tds_range == pytest.approx((expected + 0.5, expected + 2.5), abs=0.01)
    assert m.tds_label == TDS_LABEL
    assert "not validated" in TDS_LABEL


def test_to_dict_is_plain_json():
    mask = circle(60, 300)
    image = np.where(mask[..., None] > 0, (90, 50, 35), (225, 175, 150)).astype(np.uint8)
    data = measure_lesion(mask, image, pixel_spacing_mm=0.02).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert isinstance(data["box"], list) and isinstance(data["area_px"], int)


def test_empty_mask_and_bad_spacing_are_rejected():
    with pytest.raises(ValueError, match="empty"):
        measure_lesion(np.zeros((10, 10), np.uint8))
    with pytest.raises(ValueError, match="positive"):
        measure_lesion(circle(10, 50), pixel_spacing_mm=0)
