"""Synthetic test images for the preprocessing tests (uint8 RGB arrays)."""

from __future__ import annotations

import cv2
import numpy as np

SKIN = (225, 175, 155)
LESION = (120, 70, 50)
HEIGHT, WIDTH = 150, 200
CENTRE = (WIDTH // 2, HEIGHT // 2)  # (x, y) as OpenCV draws
BLOB_RADIUS = 25


def skin_with_blob(seed: int = 0) -> np.ndarray:
    """Smooth skin with a gentle shading gradient, a little noise and a brown blob."""
    rng = np.random.default_rng(seed)
    shading = np.linspace(0.95, 1.05, WIDTH)[None, :, None]
    image = np.float32(SKIN) * shading * np.ones((HEIGHT, WIDTH, 1))
    image += rng.normal(0, 1.5, image.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    cv2.circle(image, CENTRE, BLOB_RADIUS, LESION, thickness=-1, lineType=cv2.LINE_AA)
    return image


# Hairs that avoid the blob, so their pixels should end up skin-coloured.
HAIR_LINES = [((5, 10), (190, 30)), ((10, 140), (60, 20)), ((150, 145), (195, 40))]


def draw_hairs(image: np.ndarray, colour: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Image with thin lines drawn on it, and the boolean mask of the line pixels."""
    hairy = image.copy()
    mask = np.zeros(image.shape[:2], np.uint8)
    for start, end in HAIR_LINES:
        cv2.line(hairy, start, end, colour, thickness=2)
        cv2.line(mask, start, end, 1, thickness=2)
    return hairy, mask.astype(bool)


def dermatoscope(radius: int = 90, centre: tuple[int, int] = CENTRE) -> np.ndarray:
    """Skin and blob seen through a round lens: black outside the circle."""
    image = skin_with_blob()
    outside = np.ones(image.shape[:2], np.uint8)
    cv2.circle(outside, centre, radius, 0, thickness=-1)
    image[outside.astype(bool)] = (3, 2, 2)
    return image


def gray_texture(seed: int = 0) -> np.ndarray:
    """A neutral grey random texture (equal channels), values 40..200."""
    rng = np.random.default_rng(seed)
    small = rng.integers(40, 200, (HEIGHT // 10, WIDTH // 10), dtype=np.uint8)
    gray = cv2.resize(small, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    return np.repeat(gray[..., None], 3, axis=2)
