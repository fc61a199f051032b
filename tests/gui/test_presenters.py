"""The words and numbers the clinician reads (no display needed)."""

from __future__ import annotations

import pytest

from skindesk.gui.presenters import card_sections, malignancy_reading, percent, summarise
from tests.gui.fakes import PROBABILITIES, FakeService, fake_card
from tests.gui.helpers import make_lesion_png


@pytest.mark.parametrize(
    ("p", "threshold", "flagged", "expected"),
    [
        (0.62, 0.27, True, "P(malignant) 0.62 is above the threshold (0.27)"),
        (0.12, 0.27, False, "P(malignant) 0.12 is below the threshold (0.27)"),
        (0.50, 0.50, True, "P(malignant) 0.50 is at the threshold (0.50)"),
        (0.274, 0.271, True, "P(malignant) 0.274 is above the threshold (0.271)"),
        (0.9999, 0.003964, True, "P(malignant) >0.999 is above the threshold (0.004)"),
        (0.0002, 0.003964, False, "P(malignant) <0.001 is below the threshold (0.004)"),
    ],
)
def test_malignancy_reading(p, threshold, flagged, expected):
    reading = malignancy_reading(p, threshold, flagged)
    assert reading == expected + " at which this model flags lesions for review."
    assert "cancer" not in reading and "diagnos" not in reading


@pytest.mark.parametrize(("p", "text"), [(0.0, "0%"), (0.001, "<1%"), (0.55, "55%"),
                                         (0.999, ">99%"), (1.0, "100%")])
def test_percent(p, text):
    assert percent(p) == text


def test_summary_of_a_prediction(tmp_path):
    image = make_lesion_png(tmp_path / "x.png")
    result = FakeService(delay=0)._result(str(image), metadata=None)  # type: ignore[arg-type]
    summary = summarise(result.prediction, fake_card(), [{"code": "dark", "message": "Too dark"}])
    assert summary.headline == "Most likely: Melanoma (55%)"
    assert summary.flagged and summary.flag_label == "Flagged for review"
    assert [b.class_id for b in summary.bars] == sorted(PROBABILITIES, key=lambda c: -PROBABILITIES[c])
    assert {b.class_id for b in summary.bars if b.malignant} == {"akiec", "bcc", "mel"}
    assert summary.warnings == ("Too dark",)


def test_card_sections_cover_what_a_clinician_needs():
    headings = [heading for heading, _ in card_sections(fake_card())]
    assert headings[1:] == ["Intended use", "What it was trained on", "What the result depends on",
                            "Reported performance", "Operating threshold", "Classes", "Limitations",
                            "Licence"]
    text = "\n".join(line for _, lines in card_sections(fake_card()) for line in lines)
    assert "Accuracy: 80.0%" in text
    assert "P(malignant) ≥ 0.27" in text
    assert "How it was chosen: melanoma sensitivity 0.90 (test card)" in text


def test_the_card_tab_lists_every_test_set_when_the_card_has_them():
    import dataclasses

    card = fake_card()
    with_tests = dataclasses.replace(card, raw={**card.raw, "test_results": {
        "ham10000_holdout": {"n": 1529, "roc_auc": 0.905, "sensitivity": 0.99, "specificity": 0.514}}})
    sections = dict(card_sections(with_tests))
    assert sections["Every test set it was checked on"] == [
        ("HAM10000 lesion-level hold-out (1,529 images): ROC AUC 0.91; at the threshold sensitivity 99%, "
        "specificity 51%.")]
    assert "Every test set it was checked on" not in dict(card_sections(card))
