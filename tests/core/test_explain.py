"""Every explanation method points at the evidence a hand-built model really uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skindesk.core.explain.registry import METHODS
from tests.core.explain_models import (
    SEX_METADATA,
    build_quadrant_model,
    install,
    randomize_weights,
    two_blob_image,
)

ALL_METHODS = list(METHODS)
HEIGHT, WIDTH = 48, 64  # not the model's 32×32: maps must come back at this size
FAST_OPTIONS = {"occlusion": {"patch_size": 8, "stride": 4}}


def make_engine(folder: Path, nested: bool = False, randomized_seed: int | None = None):
    from skindesk.core.engine import InferenceEngine
    from skindesk.core.modelcard import load_card

    model = build_quadrant_model(nested)
    if randomized_seed is not None:
        randomize_weights(model, seed=randomized_seed)
    card = {"metadata_input": SEX_METADATA} if nested else {"gradcam_layer": "conv_last"}
    path = install(model, folder, "quad-nested" if nested else "quad", **card)
    return InferenceEngine(load_card(path))


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return make_engine(tmp_path_factory.mktemp("quad"))


@pytest.fixture(scope="module")
def nested_engine(tmp_path_factory):
    return make_engine(tmp_path_factory.mktemp("quad-nested"), nested=True)


def explain(engine, images, method, **kwargs):
    from skindesk.core.explain.api import explain_images

    return explain_images(engine, images, method, **FAST_OPTIONS.get(method, {}), **kwargs)


def quadrant(peak: tuple[int, int]) -> str:
    x, y = peak
    return ("top" if y < HEIGHT / 2 else "bottom") + "-" + ("left" if x < WIDTH / 2 else "right")


@pytest.mark.parametrize("method", ALL_METHODS)
def test_map_peaks_where_the_top_class_finds_its_evidence(engine, method):
    result = explain(engine, [two_blob_image(HEIGHT, WIDTH)], method)[0]

    assert result.class_id == "lesion"  # the top class
    assert quadrant(result.peak) == "top-left"
    assert result.heatmap.shape == (HEIGHT, WIDTH) and result.heatmap.dtype == np.float32
    assert result.heatmap.min() == 0.0 and result.heatmap.max() == pytest.approx(1.0)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_a_class_that_is_not_on_top_can_be_explained(engine, method):
    image = two_blob_image(HEIGHT, WIDTH)
    result = explain(engine, [image], method, classes="skin")[0]

    assert (result.class_id, result.class_index) == ("skin", 0)
    assert quadrant(result.peak) == "bottom-right"
    assert result.probability == pytest.approx(engine.predict([image])[0].probabilities["skin"])


@pytest.mark.parametrize("method", ALL_METHODS)
def test_nested_backbone_with_metadata(nested_engine, method):
    from skindesk.core.metadata import PatientMetadata

    male = PatientMetadata.create(sex="male")
    image = two_blob_image(HEIGHT, WIDTH)
    result = explain(nested_engine, [image], method, classes=1, metadata=male)[0]

    assert quadrant(result.peak) == "top-left"
    expected = nested_engine.predict([image], male)[0].probabilities["lesion"]
    assert result.probability == pytest.approx(expected, abs=1e-5)
    if method != "occlusion":
        assert result.layer == "backbone/conv_last"  # found inside the sub-model


def test_split_model_equals_plain_model_and_has_gradients(nested_engine):
    from skindesk.core.explain.cam_model import cam_model_for

    model = nested_engine.keras_model
    cam = cam_model_for(model, None, meta_width=2)
    images = np.random.default_rng(0).uniform(0, 1, (3, 32, 32, 3)).astype(np.float32)
    meta = np.array([[0, 1], [1, 0], [0, 0]], np.float32)

    result = cam.gradients(images, meta, np.array([1, 0, 1]))

    plain = model([images, meta], training=False).numpy()
    np.testing.assert_allclose(result.outputs, plain, atol=1e-5)
    assert result.activations.shape == (3, 32, 32, 4)
    assert result.gradients is not None and np.abs(result.gradients).max() > 0
    assert cam_model_for(model, None, meta_width=2) is cam  # built once, then cached


def test_a_wrong_layer_path_is_a_model_error(nested_engine):
    from skindesk.core.errors import ModelError
    from skindesk.core.explain.layers import find_target_layer

    assert [
        layer.name for layer in find_target_layer(nested_engine.keras_model, "backbone/detect")
    ] == ["backbone", "detect"]
    with pytest.raises(ModelError, match="no layer 'nope' in backbone"):
        find_target_layer(nested_engine.keras_model, "backbone/nope")


@pytest.mark.parametrize("method", ALL_METHODS)
def test_batch_equals_single_and_runs_are_repeatable(engine, method):
    images = [two_blob_image(HEIGHT, WIDTH, seed=1), two_blob_image(40, 40, seed=2)[::-1].copy()]

    batch = explain(engine, images, method)
    singles = [explain(engine, [image], method)[0] for image in images]

    for together, alone in zip(batch, singles):
        assert together.class_id == alone.class_id and together.peak == alone.peak
        np.testing.assert_allclose(together.heatmap, alone.heatmap, atol=1e-5)
    again = explain(engine, images[:1], method)[0]
    np.testing.assert_array_equal(again.heatmap, singles[0].heatmap)


@pytest.fixture(scope="module")
def randomized_engines(tmp_path_factory):
    return [
        make_engine(tmp_path_factory.mktemp("random"), randomized_seed=seed) for seed in range(5)
    ]


@pytest.mark.parametrize("method", ALL_METHODS)
def test_randomised_weights_change_the_map(engine, randomized_engines, method):
    # Adebayo et al. 2018: a map that survives randomising the model explains the image,
    # not the model. One random model may still see the red square by chance, so average.
    image = two_blob_image(HEIGHT, WIDTH)
    trained = explain(engine, [image], method, classes="lesion")[0].heatmap.ravel()
    correlations = []
    for randomized in randomized_engines:
        other = explain(randomized, [image], method, classes="lesion")[0].heatmap.ravel()
        # A flat map (no evidence at all) shares nothing with the trained one.
        correlations.append(np.corrcoef(trained, other)[0, 1] if other.std() > 0 else 0.0)

    assert np.mean(correlations) < 0.5


def savedmodel_engine(tmp_path):
    """The quadrant model exported as a SavedModel (no Keras layers, so no gradients)."""
    from skindesk.core.engine import InferenceEngine
    from skindesk.core.hashing import sha256_path
    from skindesk.core.modelcard import load_card, write_card

    card_path = install(build_quadrant_model(), tmp_path / "keras", "quad")
    build_quadrant_model().export(tmp_path / "saved" / "model")
    card = load_card(card_path).to_dict() | {
        "file": "model",
        "sha256": sha256_path(tmp_path / "saved" / "model"),
    }
    return InferenceEngine(load_card(write_card(card, tmp_path / "saved")))


def test_savedmodel_without_gradients_gets_occlusion_only(tmp_path):
    from skindesk.core.errors import ModelError
    from skindesk.core.explain.api import explain_images

    engine = savedmodel_engine(tmp_path)
    image = two_blob_image(HEIGHT, WIDTH)

    result = explain_images(engine, [image], "occlusion", patch_size=8, stride=4)[0]

    assert quadrant(result.peak) == "top-left" and result.layer is None
    with pytest.raises(ModelError, match="use the occlusion method"):
        explain_images(engine, [image], "gradcam")


def test_the_engine_process_warm_up_skips_a_savedmodel_quietly(tmp_path, caplog):
    import logging

    from skindesk.core.engine_process.server import _warm_gradients

    engine = savedmodel_engine(tmp_path)
    engine.load()

    with caplog.at_level(logging.INFO, logger="skindesk"):
        _warm_gradients(engine)  # no gradients to prepare: neither a warning nor "ready"
    assert "Grad-CAM" not in caplog.text


def test_layer_lookup_descends_into_a_nested_sequential_backbone():
    import keras

    from skindesk.core.explain.cam_model import cam_model_for

    keras.utils.set_random_seed(0)
    backbone = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            keras.layers.Conv2D(4, 3, name="c1"),
            keras.layers.Conv2D(4, 3, activation="relu", name="c2"),
        ],
        name="seq",
    )
    image = keras.Input((16, 16, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(backbone(image))
    model = keras.Model(image, keras.layers.Dense(3, activation="softmax")(pooled))
    images = np.random.default_rng(0).uniform(0, 1, (2, 16, 16, 3)).astype(np.float32)

    cam = cam_model_for(model)
    result = cam.gradients(images, None, np.array([0, 2]))

    assert cam.layer_path == "seq/c2"
    np.testing.assert_allclose(result.outputs, model(images).numpy(), atol=1e-5)
    assert np.abs(result.gradients).max() > 0


def test_warm_up_traces_once_and_later_calls_reuse_it(engine):
    from skindesk.core.explain.api import warm_up
    from skindesk.core.explain.cam_model import cam_model_for

    warm_up(engine, "gradcam")
    cam = cam_model_for(engine.keras_model, "conv_last")
    traces = cam._gradients_fn.experimental_get_tracing_count()
    explain(engine, [two_blob_image(20, 30), two_blob_image(HEIGHT, WIDTH)], "gradcam")

    assert cam._gradients_fn.experimental_get_tracing_count() == traces == 1


@pytest.mark.parametrize("method", ["gradcam", "occlusion"])
def test_one_output_sigmoid_model_explains_both_classes(tmp_path, method):
    import keras

    from skindesk.core.engine import InferenceEngine
    from skindesk.core.modelcard import load_card

    keras.utils.set_random_seed(0)
    image_input = keras.Input((32, 32, 3))
    features = keras.layers.Conv2D(4, 3, activation="relu")(image_input)
    pooled = keras.layers.GlobalAveragePooling2D()(features)
    model = keras.Model(image_input, keras.layers.Dense(1, activation="sigmoid")(pooled))
    engine = InferenceEngine(load_card(install(model, tmp_path, "sig", output="sigmoid")))
    image = two_blob_image(HEIGHT, WIDTH)
    predicted = engine.predict([image])[0]

    top, skin, lesion = (
        explain(engine, [image], method, classes=wanted)[0] for wanted in (None, "skin", "lesion")
    )

    assert top.class_id == predicted.top_class
    assert skin.probability == pytest.approx(predicted.probabilities["skin"], abs=1e-5)
    assert lesion.probability == pytest.approx(predicted.probabilities["lesion"], abs=1e-5)


def test_the_peak_of_a_flat_top_does_not_move_with_float_noise():
    from skindesk.core.explain.base import peak_of

    heat = np.zeros((10, 20), np.float32)
    heat[4, 3:15] = 1.0
    noisy = heat.copy()
    noisy[4, 12] += 1e-7  # a rounding difference, as between a batch and a single run
    noisy[4, 3] -= 1e-7
    assert peak_of(heat) == peak_of(noisy) == (3, 4)
    heat[7, 18] = 0.9  # a clearly lower spot is no tie
    assert peak_of(heat) == (3, 4)
