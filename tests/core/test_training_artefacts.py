"""Simulated hair, marker ink and rulers for the ``artefacts`` training view."""

from __future__ import annotations

import numpy as np
import pytest

from skindesk.core.training.artefacts import (
    INK_COLOURS,
    add_artefacts,
    add_hair,
    add_ink,
    add_ruler,
)
from skindesk.core.training.views import apply_view


def _skin(height: int = 200, width: int = 260) -> np.ndarray:
    """Plain light skin with a brown disc in the middle."""
    import cv2

    image = np.full((height, width, 3), (225, 180, 160), np.uint8)
    cv2.circle(image, (width // 2, height // 2), min(height, width) // 4, (120, 80, 60), -1)
    return image


def test_hair_adds_thin_dark_strokes() -> None:
    image = _skin()
    haired = add_hair(image, np.random.default_rng(3))
    darker = haired.astype(int).sum(axis=2) < image.astype(int).sum(axis=2) - 60
    assert 0.002 < darker.mean() < 0.25  # strokes, not a veil over the image
    assert haired.shape == image.shape and haired.dtype == np.uint8


def test_ink_is_violet_or_blue() -> None:
    image = _skin()
    inked = add_ink(image, np.random.default_rng(5))
    changed = np.any(inked != image, axis=2)
    assert changed.any()
    green, blue = (inked[changed].astype(int)[:, i] for i in (1, 2))
    assert np.median(blue - green) > 0, "marker ink is bluer than skin"
    assert all(c[2] > c[1] for c in INK_COLOURS)


@pytest.mark.parametrize("seed", range(4))
def test_the_ruler_lies_along_one_edge_only(seed: int) -> None:
    image = _skin()
    ruled = add_ruler(image, np.random.default_rng(seed))
    assert ruled.shape == image.shape
    changed = np.any(ruled != image, axis=2)
    edges = [changed[:30].mean(), changed[-30:].mean(), changed[:, :30].mean(), changed[:, -30:].mean()]
    assert max(edges) > 0.2
    assert not changed[60:-60, 60:-60].any(), "the middle of the field stays untouched"


def test_artefacts_always_add_something_and_work_on_84_pixel_copies() -> None:
    for seed in range(20):
        image = _skin(84, 84)
        assert not np.array_equal(add_artefacts(image, np.random.default_rng(seed)), image)


def test_the_artefacts_view_is_deterministic_per_file() -> None:
    image = _skin()
    first = apply_view(image, "artefacts", "ISIC_1.jpg")
    assert np.array_equal(first, apply_view(image, "artefacts", "ISIC_1.jpg"))
    assert not np.array_equal(first, apply_view(image, "artefacts", "ISIC_2.jpg"))
