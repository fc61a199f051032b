"""Each preprocessing step on small generated images."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from skindesk.core.preprocess import (
    STEP_TYPES,
    BlackCornerMask,
    CenterCrop,
    Clahe,
    Denoise,
    HairRemoval,
    PreprocessingError,
    Resize,
    ShadesOfGray,
)
from tests.core.preprocess_images import (
    BLOB_RADIUS,
    CENTRE,
    LESION,
    dermatoscope,
    draw_hairs,
    gray_texture,
    skin_with_blob,
)


def mean_abs_diff(a: np.ndarray, b: np.ndarray, where: np.ndarray | None = None) -> float:
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    return float(diff[where].mean() if where is not None else diff.mean())


def blob_core() -> np.ndarray:
    mask = np.zeros((150, 200), np.uint8)
    cv2.circle(mask, CENTRE, BLOB_RADIUS - 4, 1, thickness=-1)
    return mask.astype(bool)


# --- every step ------------------------------------------------------------


@pytest.mark.parametrize("type_name", sorted(STEP_TYPES))
def test_every_step_returns_uint8_rgb_and_leaves_its_input_alone(type_name: str) -> None:
    image = dermatoscope()
    before = image.copy()
    result = STEP_TYPES[type_name]()(image)
    assert result.dtype == np.uint8 and result.ndim == 3 and result.shape[2] == 3
    np.testing.assert_array_equal(image, before)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: HairRemoval(hair="grey"),
        lambda: HairRemoval(kernel_size=True),
        lambda: HairRemoval(kernel_size=2.5),
        lambda: Denoise(method="gaussian"),
        lambda: Denoise(search_window=20),
        lambda: ShadesOfGray(p=0.5),
        lambda: ShadesOfGray(p="six"),
        lambda: Clahe(clip_limit=-1),
        lambda: Resize(width=0),
        lambda: CenterCrop(scale=1.5),
        lambda: BlackCornerMask(fill="blur"),
    ],
)
def test_invalid_parameters_raise_preprocessing_error(bad) -> None:
    with pytest.raises(PreprocessingError):
        bad()


def test_parameters_are_coerced_so_int_and_float_compare_equal() -> None:
    assert ShadesOfGray(p=6) == ShadesOfGray(p=6.0)
    assert isinstance(ShadesOfGray(p=6).p, float)
    assert Resize(width=100.0).width == 100 and isinstance(Resize(width=100.0).width, int)


# --- hair removal ----------------------------------------------------------


def test_dark_hair_removal_restores_skin_and_keeps_the_lesion() -> None:
    clean = skin_with_blob()
    hairy, hair = draw_hairs(clean, (40, 30, 25))
    result = HairRemoval(hair="dark")(hairy)
    assert mean_abs_diff(hairy, clean, hair) > 100  # the hairs really were dark
    assert mean_abs_diff(result, clean, hair) < 12
    assert mean_abs_diff(result, clean, blob_core()) < 3


def test_dark_hair_mask_ignores_round_dots_inside_the_lesion() -> None:
    # Dots and globules are diagnostic; they must not be inpainted as hair.
    image = skin_with_blob()
    for dx, dy in [(-10, -8), (6, 5), (12, -12)]:
        cv2.circle(image, (CENTRE[0] + dx, CENTRE[1] + dy), 2, (30, 15, 10), thickness=-1)
    assert not HairRemoval(hair="dark").hair_mask(image).any()


@pytest.mark.parametrize("hair, removed", [("light", True), ("both", True), ("dark", False)])
def test_light_hairs_are_removed_only_when_asked(hair: str, removed: bool) -> None:
    clean = skin_with_blob()
    hairy, hair_mask = draw_hairs(clean, (255, 255, 255))
    error = mean_abs_diff(HairRemoval(hair=hair)(hairy), clean, hair_mask)
    assert (error < 12) is removed


def test_both_removes_dark_and_light_hairs_with_navier_stokes_inpainting() -> None:
    clean = skin_with_blob()
    hairy, dark_mask = draw_hairs(clean, (40, 30, 25))
    hairy[::-1, ::-1], light_mask = draw_hairs(hairy[::-1, ::-1].copy(), (250, 250, 250))
    result = HairRemoval(hair="both", inpaint_method="ns", inpaint_radius=5)(hairy)
    assert mean_abs_diff(result, clean, dark_mask | light_mask[::-1, ::-1]) < 15


def test_hair_removal_without_hair_changes_nothing() -> None:
    clean = skin_with_blob()
    np.testing.assert_array_equal(HairRemoval()(clean), clean)


# --- colour constancy ------------------------------------------------------

CAST = np.array([1.0, 0.8, 0.6])


def with_cast(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image * CAST), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("p", [1, 6, math.inf])
def test_shades_of_gray_removes_a_colour_cast(p: float) -> None:
    result = ShadesOfGray(p=p)(with_cast(gray_texture()))
    means = result.reshape(-1, 3).mean(axis=0)
    assert means.max() - means.min() < 0.02 * means.mean()


def test_p1_is_gray_world_computed_by_hand() -> None:
    image = with_cast(skin_with_blob())
    channel_means = image.reshape(-1, 3).astype(np.float64).mean(axis=0)
    gains = channel_means.mean() / channel_means
    expected = np.clip(np.rint(image * gains), 0, 255).astype(np.uint8)
    result = ShadesOfGray(p=1)(image)
    assert np.abs(result.astype(int) - expected).max() <= 1
    assert ShadesOfGray(p=1).summary == "gray world"


def test_shades_of_gray_keeps_overall_brightness() -> None:
    image = with_cast(gray_texture())
    result = ShadesOfGray(p=6)(image)
    assert abs(result.mean() - image.mean()) < 0.05 * image.mean()


def test_shades_of_gray_leaves_an_image_with_an_empty_channel_alone() -> None:
    image = gray_texture()
    image[..., 2] = 0
    np.testing.assert_array_equal(ShadesOfGray()(image), image)


# --- denoising -------------------------------------------------------------


@pytest.mark.parametrize("method", ["nlmeans", "bilateral", "median"])
def test_denoising_reduces_noise_on_a_flat_image(method: str) -> None:
    rng = np.random.default_rng(1)
    noisy = np.clip(rng.normal(128, 10, (80, 80, 3)), 0, 255).astype(np.uint8)
    result = Denoise(method=method, h=10, h_color=10, sigma_color=40)(noisy)
    assert result.std() < 0.6 * noisy.std()
    assert abs(result.mean() - noisy.mean()) < 2


# --- contrast --------------------------------------------------------------


def test_clahe_raises_lightness_contrast_and_keeps_hue() -> None:
    flat = gray_texture() // 6 + 100  # lightness squeezed into 107..133
    tinted = np.clip(flat * np.array([1.2, 0.9, 0.8]), 0, 255).astype(np.uint8)
    result = Clahe(clip_limit=3.0)(tinted)
    lab_before = cv2.cvtColor(tinted, cv2.COLOR_RGB2LAB).astype(float)
    lab_after = cv2.cvtColor(result, cv2.COLOR_RGB2LAB).astype(float)
    assert lab_after[..., 0].std() > 1.5 * lab_before[..., 0].std()
    hue_before = np.degrees(np.arctan2(lab_before[..., 2] - 128, lab_before[..., 1] - 128))
    hue_after = np.degrees(np.arctan2(lab_after[..., 2] - 128, lab_after[..., 1] - 128))
    assert abs(np.median(hue_after) - np.median(hue_before)) < 5


# --- geometry --------------------------------------------------------------


@pytest.mark.parametrize("interpolation", ["auto", "area", "linear", "cubic", "lanczos", "nearest"])
@pytest.mark.parametrize("size", [(64, 48), (400, 300)])
def test_resize_gives_the_exact_target_size(interpolation: str, size: tuple[int, int]) -> None:
    result = Resize(width=size[0], height=size[1], interpolation=interpolation)(skin_with_blob())
    assert result.shape == (size[1], size[0], 3)
    assert abs(result.mean() - skin_with_blob().mean()) < 5


def test_center_crop_to_a_square_keeps_the_middle() -> None:
    image = skin_with_blob()  # 150 × 200
    result = CenterCrop(aspect=1.0)(image)
    np.testing.assert_array_equal(result, image[:, 25:175])


@pytest.mark.parametrize("aspect, scale, shape", [(2.0, 1.0, (100, 200)), (1.0, 0.5, (75, 75))])
def test_center_crop_aspect_and_scale(aspect: float, scale: float, shape: tuple) -> None:
    result = CenterCrop(aspect=aspect, scale=scale)(skin_with_blob())
    assert result.shape[:2] == shape
    np.testing.assert_array_equal(result[shape[0] // 2, shape[1] // 2], LESION)


# --- black-corner masking --------------------------------------------------


@pytest.mark.parametrize("centre", [CENTRE, (CENTRE[0] + 12, CENTRE[1] - 6)])
@pytest.mark.parametrize("fill", ["mean", "inpaint"])
def test_black_corners_are_filled_and_the_centre_is_untouched(centre, fill: str) -> None:
    image = dermatoscope(centre=centre)
    result = BlackCornerMask(fill=fill)(image)
    corners = result[[0, 0, -1, -1], [0, -1, 0, -1]].astype(int)
    assert corners.min() > 100  # no longer black
    skin = np.array(image[centre[1], centre[0] - 50], int)
    assert np.abs(corners - skin).max() < 40  # filled with skin colour
    inner = np.zeros(image.shape[:2], np.uint8)
    cv2.circle(inner, centre, 70, 1, thickness=-1)
    np.testing.assert_array_equal(result[inner.astype(bool)], image[inner.astype(bool)])


def test_black_corner_masking_keeps_a_dark_lesion_touching_the_rim() -> None:
    image = dermatoscope()
    cv2.circle(image, (CENTRE[0] + 80, CENTRE[1]), 15, (15, 10, 8), thickness=-1)
    result = BlackCornerMask()(image)
    assert result[CENTRE[1], CENTRE[0] + 70].max() < 40


@pytest.mark.parametrize("image", [skin_with_blob(), gray_texture(), dermatoscope(radius=200)])
def test_black_corner_masking_is_a_no_op_without_dark_corners(image: np.ndarray) -> None:
    np.testing.assert_array_equal(BlackCornerMask()(image), image)


def test_a_square_dark_frame_is_masked_without_a_circle() -> None:
    image = skin_with_blob()
    image[:12], image[-12:], image[:, :12], image[:, -12:] = 0, 0, 0, 0
    result = BlackCornerMask()(image)
    assert result[:12].min() > 100
    np.testing.assert_array_equal(result[40:110, 60:140], image[40:110, 60:140])


def test_black_corner_masking_on_a_large_image() -> None:
    # Above 400 pixels the detection runs on a downscaled copy.
    image = cv2.resize(dermatoscope(), (800, 600), interpolation=cv2.INTER_NEAREST)
    result = BlackCornerMask()(image)
    assert result[[0, 0, -1, -1], [0, -1, 0, -1]].min() > 100
    np.testing.assert_array_equal(result[200:400, 250:550], image[200:400, 250:550])
