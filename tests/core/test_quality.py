"""Image-quality and scope warnings on made-up problems and on real dermoscopy images."""

from __future__ import annotations

import json
import random

import cv2
import numpy as np
import pytest

from skindesk.core.quality import QualityWarning, check_quality
from skindesk.core.segmentation import segment_lesion
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask


def codes(rgb: np.ndarray, **kwargs) -> set[str]:
    return {w.code for w in check_quality(rgb, **kwargs)}


@pytest.fixture
def good_image() -> np.ndarray:
    return dermoscopy_like(ellipse_mask(480, 640), hairs=4)


def document(height: int = 600, width: int = 800) -> np.ndarray:
    page = np.full((height, width, 3), 245, np.uint8)
    for line in range(20):
        text = "Referral: pigmented lesion, left forearm, 6 mm, changing"[: 40 + line % 15]
        cv2.putText(page, text, (20, 30 + 28 * line), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                    (20, 20, 20), 2, cv2.LINE_AA)
    return page


def test_good_synthetic_image_has_no_warnings(good_image):
    assert check_quality(good_image) == []


@pytest.mark.parametrize("hairs,sigma", [(0, 4), (4, 10)])
def test_blurred_image_is_out_of_focus(hairs, sigma):
    # Sharp dark hairs keep some edge energy, so they need a stronger blur to count.
    image = dermoscopy_like(ellipse_mask(480, 640), hairs=hairs)
    assert "out_of_focus" in codes(cv2.GaussianBlur(image, (0, 0), sigma))


def test_dark_image_is_under_exposed(good_image):
    assert "too_dark" in codes((good_image * 0.15).astype(np.uint8))


def test_burnt_out_image_is_over_exposed(good_image):
    bright = np.clip(good_image.astype(int) + 160, 0, 255).astype(np.uint8)
    assert "too_bright" in codes(bright)


@pytest.mark.parametrize("colour", [(0, 0, 0), (128, 128, 128), (210, 160, 140)])
def test_plain_colour_is_reported(colour):
    assert "plain_image" in codes(np.full((300, 400, 3), colour, np.uint8))


def test_document_is_recognised():
    assert "looks_like_document" in codes(document())


def test_green_photo_is_not_skin():
    rng = np.random.default_rng(0)
    meadow = np.zeros((300, 400, 3), np.uint8)
    meadow[:150] = (120, 170, 230)  # sky
    meadow[150:] = (60, 150, 50)  # grass
    meadow = np.clip(meadow + rng.normal(0, 8, meadow.shape), 0, 255).astype(np.uint8)
    assert "not_skin_colours" in codes(meadow)


def test_thumbnail_is_too_small_but_ham_size_is_not():
    small = dermoscopy_like(ellipse_mask(60, 80))
    ham_size = dermoscopy_like(ellipse_mask(150, 200))
    assert "too_small" in codes(small)
    assert "too_small" not in codes(ham_size)


def test_failed_segmentation_adds_a_warning():
    flat = np.full((300, 400, 3), 200, np.uint8)
    warnings = check_quality(flat, segmentation=segment_lesion(flat))
    assert "no_lesion_found" in {w.code for w in warnings}


def test_warnings_are_plain_json_with_words_for_clinicians():
    warnings = check_quality(document())
    assert warnings and all(isinstance(w, QualityWarning) for w in warnings)
    for warning in warnings:
        data = warning.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert len(warning.message.split()) >= 8 and "_" not in warning.message


def test_odd_inputs_do_not_raise():
    check_quality(np.zeros((1, 1, 3), np.uint8))
    check_quality(np.full((50, 50), 128, np.uint8))  # grayscale


def _real_sample(folder, count: int, seed: int = 0) -> list:
    paths = sorted(folder.glob("*/*.jpg"))
    return random.Random(seed).sample(paths, count)


@pytest.mark.realdata
@pytest.mark.parametrize("dataset", ["ham10000", "isic2017"])
def test_real_dermoscopy_images_are_mostly_warning_free(shared_data, dataset):
    paths = _real_sample(shared_data / dataset / "images", 100)
    flagged = {}
    for path in paths:
        rgb = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
        found = check_quality(rgb, segmentation=segment_lesion(rgb))
        if found:
            flagged[path.stem] = [w.code for w in found]
    rate = 1 - len(flagged) / len(paths)
    print(f"{dataset}: {rate:.0%} of {len(paths)} real images warning-free; flagged: {flagged}")
    assert rate >= 0.9


def test_the_fast_channel_reductions_equal_numpys() -> None:
    from skindesk.core import _segment_ops as ops

    rng = np.random.default_rng(3)
    for shape in [(192, 256, 3), (1, 1, 3), (7, 5, 3)]:
        rgb = rng.integers(0, 256, size=shape, dtype=np.uint8)
        np.testing.assert_array_equal(ops.channel_max(rgb), rgb.max(axis=2))
        np.testing.assert_array_equal(ops.channel_min(rgb), rgb.min(axis=2))
        # The plain-image check's per-channel spread: OpenCV's equals NumPy's population std.
        np.testing.assert_allclose(cv2.meanStdDev(rgb)[1].ravel(), rgb.reshape(-1, 3).std(axis=0), atol=1e-9)
