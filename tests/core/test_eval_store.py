"""Stored evaluations per model, choosing and saving an operating point from them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from skindesk import paths
from skindesk.cli import main
from skindesk.core.errors import ModelError, UserError
from skindesk.core.evaluation.store import (
    list_evaluations,
    load_evaluation,
    model_folder,
    save_evaluation,
)
from skindesk.core.evaluation.threshold import choose_operating_point, save_chosen_threshold
from skindesk.core.modelcard import load_card
from skindesk.core.service import SkinDeskService
from tests.core.evaldata import make_labelled_folder, write_labelled_lesion
from tests.core.tinymodels import build_tiny_model, install_tiny_model


@pytest.fixture(scope="module")
def tiny_model():
    return build_tiny_model("softmax", classes=3)


@pytest.fixture
def tiny_user_model(tiny_model):
    """The tiny nv/mel/bcc model installed as the user model 'tiny' (threshold 0.4)."""
    return load_card(install_tiny_model(paths.user_models_dir() / "tiny", tiny_model))


@pytest.fixture
def folder_dataset(tmp_path):
    return make_labelled_folder(tmp_path / "dataset", per_class=8, broken=True)


def minimal_report(model_id="m1", n=4, auc=0.75):
    return {"n": n, "model": {"id": model_id, "name": "M", "sha256": "0" * 64},
            "roc_auc": auc, "ece": float("nan"), "created": "2025-01-02T03:04:05",
            "dataset": {"path": "/data/val", "split": None}}


def test_reports_are_stored_per_model_newest_first_and_json_safe():
    first = save_evaluation(minimal_report(auc=0.6))
    second = save_evaluation(minimal_report(auc=0.7))  # same second: a -2 file
    other = save_evaluation(minimal_report("m2"))
    assert first.path.parent == second.path.parent == paths.evaluations_dir() / "m1"
    assert other.path.parent.name == "m2"
    listed = list_evaluations("m1")
    assert [e.report["roc_auc"] for e in listed] == [0.7, 0.6]
    assert listed[0].report["ece"] is None  # NaN written as null
    json.loads(second.path.read_text())  # strict JSON
    assert not listed[0].has_scores
    with pytest.raises(UserError, match="no per-image scores"):
        listed[0].scores()


def test_broken_files_are_skipped_and_ids_cannot_escape_the_folder():
    save_evaluation(minimal_report())
    (model_folder("m1") / "20990101-000000.json").write_text("{not json")
    assert len(list_evaluations("m1")) == 1
    with pytest.raises(UserError, match="cannot read"):
        load_evaluation(model_folder("m1") / "20990101-000000.json")
    assert model_folder("../evil/..").parent == paths.evaluations_dir()
    assert list_evaluations("never-evaluated") == []


def test_cli_evaluate_stores_the_report_with_its_scores(tiny_user_model, folder_dataset, capsys):
    assert main(["evaluate", str(folder_dataset), "--model", "tiny"]) == 1  # one broken file
    assert "Stored with tiny's validation results" in capsys.readouterr().err
    [stored] = list_evaluations("tiny")
    assert stored.report["n"] == 16 and stored.has_scores
    scores, malignant = stored.scores()
    assert scores.shape == (16,) and malignant.sum() == 8
    assert len(stored.report["scores"]["paths"]) == 16


def test_operating_point_from_stored_scores_is_saved_with_the_dataset(
    tiny_user_model, folder_dataset
):
    assert main(["evaluate", str(folder_dataset), "--model", "tiny"]) == 1
    [stored] = list_evaluations("tiny")
    scores, malignant = stored.scores()
    chosen = choose_operating_point(scores, malignant, target_sensitivity=0.9)
    assert chosen["sensitivity"] >= 0.9 and chosen["method"].startswith("highest threshold")
    assert chosen["specificity_ci"][0] <= chosen["specificity"] <= chosen["specificity_ci"][1]
    path = save_chosen_threshold("tiny", chosen, stored.report)
    threshold = load_card(path).threshold
    assert threshold.value == pytest.approx(chosen["threshold"], abs=1e-6)
    assert threshold.dataset == f"{folder_dataset} (16 images analysed: 8 malignant, 8 benign)"
    assert threshold.details["specificity_ci"] == chosen["specificity_ci"]
    youden = choose_operating_point(scores, malignant, youden=True)
    assert youden["method"].startswith("Youden")
    with pytest.raises(ModelError, match="read-only"):
        save_chosen_threshold("ham10000-xception", chosen, stored.report)


def test_the_engine_uses_a_newly_saved_threshold(tiny_user_model, tmp_path):
    service = SkinDeskService()
    image = write_labelled_lesion(tmp_path / "a.png", True, seed=3)
    before = next(service.predict_files([image], model_id="tiny")).prediction
    chosen = {"threshold": before.malignant_probability + 0.01, "method": "test",
              "sensitivity": 1.0, "specificity": 0.5, "sensitivity_ci": [0.5, 1.0],
              "specificity_ci": [0.2, 0.8], "counts": {"malignant": 1, "benign": 1}}
    report = {"roc_auc": 0.5, "dataset": {"path": "/x", "split": None}}
    save_chosen_threshold("tiny", chosen, report)
    after = next(service.predict_files([image], model_id="tiny")).prediction
    assert after.threshold == pytest.approx(chosen["threshold"], abs=1e-6)
    assert before.malignant_probability == pytest.approx(after.malignant_probability)
    assert not after.flagged and np.isclose(service.engine("tiny").card.threshold.value,
                                            chosen["threshold"], atol=1e-6)
