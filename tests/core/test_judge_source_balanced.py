"""``scripts/judge_source_balanced.py``: experiment (e)'s rule applied to validation numbers."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.core.scripts_loader import load_script


@pytest.fixture(scope="module")
def judge() -> ModuleType:
    return load_script("judge_source_balanced")


def card(model_id: str, **sources: dict[str, float]) -> dict:
    return {"id": model_id, "validation": sources}


CONTROL = card(  # the pair's second network as bundled: the rule's baseline
    "control",
    isic2017={"roc_auc": 0.874, "specificity": 0.708},
    ham10000={"roc_auc": 0.883, "sensitivity": 0.982, "specificity": 0.486, "balanced_accuracy": 0.733},
)


def test_the_control_itself_does_not_pass_part_1(judge, capsys) -> None:
    results = judge.judge(CONTROL, None)
    assert results["part_1"]["passed"] is False and "part_2" not in results
    assert "NO  ham10000     specificity" in capsys.readouterr().out


def test_a_specificity_gain_bought_with_isic2017_auc_does_not_pass(judge) -> None:
    treatment = card("t", isic2017={"roc_auc": 0.86}, ham10000={"sensitivity": 0.9, "specificity": 0.62})
    passed, rows = judge.check(treatment, judge.PART_1)
    assert not passed and [r["met"] for r in rows] == [True, True, False]


def test_part_2_is_judged_only_after_part_1_and_needs_every_condition(judge) -> None:
    treatment = card("t", isic2017={"roc_auc": 0.87}, ham10000={"sensitivity": 0.9, "specificity": 0.60})
    good = {"isic2017": {"roc_auc": 0.875, "specificity": 0.71},
            "isic2019_84": {"roc_auc": 0.82, "balanced_accuracy": 0.56},
            "ham10000": {"specificity": 0.56, "sensitivity": 0.9, "balanced_accuracy": 0.74}}
    assert judge.judge(treatment, card("pair", **good))["part_2"]["replaces_default"] is True

    short = dict(good, isic2019_84={"roc_auc": 0.82, "balanced_accuracy": 0.55})
    verdict = judge.judge(treatment, card("pair", **short))["part_2"]
    assert verdict["replaces_default"] is False
    assert [r["metric"] for r in verdict["checks"] if not r["met"]] == ["balanced_accuracy"]


def test_a_card_without_a_needed_number_is_refused(judge) -> None:
    with pytest.raises(SystemExit, match="no validation specificity for ham10000"):
        judge.check(card("t", isic2017={"roc_auc": 0.9}), judge.PART_1)


def test_the_recorded_verdict_follows_from_the_recorded_validation_numbers(judge) -> None:
    """The doc's verdict on the real treatment is what the rule gives on its card's numbers."""
    import json

    doc = json.loads(judge.DOC.read_text(encoding="utf-8"))
    recorded = doc["results"]
    treatment = card(recorded["part_1"]["model"], **recorded["treatment_validation"]["per_source"])
    assert judge.judge(treatment, None)["part_1"] == recorded["part_1"]
    assert recorded["part_1"]["passed"] is False and "part_2" not in recorded
