"""ONNX Runtime as the engine's runtime: same numbers as TensorFlow, verified file, fallbacks.

Tiny Keras models are exported here (tf2onnx, a test dependency); the
bundled default's own export is checked in ``test_default_model.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from skindesk.core.engine import InferenceEngine
from skindesk.core.errors import ModelError, ModelIntegrityError
from skindesk.core.metadata import PatientMetadata
from skindesk.core.modelcard import load_card, write_card
from skindesk.core.onnx_export import TOLERANCE, export_onnx
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask
from tests.core.tinymodels import build_tiny_model, install_tiny_model

pytest.importorskip("tf2onnx", reason='exporting needs pip install -e ".[test]"')


def lesions(count: int = 4) -> list[np.ndarray]:
    return [dermoscopy_like(ellipse_mask(60 + 10 * i, 80), seed=i) for i in range(count)]


@pytest.fixture(scope="module", params=["softmax", "sigmoid-with-metadata"])
def exported(request, tmp_path_factory):
    """A tiny model installed with an ONNX export recorded in its card."""
    folder = tmp_path_factory.mktemp("onnx") / "tiny"
    if request.param == "softmax":
        card_path = install_tiny_model(folder, build_tiny_model("softmax", classes=3))
    else:
        card_path = install_tiny_model(
            folder, build_tiny_model("sigmoid", with_metadata=True), output="sigmoid",
            classes=[{"id": "benign", "malignant": False}, {"id": "malignant", "malignant": True}],
            metadata_input={"input_index": 1, "features": [
                {"field": "sex", "encoding": "one_hot", "categories": ["female", "male"],
                 "unknown": "x"},
                {"field": "age", "encoding": "scaled", "scale": 100.0, "missing": 50.0}]})
    card = load_card(card_path)
    data = dict(card.raw, onnx=export_onnx(card, lesions()))
    write_card(data, folder)
    return load_card(card_path)


def engine_on(runtime: str, card, monkeypatch) -> InferenceEngine:
    monkeypatch.setenv("SKINDESK_RUNTIME", runtime)
    engine = InferenceEngine(card)
    engine.load()
    return engine


def test_export_is_checked_and_recorded_in_the_card(exported):
    check = exported.onnx["check"]
    assert check["max_abs_difference"] <= TOLERANCE and check["images"] == 4
    assert (exported.folder / "model.onnx").stat().st_size > 0


def test_onnx_runtime_gives_tensorflow_numbers(exported, monkeypatch):
    images = lesions(6)
    meta = [PatientMetadata.create(age=50 + i, sex="female") for i in range(6)]
    fast = engine_on("onnx", exported, monkeypatch)
    slow = engine_on("tensorflow", exported, monkeypatch)
    assert (fast.runtime, slow.runtime) == ("onnx", "tensorflow")
    assert "ONNX Runtime" in fast.device().description
    assert "ONNX Runtime" not in slow.device().description
    for a, b in zip(fast.predict(images, meta), slow.predict(images, meta)):
        assert a.top_class == b.top_class and a.flagged == b.flagged
        assert a.malignant_probability == pytest.approx(b.malignant_probability, abs=TOLERANCE)
    again = fast.predict(images, meta)
    assert [p.probabilities for p in again] == [p.probabilities for p in fast.predict(images, meta)]


def test_gradcam_loads_the_keras_model_on_demand(exported, monkeypatch):
    from skindesk.core.explain.api import explain_images

    engine = engine_on("onnx", exported, monkeypatch)
    assert engine._keras_model is None  # not loaded for predictions
    explanation = explain_images(engine, [lesions(1)[0]], "gradcam")[0]
    assert engine._keras_model is not None
    assert explanation.heatmap.shape == (60, 80) and np.isfinite(explanation.heatmap).all()


def test_a_changed_onnx_file_is_refused(exported, tmp_path, monkeypatch):
    import shutil

    folder = tmp_path / "tiny"
    shutil.copytree(exported.folder, folder)
    with open(folder / "model.onnx", "ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="ONNX file"):
        engine_on("onnx", load_card(folder / "card.json"), monkeypatch)


def test_without_onnxruntime_the_model_runs_on_tensorflow(exported, monkeypatch, caplog):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "onnxruntime" else real_find_spec(name, *a))
    engine = engine_on("onnx", exported, monkeypatch)
    assert engine.runtime == "tensorflow"
    assert "onnxruntime is not installed" in caplog.text


def test_an_unknown_runtime_setting_is_a_clear_error(exported, monkeypatch):
    monkeypatch.setenv("SKINDESK_RUNTIME", "turbo")
    with pytest.raises(ModelError, match="SKINDESK_RUNTIME='turbo'"):
        InferenceEngine(exported).load()


def test_a_card_without_onnx_runs_on_tensorflow(tmp_path, monkeypatch):
    card = load_card(install_tiny_model(tmp_path / "plain", build_tiny_model()))
    assert card.onnx is None
    assert engine_on("onnx", card, monkeypatch).runtime == "tensorflow"
    assert json.loads(card.card_path.read_text()).get("onnx") is None


def test_the_background_warm_up_loads_keras_and_traces_the_gradients(exported, monkeypatch):
    from skindesk.core.engine_process.server import _warm_gradients
    from skindesk.core.explain.api import explain_images
    from skindesk.core.explain.cam_model import cam_model_for
    from skindesk.core.metadata import metadata_width

    engine = engine_on("onnx", exported, monkeypatch)
    _warm_gradients(engine)

    spec = exported.metadata_input or {}
    cam = cam_model_for(engine.keras_model, exported.gradcam_layer,
                        metadata_width(spec) if spec else None, False)
    assert cam._gradients_fn.experimental_get_tracing_count() == 1  # traced before any click
    explain_images(engine, lesions(2), "gradcam", metadata=PatientMetadata(age=40))
    assert cam._gradients_fn.experimental_get_tracing_count() == 1  # the user's call reused it


def test_the_engine_process_predicts_at_once_and_prepares_gradcam_in_the_background(
        exported, caplog):
    import logging
    import time

    from skindesk.core.engine_process import ProcessService
    from skindesk.core.registry import ModelRegistry

    service = ProcessService(ModelRegistry([exported.folder.parent]))
    try:
        with caplog.at_level(logging.INFO, logger="skindesk"):
            engine = service.engine(exported.id)
            engine.load()
            assert "ONNX Runtime" in engine.device().description
            deadline = time.monotonic() + 120
            while "Grad-CAM ready for tiny" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.2)
            assert "[engine process] Grad-CAM ready for tiny" in caplog.text
        explanation = service.explain(lesions(1)[0], "gradcam", model_id=exported.id)
        assert explanation.heatmap.shape == (60, 80)
    finally:
        service.close()
