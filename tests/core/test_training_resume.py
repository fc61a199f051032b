"""``skindesk train ... --resume``: an interrupted end-to-end run goes on from its last epoch.

The phase-level tests fit a one-layer model on fixed batches, so a resumed run can be
compared weight for weight with one never interrupted; the command-line test interrupts a
tiny MobileNetV2 run (``test_training_endtoend``'s data) in its fine-tuning phase.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from skindesk.cli import main
from skindesk.core.errors import UserError
from skindesk.core.training import e2e_fit
from skindesk.core.training.e2e_checkpoint import CHECKPOINT_DIR, TrainingCheckpoint
from skindesk.core.training.e2e_fit import EndToEndConfig, PhaseData, fit_phase
from skindesk.core.training.e2e_phase_checkpoint import PhaseCheckpoint
from tests.core.test_training_endtoend import SIZE, dataset, weights_file  # noqa: F401 (fixtures)

FINGERPRINT = {"config": {"seed": 0, "epochs": 6}, "recipe": {}, "train_images": "a", "val_images": "b"}
CONFIG = EndToEndConfig(arch="mobilenetv2", img_size=64, epochs=6, patience=3)


class Interrupted(Exception):
    """Stands for a power cut: raised right after an epoch was saved."""


def _phase_data() -> PhaseData:
    import tensorflow as tf

    rng = np.random.default_rng(1)
    x = rng.normal(size=(48, 5)).astype("float32")
    y = (x[:, 0] + 0.5 * rng.normal(size=48) > 0).astype("int64")
    train = tf.data.Dataset.from_tensor_slices((x, y, np.ones(48, "float32"))).batch(16)
    val = tf.data.Dataset.from_tensor_slices((x[:24], y[:24])).batch(8)
    return PhaseData(train=train, val=val, recalibrate_on=None, batches=3)


def _model():
    import keras

    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)])


def _interrupt_after(monkeypatch: pytest.MonkeyPatch, epochs_saved: int) -> None:
    original = PhaseCheckpoint.save

    def save_then_fail(self, model, epoch, *args) -> None:
        original(self, model, epoch, *args)
        if epoch + 1 == epochs_saved:
            raise Interrupted

    monkeypatch.setattr(PhaseCheckpoint, "save", save_then_fail)


def test_a_resumed_phase_ends_exactly_where_an_uninterrupted_one_does(tmp_path: Path, monkeypatch) -> None:
    reference = _model()
    expected = fit_phase(reference, _phase_data(), 0.05, CONFIG, "phase")

    with monkeypatch.context() as patch:
        _interrupt_after(patch, 3)
        run = TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=False)
        with pytest.raises(Interrupted):
            fit_phase(_model(), _phase_data(), 0.05, CONFIG, "phase", saved=run.phase(0, "phase", 6))

    run = TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=True)
    resumed_model = _model()
    resumed = fit_phase(resumed_model, _phase_data(), 0.05, CONFIG, "phase", saved=run.phase(0, "phase", 6))
    # Adam's moments, the step count, the rate schedule and early stopping all came back.
    assert resumed == expected
    for got, want in zip(resumed_model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert run.resumed[0]["from"] == "phase, 3 of 6 epochs done"


def test_a_phase_stopped_early_is_not_trained_further_on_resume(tmp_path: Path, monkeypatch) -> None:
    config = EndToEndConfig(arch="mobilenetv2", img_size=64, epochs=6, patience=1, lr_schedule="constant")
    reference = _model()
    expected = fit_phase(reference, _phase_data(), 1e-9, config, "stalling")  # stops after 2 epochs
    assert expected["epochs_run"] == 2
    with monkeypatch.context() as patch:
        _interrupt_after(patch, 2)
        run = TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=False)
        with pytest.raises(Interrupted):
            fit_phase(_model(), _phase_data(), 1e-9, config, "stalling", saved=run.phase(0, "stalling", 6))
    run = TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=True)
    assert fit_phase(_model(), _phase_data(), 1e-9, config, "stalling",
                     saved=run.phase(0, "stalling", 6)) == expected


def test_a_run_folder_with_an_interrupted_run_needs_resume(tmp_path: Path) -> None:
    run = TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=False)
    run.state["phase"] = {"name": "frozen backbone", "epochs_done": 1, "epochs": 2}
    run.save_state()
    with pytest.raises(UserError, match=r"interrupted training run \(frozen backbone, 1 of 2 epochs done\): "
                                        r"add --resume"):
        TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=False)


def test_resume_without_an_interrupted_run_says_so(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="holds no interrupted training run"):
        TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=True)


def test_resume_with_other_options_or_images_names_what_differs(tmp_path: Path) -> None:
    TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=False).save_state()  # as after an epoch
    other = {**FINGERPRINT, "config": {"seed": 1, "epochs": 6}, "train_images": "c"}
    with pytest.raises(UserError, match="started with other options seed; train images"):
        TrainingCheckpoint.open(tmp_path, other, resume=True)


def test_an_unreadable_checkpoint_is_named(tmp_path: Path) -> None:
    (tmp_path / CHECKPOINT_DIR).mkdir()
    (tmp_path / CHECKPOINT_DIR / "state.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match=r"state.json cannot be read .*remove .*\.checkpoint"):
        TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=True)


@pytest.mark.slow
def test_an_interrupted_cli_run_resumes_without_redoing_finished_work(dataset: Path, weights_file: Path,  # noqa: F811
                                                                       tmp_path: Path, monkeypatch, capsys) -> None:
    out = tmp_path / "clinic-resumed"
    argv = ["train", str(dataset), "--out", str(out), "--img-size", SIZE, "--arch", "mobilenetv2",
            "--base-weights", str(weights_file), "--frozen-epochs", "1", "--epochs", "2", "--no-evaluate"]
    with monkeypatch.context() as patch:  # a Ctrl+C after the first fine-tuning epoch was saved
        original = PhaseCheckpoint.save

        def save_then_interrupt(self, model, epoch, *args) -> None:
            original(self, model, epoch, *args)
            if self.saved["index"] == 1:
                raise KeyboardInterrupt

        patch.setattr(PhaseCheckpoint, "save", save_then_interrupt)
        assert main(argv) == 130
    assert "run the same command with --resume" in capsys.readouterr().err
    assert main(argv) == 2 and "add --resume" in capsys.readouterr().err

    phases_fitted = []
    real_fit_phase = e2e_fit.fit_phase
    monkeypatch.setattr(e2e_fit, "fit_phase", lambda *a, **k: phases_fitted.append(a[4]) or real_fit_phase(*a, **k))
    assert main([*argv, "--resume"]) == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    frozen, tuned = card["training"]["phases"]
    assert [p.startswith("fine-tuning") for p in phases_fitted] == [True]  # the frozen phase was not redone
    assert frozen["epochs_run"] == 1 and 1 <= tuned["epochs_run"] <= 2 and len(tuned["val_loss"]) == tuned["epochs_run"]
    assert card["training"]["resumed"][0]["from"].endswith("1 of 2 epochs done")
    assert not (out / CHECKPOINT_DIR).exists()


def test_a_run_that_fails_before_its_first_epoch_leaves_no_checkpoint(tmp_path: Path) -> None:
    TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=False)
    assert not (tmp_path / CHECKPOINT_DIR).exists()
    assert TrainingCheckpoint.open(tmp_path, FINGERPRINT, resume=False).resumed == []


def test_the_seed_script_skips_trained_seeds_and_resumes_interrupted_ones(tmp_path: Path) -> None:
    """scripts/train_lite2_seeds.sh, run again after a lent GPU's time limit cut it short."""
    import os
    import subprocess

    bin_dir, calls = tmp_path / "bin", tmp_path / "calls.txt"
    bin_dir.mkdir()
    (bin_dir / "python3").write_text(f'#!/bin/sh\necho "$@" >> {calls}\n', encoding="utf-8")
    (bin_dir / "python3").chmod(0o755)
    out = tmp_path / "runs"
    (out / "seed1").mkdir(parents=True)
    (out / "seed1" / "card.json").write_text("{}", encoding="utf-8")
    (out / "seed2" / CHECKPOINT_DIR).mkdir(parents=True)
    (out / "seed2" / CHECKPOINT_DIR / "state.json").write_text("{}", encoding="utf-8")
    script = Path(__file__).resolve().parents[2] / "scripts" / "train_lite2_seeds.sh"
    result = subprocess.run(["bash", str(script), "recipe.json", "w.h5", str(out), "7", "1", "2", "3"],
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
                            capture_output=True, text=True, check=True)
    assert "seed 1 already trained" in result.stdout
    lines = calls.read_text(encoding="utf-8").splitlines()
    assert [("--seed 2" in line, "--resume" in line) for line in lines] == [(True, True), (False, False)]
    assert "--seed 3" in lines[1] and "--epochs 7" in lines[1]


def test_resume_is_refused_for_a_head_on_cached_features(capsys, dataset: Path, tmp_path: Path) -> None:  # noqa: F811
    capsys.readouterr()
    assert main(["train", str(dataset), "--out", str(tmp_path / "head"), "--resume"]) == 2
    assert "--resume is for end-to-end training" in capsys.readouterr().err
