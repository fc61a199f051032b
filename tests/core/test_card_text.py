"""A model card's figures in words (the Model card tab's and the PDFs' wording)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from skindesk.core.card_text import (
    every_test_set_lines,
    inputs_lines,
    licence_lines,
    metadata_fields,
    performance_lines,
    threshold_lines,
)
from skindesk.core.modelcard import Threshold, load_card

MODELS = Path(__file__).resolve().parents[2] / "models"


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


def test_the_bundled_default_reads_the_image_only_and_says_so():
    card = load_card(MODELS / "skindesk-lite2-pair" / "card.json")
    assert metadata_fields(card) == []
    assert inputs_lines(card) == [
        "The image, resized to 260×260 pixels, only.",
        "Age, sex and site are recorded with each analysis but do not change this model's result."]


def test_a_metadata_model_names_the_details_it_reads_in_the_apps_order():
    card = load_card(MODELS / "ham10000-xception" / "card.json")  # its features: sex, site, age
    assert metadata_fields(card) == ["age", "sex", "site"]
    assert inputs_lines(card)[0] == "The image, resized to 254×254 pixels, and the patient's age, sex and site."
    age_only = replace(card, metadata_input={"features": [{"field": "age"}, {"field": "age"}]})
    assert inputs_lines(age_only)[0].endswith("and the patient's age.")


def test_every_test_set_reads_as_one_sentence_with_its_subgroups():
    lines = every_test_set_lines({
        "kaggle_test": {"n": 660, "roc_auc": 0.91004, "roc_auc_ci": [0.886, 0.9307], "sensitivity": 0.89,
                        "specificity": 0.7944, "balanced_accuracy": None,
                        "flagged_malignant_not_ham": {"rate": 0.8718, "n": 156, "ci": [0.8103, 0.9155]},
                        "specific_benign_not_ham": {"rate": 1.0, "n": 1, "ci": [0.2, 1.0]}},
        "clinic_b": {"n": 40}, "note": "not a result"})
    assert lines == [
        ("Kaggle benign/malignant test split (660 images): ROC AUC 0.91 (95% CI 0.89–0.93); at the threshold "
        "sensitivity 89%, specificity 79%; 87% of 156 malignant images not from HAM10000 flagged "
        "(95% CI 81%–92%)."),                                     # a subgroup of one image is left out
        "clinic b (40 images): no figures recorded."]
    assert every_test_set_lines(None) == [] and every_test_set_lines({}) == []
