"""The ``strong`` augmentation of end-to-end training (``skindesk train --augmentation strong``)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from skindesk.core.training import e2e_augment as aug
from skindesk.core.training.e2e_data import ImageTable, image_dataset, read_resized
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask


@pytest.fixture(scope="module")
def lesion() -> np.ndarray:
    return dermoscopy_like(ellipse_mask(240, 320))


def _sharpness(rgb: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def test_a_random_resized_crop_is_a_window_of_the_allowed_area_and_aspect(lesion):
    rng = np.random.default_rng(0)
    for _ in range(50):
        crop = aug.random_resized_crop(lesion, rng)
        h, w = crop.shape[:2]
        assert aug.CROP_AREA[0] - 0.02 <= h * w / (240 * 320) <= 1.0
        assert aug.CROP_ASPECT[0] - 0.05 <= w / h <= aug.CROP_ASPECT[1] + 0.05
        assert np.shares_memory(crop, lesion), "a window of the image, not a copy or a resize"


def test_blur_and_the_84_pixel_round_trip_lose_detail_and_keep_the_size(lesion):
    rng = np.random.default_rng(1)
    for changed in (aug.blur(lesion, rng), aug.low_resolution(lesion)):
        assert changed.shape == lesion.shape and changed.dtype == np.uint8
        assert _sharpness(changed) < 0.8 * _sharpness(lesion)
    small = lesion[:60, :80]
    assert aug.low_resolution(small) is small, "an image already below 84 px is left alone"


def test_strong_augment_follows_its_seed_and_varies_between_seeds(lesion):
    first = aug.strong_augment(lesion, np.random.default_rng(7))
    again = aug.strong_augment(lesion, np.random.default_rng(7))
    np.testing.assert_array_equal(first, again)
    draws = [aug.strong_augment(lesion, np.random.default_rng(seed)) for seed in range(12)]
    assert all(d.dtype == np.uint8 and d.ndim == 3 and d.shape[2] == 3 for d in draws)
    assert len({d.shape for d in draws}) > 3, "crops of different sizes"
    assert lesion.sum() == dermoscopy_like(ellipse_mask(240, 320)).sum(), "the input is not changed"


def test_reading_with_a_seed_augments_and_still_gives_the_network_size(tmp_path: Path, lesion):
    path = tmp_path / "lesion.png"
    cv2.imwrite(str(path), cv2.cvtColor(lesion, cv2.COLOR_RGB2BGR))
    plain, ok = read_resized(str(path), 64)
    assert ok and plain.shape == (64, 64, 3)
    augmented = [read_resized(str(path), 64, seed)[0] for seed in range(5)]
    assert all(a.shape == (64, 64, 3) and a.dtype == np.float32 for a in augmented)
    assert any(np.abs(a - plain).mean() > 2 for a in augmented)


def test_strong_training_batches_stream_with_labels_and_weights(tmp_path: Path, lesion):
    paths = []
    for i in range(6):
        paths.append(str(tmp_path / f"{i}.png"))
        cv2.imwrite(paths[-1], cv2.cvtColor(np.roll(lesion, 10 * i, axis=1), cv2.COLOR_RGB2BGR))
    table = ImageTable(paths, np.array([0, 1, 0, 1, 0, 1]), np.zeros(6, bool), np.array(["a"] * 6))
    batches = list(image_dataset(table, 48, "none", 4, "train", augmentation="strong"))
    images, labels, weights = batches[0]
    assert images.shape == (4, 48, 48, 3) and labels.shape == (4,) and weights.shape == (4,)
    assert sum(int(b[0].shape[0]) for b in batches) == 6
    with pytest.raises(ValueError, match="unknown augmentation"):
        image_dataset(table, 48, "none", 4, "train", augmentation="extreme")

