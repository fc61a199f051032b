"""A model card's figures in words (the Model card tab's and the PDFs' wording)."""

from __future__ import annotations

from skindesk.core.card_text import licence_lines, performance_lines, threshold_lines
from skindesk.core.modelcard import Threshold


def test_performance_is_rounded_with_its_interval_and_where_it_was_measured():
    lines = performance_lines({"roc_auc": 0.8313248, "roc_auc_ci": [0.7848, 0.8713], "specificity": 0.4762,
                               "n": 1529, "dataset": "HAM10000 hold-out", "source": "report script",
                               "ece": 0.1, "flag": True})
    assert lines == ["Specificity at the threshold: 47.6%", "ROC AUC, malignant vs benign: 0.83 (95% CI 0.78–0.87)",
                     "Test images: 1,529", "Test set: HAM10000 hold-out", "Source: report script"]


def test_an_interval_with_a_gap_is_left_out_and_nothing_reported_says_so():
    assert performance_lines({"roc_auc": 0.9, "roc_auc_ci": [None, 0.95]}) == ["ROC AUC, malignant vs benign: 0.90"]
    assert performance_lines({}) == ["Not reported."]
    assert performance_lines({"sensitivity": True}) == ["Not reported."]  # a flag is not a rate


def test_licence_lines_include_a_free_text_note():
    assert licence_lines({"name": "MIT", "holder": "E. P.", "training_data_license": "CC BY-NC",
                          "note": "Starting weights: Apache-2.0."}) == [
        "Model: MIT (E. P.)", "Training data: CC BY-NC", "Starting weights: Apache-2.0."]
    assert licence_lines({}) == ["Not stated."]


def test_the_threshold_reads_as_sentences_with_its_figures_rounded():
    threshold = Threshold(0.196351, "highest threshold with sensitivity >= 0.9", "ISIC 2017 val.",
                          {"specificity": 0.7000001, "sensitivity": 0.9, "positives": 30.0,
                           "target_sensitivity": 0.9, "chosen_on": "2026-11-23", "script": "x.py"})
    assert threshold_lines(threshold) == [
        "Flags a lesion for review when P(malignant) ≥ 0.196.",
        "How it was chosen: highest threshold with sensitivity >= 0.9.",
        "Chosen on: ISIC 2017 val.",              # no second full stop
        "Target sensitivity: 0.9.", "Sensitivity there: 0.9.", "Specificity there: 0.7.",
        "Malignant images there: 30.", "Date chosen: 2026-11-23.", "Script: x.py."]
    assert threshold_lines(Threshold(0.0004, "", ""))[0].endswith("≥ 0.0004.")
