"""Every explanation method on the bundled default model and a real dermoscopy image.

The default model nests its backbone as one layer (the target layer is
inside it): the hard case for finding the target layer. Overlays are
saved to test-output/ to be looked at.
"""

from __future__ import annotations

import numpy as np
import pytest

from skindesk.core.explain.registry import METHODS
from skindesk.core.imageio import load_image
from skindesk.core.metadata import PatientMetadata

pytestmark = [pytest.mark.slow, pytest.mark.realdata]
IMAGE_ID = "ISIC_0024310"  # a melanoma with a clear, central lesion
CHEAP = {"scorecam": {"top_k": 8}, "occlusion": {"patch_size": 64, "stride": 48}}


@pytest.fixture(scope="module")
def lesion(shared_data):
    return load_image(shared_data / "ham10000" / "images" / "mel" / f"{IMAGE_ID}.jpg").rgb


def test_split_default_model_equals_its_predictor(default_engine, lesion):
    from skindesk.core.explain.cam_model import cam_model_for

    cam = cam_model_for(default_engine.keras_model, default_engine.card.gradcam_layer, 10)
    images = np.stack([default_engine.prepare(lesion)])
    meta = default_engine._metadata_batch([PatientMetadata.create(age=60, sex="male")])

    result = cam.gradients(images, meta, np.array([4]))

    np.testing.assert_allclose(result.outputs, default_engine._predictor(images, meta), atol=1e-5)
    _, height, width, channels = result.activations.shape
    # The last convolution's map (9×9×1280 for Lite2 at 260 px), not a pooled vector.
    assert height == width >= 7 and channels >= 1024 and np.abs(result.gradients).max() > 0


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_on_a_real_lesion(default_engine, lesion, output_dir, method):
    from skindesk.core.explain.api import explain_images

    result = explain_images(default_engine, [lesion], method, **CHEAP.get(method, {}))[0]

    height, width = lesion.shape[:2]
    assert result.heatmap.shape == (height, width) and np.isfinite(result.heatmap).all()
    assert 0 <= result.peak[0] < width and 0 <= result.peak[1] < height
    assert result.heatmap.max() == pytest.approx(1.0)
    result.save_overlay(output_dir / f"{IMAGE_ID}_{method}.png", lesion, "jet", 0.45)
