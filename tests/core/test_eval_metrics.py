"""Evaluation metrics against scikit-learn and against known answers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from skindesk.core.evaluation.binary import aggregate_by_lesion
from skindesk.core.evaluation.bootstrap import bootstrap_auc_ci
from skindesk.core.evaluation.metrics import (
    classification_report,
    expected_calibration_error,
    roc_curve,
    wilson_interval,
    youden_threshold,
)
from skindesk.core.operating_point import evaluate_threshold, roc_auc

CLASSES = ["akiec", "bcc", "bkl", "mel", "nv"]


def synthetic_scores(n, seed=0, separation=1.0):
    """Malignant labels and P(malignant)-like scores that separate them somewhat."""
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.3
    logits = rng.normal(size=n) + separation * labels
    return 1 / (1 + np.exp(-logits)), labels


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_classification_report_matches_scikit_learn():
    rng = np.random.default_rng(1)
    y_true = list(rng.choice(["bkl", "mel", "nv"], 300))
    # Predictions may name classes the dataset does not have (akiec, bcc).
    y_pred = list(rng.choice(CLASSES, 300))
    labels = ["bkl", "mel", "nv"]
    report = classification_report(y_true, y_pred, labels)
    assert report["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert report["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y_true, y_pred))
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    for i, label in enumerate(labels):
        got = report["per_class"][label]
        assert (got["precision"], got["recall"], got["f1"]) == pytest.approx(
            (precision[i], recall[i], f1[i]))
        assert got["support"] == support[i]
    matrix = report["confusion_matrix"]
    assert matrix["labels"] == labels
    assert matrix["matrix"] == skm.confusion_matrix(y_true, y_pred, labels=labels).tolist()
    outside = [sum(t == label and p not in labels for t, p in zip(y_true, y_pred)) for label in labels]
    assert matrix["predicted_other_class"] == outside


def test_auc_and_roc_curve_match_scikit_learn():
    scores, labels = synthetic_scores(500)
    scores = np.round(scores, 2)  # ties
    assert roc_auc(scores, labels) == pytest.approx(skm.roc_auc_score(labels, scores))
    fpr, tpr, _ = roc_curve(scores, labels)
    sk_fpr, sk_tpr, _ = skm.roc_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)


def test_bootstrap_ci_contains_the_estimate_and_narrows_with_more_data():
    widths = []
    for n in (100, 2000):
        scores, labels = synthetic_scores(n, seed=n)
        low, high = bootstrap_auc_ci(scores, labels, resamples=500)
        assert low <= roc_auc(scores, labels) <= high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2


def test_bootstrap_is_reproducible_and_wider_by_lesion():
    scores, labels = synthetic_scores(150, seed=3)
    # Every lesion photographed 4 times with the same score: only 150 independent units.
    repeated, repeated_labels = np.repeat(scores, 4), np.repeat(labels, 4)
    lesions = np.repeat([f"L{i}" for i in range(150)], 4)
    by_image = bootstrap_auc_ci(repeated, repeated_labels)
    by_lesion = bootstrap_auc_ci(repeated, repeated_labels, groups=list(lesions))
    assert by_image == bootstrap_auc_ci(repeated, repeated_labels)
    assert (by_lesion[1] - by_lesion[0]) > 1.5 * (by_image[1] - by_image[0])


def test_ece_is_near_zero_when_calibrated_and_large_when_not():
    rng = np.random.default_rng(5)
    p = rng.random(200_000)
    outcomes = rng.random(200_000) < p
    assert expected_calibration_error(p, outcomes) < 0.01
    assert expected_calibration_error(np.full(100, 0.2), np.ones(100)) == pytest.approx(0.8)


def test_youden_threshold_maximises_sensitivity_plus_specificity():
    scores, labels = synthetic_scores(400, seed=7, separation=2.0)
    point = youden_threshold(scores, labels)
    j_values = [(p.sensitivity + p.specificity - 1) for p in
                (evaluate_threshold(scores, labels, t) for t in np.unique(scores))]
    assert point.sensitivity + point.specificity - 1 == pytest.approx(max(j_values))


def test_wilson_interval_known_values():
    assert wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0
    low, high = wilson_interval(0, 0)
    assert np.isnan(low) and np.isnan(high)


def test_lesion_aggregation_averages_images():
    ids, scores, malignant = aggregate_by_lesion(
        np.array([0.2, 0.4, 0.9, 0.1]), np.array([True, True, False, False]), ["a", "a", "b", "c"])
    assert ids == ["a", "b", "c"]
    np.testing.assert_allclose(scores, [0.3, 0.9, 0.1])
    assert malignant.tolist() == [True, False, False]
