"""Drawing heat maps: overlays, colour maps, PNG files, and the method registry."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from skindesk.core.errors import SettingsError
from skindesk.core.explain import COLORMAPS, METHODS, Explanation, method_names, render_overlay
from skindesk.core.explain.overlay import colorize, write_png


def gradient_map(height: int = 30, width: int = 40) -> np.ndarray:
    return np.tile(np.linspace(0, 1, width, dtype=np.float32), (height, 1))


def photo(height: int = 30, width: int = 40) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_overlay_is_an_rgb_image_of_the_photo_size():
    overlay = render_overlay(photo(), gradient_map(), "inferno", 0.5)

    assert overlay.shape == (30, 40, 3) and overlay.dtype == np.uint8


def test_opacity_zero_is_the_photo_and_one_is_the_heat_map():
    image, heat = photo(), gradient_map()

    np.testing.assert_array_equal(render_overlay(image, heat, "jet", 0.0), image)
    np.testing.assert_array_equal(render_overlay(image, heat, "jet", 1.0), colorize(heat, "jet"))


def test_colours_are_rgb_not_bgr():
    hot, cold = colorize(np.array([[1.0, 0.0]], np.float32), "jet")[0]

    assert hot[0] > 100 and hot[2] < 50  # jet's maximum is red
    assert cold[2] > 100 and cold[0] < 50  # and its minimum blue


def test_a_smaller_heat_map_is_stretched_to_the_photo():
    assert render_overlay(photo(60, 80), gradient_map(), "viridis").shape == (60, 80, 3)


@pytest.mark.parametrize("name", ["jet", "inferno", "viridis", "turbo", "magma"])
def test_common_colour_maps_exist(name):
    assert name in COLORMAPS


def test_bad_colour_map_or_opacity_is_a_settings_error():
    with pytest.raises(SettingsError, match="unknown colour map"):
        render_overlay(photo(), gradient_map(), "rainbow-unicorn")
    with pytest.raises(SettingsError, match="opacity"):
        render_overlay(photo(), gradient_map(), "jet", 1.5)


def test_png_files_round_trip_under_a_non_ascii_name(tmp_path):
    explanation = Explanation(
        heatmap=gradient_map(),
        method="gradcam",
        method_name="Grad-CAM",
        class_id="mel",
        class_index=4,
        probability=0.9,
        peak=(39, 0),
    )
    heat_path = explanation.save_heatmap(tmp_path / "Läsion_热图.png")
    overlay_path = explanation.save_overlay(tmp_path / "Überlagerung.png", photo(), "jet", 0.4)

    heat = cv2.imdecode(np.fromfile(heat_path, np.uint8), cv2.IMREAD_UNCHANGED)
    overlay = cv2.imdecode(np.fromfile(overlay_path, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
    np.testing.assert_array_equal(heat, explanation.heatmap_uint8())
    assert heat.dtype == np.uint8 and heat.ndim == 2 and heat.max() == 255
    np.testing.assert_array_equal(overlay, explanation.overlay(photo(), "jet", 0.4))
    assert explanation.to_dict()["peak"] == [39, 0]


def test_writing_into_a_missing_folder_is_a_user_error(tmp_path):
    from skindesk.core.errors import UserError

    with pytest.raises(UserError, match="cannot write"):
        write_png(tmp_path / "no" / "such" / "dir.png", photo())


def test_registry_lists_every_method_with_a_readable_name():
    assert list(METHODS) == ["gradcam", "gradcam++", "scorecam", "layercam", "occlusion"]
    assert method_names()["gradcam++"] == "Grad-CAM++"
    assert all(cls.method_id == key for key, cls in METHODS.items())


def test_unknown_method_is_a_settings_error():
    from skindesk.core.explain import create_explainer

    with pytest.raises(SettingsError, match="unknown explanation method"):
        create_explainer("saliency-magic")
