"""Ensembles: a model folder's own network averaged with installed members, run as one model."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from skindesk import paths
from skindesk.core.errors import ModelError
from skindesk.core.hashing import sha256_path
from skindesk.core.modelcard import write_card
from skindesk.core.service import SkinDeskService
from tests.core.tinymodels import build_tiny_model, install_tiny_model, tiny_card_data

MEMBER_SIZE = 40  # the member sees a bigger image than the ensemble's input: resized in the graph


def _member_model():
    import keras

    keras.utils.set_random_seed(99)
    image = keras.Input((MEMBER_SIZE, MEMBER_SIZE, 3), name="image")
    x = keras.layers.Rescaling(1 / 255.0)(image)
    x = keras.layers.Conv2D(6, 5, activation="relu", name="conv_last")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(image, keras.layers.Dense(3, activation="softmax")(x))


@pytest.fixture
def ensemble() -> dict:
    """'member-b' installed; 'combo' = 0.3 × its own tiny net + 0.7 × member-b."""
    models = paths.user_models_dir()
    member = _member_model()
    install_tiny_model(models / "member-b", member, model_id="member-b",
                       input={"size": [MEMBER_SIZE, MEMBER_SIZE], "preprocessing": "none"})
    own = build_tiny_model()
    folder = models / "combo"
    card_path = install_tiny_model(folder, own, model_id="combo",
                                   gradcam_layer="member_0/conv_last")
    data = json.loads(card_path.read_text(encoding="utf-8"))
    data["ensemble"] = {"weight": 0.3, "members": [
        {"model": "member-b", "sha256": sha256_path(models / "member-b" / "model.keras"), "weight": 0.7}]}
    write_card(data, folder)
    return {"own": own, "member": member, "folder": folder, "data": data}


def _image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (64, 48, 3), dtype=np.uint8)


def test_the_output_is_the_weighted_mean_of_each_network_at_its_own_size(ensemble: dict) -> None:
    import keras

    engine = SkinDeskService().engine("combo")
    rgb = _image()
    prepared = engine.prepare(rgb)[None]  # the ensemble's input: 32 × 32
    resized = keras.layers.Resizing(MEMBER_SIZE, MEMBER_SIZE, interpolation="bilinear")(prepared)
    expected = 0.3 * np.asarray(ensemble["own"](prepared)) + 0.7 * np.asarray(ensemble["member"](resized))
    got = engine.predict([rgb])[0]
    np.testing.assert_allclose([got.probabilities[c] for c in ("nv", "mel", "bcc")], expected[0], atol=1e-5)
    assert sum(got.probabilities.values()) == pytest.approx(1.0, abs=1e-5)


def test_gradcam_reaches_into_a_member_and_into_the_own_network(ensemble: dict) -> None:
    service = SkinDeskService()
    rgb = _image(1)
    for layer in ("member_0/conv_last", "own_network/conv_last"):
        from skindesk.core.explain.api import explain_images

        heat = explain_images(service.engine("combo"), [rgb], "gradcam", layer=layer)[0].heatmap
        assert heat.shape == rgb.shape[:2] and np.isfinite(heat).all() and heat.max() > 0


def test_a_missing_member_is_named(ensemble: dict) -> None:
    shutil.rmtree(paths.user_models_dir() / "member-b")
    with pytest.raises(ModelError, match="needs 'member-b' \\(an ensemble member\\), which is not available"):
        SkinDeskService().engine("combo").load()


def test_a_member_that_changed_is_refused(ensemble: dict) -> None:
    member_folder = paths.user_models_dir() / "member-b"
    install_tiny_model(member_folder, build_tiny_model(), model_id="member-b")  # same id, other network
    with pytest.raises(ModelError, match="reinstall 'combo' or the matching 'member-b'"):
        SkinDeskService().engine("combo").load()


@pytest.mark.parametrize(("change", "message"), [
    ({"weight": 0.5}, "must be non-negative and sum to 1"),
    ({"members": []}, "names no members"),
])
def test_bad_weights_or_no_members_are_refused(ensemble: dict, change: dict, message: str) -> None:
    data = dict(ensemble["data"])
    data["ensemble"] = {**data["ensemble"], **change}
    write_card(data, ensemble["folder"])
    with pytest.raises(ModelError, match=message):
        SkinDeskService().engine("combo").load()


def test_weights_rounded_to_six_decimals_are_accepted(ensemble: dict) -> None:
    data = dict(ensemble["data"])
    data["ensemble"] = {**data["ensemble"], "weight": 0.333333}
    data["ensemble"]["members"] = [{**data["ensemble"]["members"][0], "weight": 0.666666}]  # sums to 0.999999
    write_card(data, ensemble["folder"])
    assert SkinDeskService().engine("combo").predict([_image()])[0].probabilities


def test_a_member_with_other_classes_or_scaling_is_refused(ensemble: dict) -> None:
    models = paths.user_models_dir()
    target = models / "member-b" / "model.keras"
    card = tiny_card_data(target, "member-b", input={"size": [MEMBER_SIZE, MEMBER_SIZE],
                                                     "preprocessing": "minus-one-one"})
    write_card(card, models / "member-b")
    with pytest.raises(ModelError, match="takes 'minus-one-one' pixels, the ensemble 'none'"):
        SkinDeskService().engine("combo").load()
    card = tiny_card_data(target, "member-b", input={"size": [MEMBER_SIZE, MEMBER_SIZE], "preprocessing": "none"},
                          classes=[{"id": "nv", "name": "Naevus", "malignant": False},
                                   {"id": "bcc", "name": "Basal cell carcinoma", "malignant": True},
                                   {"id": "mel", "name": "Melanoma", "malignant": True}])
    write_card(card, models / "member-b")
    with pytest.raises(ModelError, match="member 'member-b' has classes"):
        SkinDeskService().engine("combo").load()


def test_an_ensemble_exports_to_onnx_as_one_graph(ensemble: dict) -> None:
    pytest.importorskip("tf2onnx")
    from skindesk.core.modelcard import load_card
    from skindesk.core.onnx_export import TOLERANCE, export_onnx

    card = load_card(ensemble["folder"] / "card.json")
    entry = export_onnx(card, [_image(s) for s in range(4)])
    assert entry["check"]["max_abs_difference"] < TOLERANCE
    assert (ensemble["folder"] / entry["file"]).is_file()
