"""The engine process: same answers as in-process, errors that keep their meaning, crash recovery.

A tiny Keras model keeps these fast; one child process serves the module
(starting one costs a TensorFlow import, several seconds on 2 cores).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from skindesk.core.engine_process import EngineProcessError, ProcessService
from skindesk.core.errors import ModelIntegrityError, SettingsError
from skindesk.core.metadata import PatientMetadata
from skindesk.core.registry import ModelRegistry
from skindesk.core.service import SkinDeskService
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask
from tests.core.tinymodels import build_tiny_model, install_tiny_model

REPO = Path(__file__).resolve().parents[2]


def write_lesion_png(path: Path, seed: int) -> Path:
    from PIL import Image

    Image.fromarray(dermoscopy_like(ellipse_mask(90, 120), seed=seed)).save(path)
    return path


@pytest.fixture(scope="module")
def models_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("engine-process-models")
    install_tiny_model(folder / "tiny", build_tiny_model("softmax", classes=3), model_id="tiny")
    return folder


@pytest.fixture(scope="module")
def remote(models_folder: Path):
    service = ProcessService(ModelRegistry([models_folder]))
    yield service
    service.close()


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    paths = [write_lesion_png(tmp_path / f"lesion_{i}.png", seed=i) for i in range(5)]
    bad = tmp_path / "notes.jpg"
    bad.write_text("not an image")
    return [*paths[:2], bad, *paths[2:]]


def test_predictions_equal_the_in_process_engine(remote, models_folder, images):
    local = SkinDeskService(ModelRegistry([models_folder]))
    meta = PatientMetadata(age=60, sex="female", site="back")
    theirs = list(remote.predict_files(images, meta, model_id="tiny"))
    ours = list(local.predict_files(images, meta, model_id="tiny"))
    assert [r.path for r in theirs] == [str(p) for p in images]
    assert [r.error for r in theirs] == [r.error for r in ours]
    assert theirs[2].error and "not an image" in theirs[2].error
    for a, b in zip(theirs, ours):
        if a.ok:
            assert a.prediction.model_sha256 == b.prediction.model_sha256
            assert a.prediction.top_class == b.prediction.top_class
            assert a.prediction.flagged == b.prediction.flagged
            for class_id, p in a.prediction.probabilities.items():
                assert p == pytest.approx(b.prediction.probabilities[class_id], abs=1e-6)


def test_the_model_loads_in_another_process_and_says_where(remote):
    engine = remote.engine("tiny")
    engine.load()
    assert engine.loaded
    assert remote.process.pid not in (None, os.getpid())
    assert engine.device().kind in ("CPU", "GPU")
    assert engine.load_seconds is not None
    with pytest.raises(AttributeError, match="engine process"):
        _ = engine.keras_model


def test_explanations_come_back_equal_to_in_process(remote, models_folder, tmp_path):
    from skindesk.core.imageio import load_image

    rgb = load_image(write_lesion_png(tmp_path / "x.png", seed=7)).rgb
    theirs = remote.explain(rgb, "gradcam", model_id="tiny")
    ours = SkinDeskService(ModelRegistry([models_folder])).explain(rgb, "gradcam", model_id="tiny")
    assert theirs.heatmap.shape == rgb.shape[:2]
    assert (theirs.class_id, theirs.layer) == (ours.class_id, ours.layer)
    np.testing.assert_allclose(theirs.heatmap, ours.heatmap, atol=1e-5)


def test_user_errors_keep_their_type_and_message(remote):
    rgb = np.zeros((40, 40, 3), np.uint8)
    with pytest.raises(SettingsError, match="unknown explanation method 'nope'"):
        remote.explain(rgb, "nope", model_id="tiny")


def test_a_model_file_that_does_not_match_its_card_is_refused(remote, models_folder, tmp_path):
    folder = tmp_path / "models"
    shutil.copytree(models_folder / "tiny", folder / "tiny")
    card_path = folder / "tiny" / "card.json"
    card = json.loads(card_path.read_text())
    card["sha256"] = "0" * 64
    card_path.write_text(json.dumps(card))
    tampered = ProcessService(ModelRegistry([folder]), process=remote.process)
    with pytest.raises(ModelIntegrityError, match="does not match its card"):
        tampered.engine("tiny").load()


def test_log_records_of_the_engine_process_reach_this_process(models_folder, caplog):
    service = ProcessService(ModelRegistry([models_folder]))
    try:
        with caplog.at_level(logging.INFO, logger="skindesk"):
            service.engine("tiny").load()
    finally:
        service.close()
    assert any(r.getMessage().startswith("[engine process] loaded tiny") for r in caplog.records)


def test_a_killed_engine_process_fails_the_call_in_flight_and_the_next_call_restarts_it(
        remote, images):
    engine = remote.engine("tiny")
    engine.load()
    pid, starts = remote.process.pid, remote.process.starts
    os.kill(pid, signal.SIGSTOP)  # frozen, so the call below is surely still in flight
    in_flight = remote.process.submit("ping")
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(EngineProcessError, match="stopped unexpectedly"):
        in_flight.result(timeout=30)
    assert not engine.loaded
    results = list(remote.predict_files(images[:2], model_id="tiny"))
    assert all(r.ok for r in results)
    assert remote.process.starts == starts + 1 and remote.process.pid != pid


def test_a_front_end_using_the_engine_process_never_imports_tensorflow(models_folder, tmp_path):
    image = write_lesion_png(tmp_path / "lesion.png", seed=3)
    script = textwrap.dedent("""
        import json, sys
        from pathlib import Path

        def main():
            from skindesk.core.engine_process import ProcessService
            from skindesk.core.imageio import load_image
            from skindesk.core.registry import ModelRegistry

            service = ProcessService(ModelRegistry([Path(sys.argv[1])]))
            result = next(service.predict_files([sys.argv[2]], model_id="tiny"))
            service.explain(load_image(sys.argv[2]).rgb, model_id="tiny")
            service.close()
            print(json.dumps({"ok": result.ok, "tensorflow": "tensorflow" in sys.modules,
                              "keras": "keras" in sys.modules}))

        if __name__ == "__main__":
            main()
    """)
    run = subprocess.run([sys.executable, "-c", script, str(models_folder), str(image)],
                         check=False, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {
        "ok": True, "tensorflow": False, "keras": False}
