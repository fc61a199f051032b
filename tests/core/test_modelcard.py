"""Model cards, the registry and the engine, on tiny generated models."""

from __future__ import annotations

import json

import numpy as np
import pytest

from skindesk import paths
from skindesk.core.engine import InferenceEngine
from skindesk.core.errors import ModelError, ModelIntegrityError
from skindesk.core.metadata import PatientMetadata
from skindesk.core.modelcard import load_card, parse_card
from skindesk.core.registry import ModelRegistry
from tests.core.tinymodels import build_tiny_model, install_tiny_model, tiny_card_data

RNG = np.random.default_rng(7)
IMAGES = [RNG.integers(0, 256, (40 + 7 * i, 50, 3), dtype=np.uint8) for i in range(5)]


@pytest.fixture(scope="module")
def tiny_model():
    return build_tiny_model()


def user_model_folder(name: str = "tiny"):
    return paths.user_models_dir() / name


@pytest.mark.parametrize("file_name", ["model.keras", "model.h5", "savedmodel"])
def test_card_loader_runs_every_model_format(tiny_model, file_name):
    install_tiny_model(user_model_folder(), tiny_model, file_name=file_name)
    card = ModelRegistry().get("tiny")
    predictions = InferenceEngine(card).predict(IMAGES)
    expected = tiny_model.predict(
        np.stack([_resize(i) for i in IMAGES]).astype("float32"), verbose=0
    )
    for prediction, row in zip(predictions, expected):
        assert list(prediction.probabilities) == ["nv", "mel", "bcc"]
        np.testing.assert_allclose(list(prediction.probabilities.values()), row, atol=1e-5)
        assert prediction.malignant_probability == pytest.approx(row[1] + row[2], abs=1e-5)
        assert prediction.flagged == (prediction.malignant_probability >= 0.4)
        assert prediction.model_id == "tiny" and prediction.model_sha256 == card.sha256


def _resize(rgb):
    import cv2

    return cv2.resize(rgb.astype("float32"), (32, 32), interpolation=cv2.INTER_LINEAR)


def test_engine_refuses_a_model_whose_file_does_not_match_its_card(tiny_model):
    card_path = install_tiny_model(user_model_folder(), tiny_model)
    model_file = card_path.parent / "model.keras"
    model_file.write_bytes(model_file.read_bytes() + b"tampered")
    engine = InferenceEngine(load_card(card_path))
    with pytest.raises(ModelIntegrityError, match="does not match its card"):
        engine.predict(IMAGES[:1])
    assert not engine.loaded


def test_missing_model_file_is_a_clear_error(tiny_model):
    card_path = install_tiny_model(user_model_folder(), tiny_model)
    (card_path.parent / "model.keras").unlink()
    with pytest.raises(ModelError, match="missing"):
        InferenceEngine(load_card(card_path)).load()


def test_unknown_model_id_lists_installed_models(tiny_model):
    install_tiny_model(user_model_folder(), tiny_model)
    with pytest.raises(ModelError, match="not installed.*tiny"):
        ModelRegistry().get("no-such-model")


def test_sigmoid_binary_model_reports_its_output_as_p_malignant():
    model = build_tiny_model(output="sigmoid")
    classes = [{"id": "benign", "malignant": False}, {"id": "malignant", "malignant": True}]
    install_tiny_model(user_model_folder("bin"), model, model_id="bin", output="sigmoid",
                       classes=classes, input={"size": [32, 32], "preprocessing": "rescale"})
    prediction = InferenceEngine(ModelRegistry().get("bin")).predict(IMAGES[:1])[0]
    raw = float(model.predict(_resize(IMAGES[0])[None] / 255.0, verbose=0)[0, 0])
    assert prediction.malignant_probability == pytest.approx(raw, abs=1e-5)
    assert prediction.probabilities["benign"] == pytest.approx(1 - raw, abs=1e-5)


def test_metadata_input_is_encoded_from_the_card():
    model = build_tiny_model(with_metadata=True)
    spec = {"input_index": 1, "features": [
        {"field": "sex", "encoding": "one_hot", "categories": ["female", "male"], "unknown": "x"},
        {"field": "age", "encoding": "scaled", "scale": 100.0, "missing": 50.0},
    ]}
    install_tiny_model(user_model_folder("meta"), model, model_id="meta", metadata_input=spec)
    engine = InferenceEngine(ModelRegistry().get("meta"))
    meta = PatientMetadata.create(age=80, sex="male")
    got = engine.predict(IMAGES[:1], meta)[0]
    expected = model.predict([_resize(IMAGES[0])[None], np.array([[0, 1, 0.8]], "float32")],
                             verbose=0)[0]
    np.testing.assert_allclose(list(got.probabilities.values()), expected, atol=1e-5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sha256": None}, "missing the required field 'sha256'"),
        ({"input": {"size": [32]}}, "input.size"),
        ({"output": "relu"}, "softmax' or 'sigmoid"),
        ({"classes": [{"id": "a"}, {"id": "b"}]}, "no class is marked malignant"),
        ({"threshold": {"value": 1.5}}, "between 0 and 1"),
        ({"input": {"size": [32, 32], "preprocessing": "magic"}}, "unknown input preprocessing"),
        ({"schema_version": 99}, "newer card format"),
    ],
)
def test_invalid_cards_are_refused_with_a_reason(tmp_path, change, message):
    (tmp_path / "model.keras").write_bytes(b"x")
    data = tiny_card_data(tmp_path / "model.keras")
    data.update(change)
    with pytest.raises(ModelError, match=message):
        parse_card(data, tmp_path)


def test_broken_card_file_is_skipped_by_the_registry(tiny_model):
    install_tiny_model(user_model_folder("good"), tiny_model, model_id="good")
    broken = user_model_folder("broken")
    broken.mkdir(parents=True)
    (broken / "card.json").write_text("{not json", encoding="utf-8")
    ids = [m.card.id for m in ModelRegistry().installed()]
    assert "good" in ids and "ham10000-xception" in ids


def test_default_model_is_the_bundled_one_until_the_user_chooses(tiny_model):
    install_tiny_model(user_model_folder(), tiny_model)
    registry = ModelRegistry()
    bundled = json.loads((paths.bundled_models_dir() / "index.json").read_text())["default"]
    assert registry.default_id() == bundled and bundled in {m.card.id for m in registry.installed()}
    registry.set_default("tiny")
    assert registry.default_id() == "tiny"
    assert json.loads((paths.config_dir() / "models.json").read_text())["default"] == "tiny"


def test_bundled_card_describes_the_default_model():
    card = ModelRegistry().get("ham10000-xception")
    assert card.class_ids == ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc")
    assert card.malignant_class_ids == ("akiec", "bcc", "mel")
    assert card.input_size == (254, 254) and card.pixel_scaling == "none"
    assert card.reported_performance["accuracy"] == pytest.approx(0.825, abs=1e-3)
    assert card.threshold.dataset, "the threshold must say which data it was chosen on"
    assert (card.folder / card.license["file"]).exists()
