"""Threshold choice and ROC AUC."""

from __future__ import annotations

import numpy as np
import pytest

from skindesk.core.operating_point import evaluate_threshold, roc_auc, threshold_for_sensitivity


def test_threshold_is_the_highest_that_keeps_the_target_sensitivity():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    labels = np.array([1, 1, 0, 1, 0, 1, 0, 0, 0, 0])
    point = threshold_for_sensitivity(scores, labels, 0.75)
    assert point.threshold == 0.6 and point.sensitivity == 0.75
    assert point.specificity == pytest.approx(5 / 6)
    assert evaluate_threshold(scores, labels, 0.61).sensitivity < 0.75


def test_roc_auc_matches_the_pairwise_definition():
    rng = np.random.default_rng(3)
    scores = np.round(rng.random(300), 2)  # rounding creates ties
    labels = rng.random(300) < 0.3
    pos, neg = scores[labels], scores[~labels]
    pairwise = ((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (
        len(pos) * len(neg)
    )
    assert roc_auc(scores, labels) == pytest.approx(pairwise)


def test_one_class_only_is_rejected():
    with pytest.raises(ValueError, match="both"):
        roc_auc(np.array([0.1, 0.2]), np.array([1, 1]))
