"""Choosing and describing an operating threshold on P(malignant).

A threshold is chosen on labelled images the model was not trained on:
the highest threshold that still reaches a target sensitivity, because for
skin cancer a missed melanoma costs far more than an extra review.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OperatingPoint:
    """A threshold with the sensitivity and specificity it gives on a dataset."""

    threshold: float
    sensitivity: float
    specificity: float
    positives: int
    negatives: int

    def to_dict(self) -> dict[str, float | int]:
        """JSON-ready form."""
        return {
            "value": self.threshold,
            "sensitivity": round(self.sensitivity, 4),
            "specificity": round(self.specificity, 4),
            "positives": self.positives,
            "negatives": self.negatives,
        }


def _as_arrays(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    labels = np.asarray(labels).astype(bool).reshape(-1)
    if scores.shape != labels.shape:
        raise ValueError("scores and labels differ in length")
    if labels.all() or not labels.any():
        raise ValueError("need both positive and negative examples")
    return scores, labels


def evaluate_threshold(scores: np.ndarray, labels: np.ndarray, threshold: float) -> OperatingPoint:
    """Sensitivity and specificity of ``score >= threshold`` as the positive call."""
    scores, labels = _as_arrays(scores, labels)
    called = scores >= threshold
    return OperatingPoint(
        threshold=float(threshold),
        sensitivity=float(called[labels].mean()),
        specificity=float((~called[~labels]).mean()),
        positives=int(labels.sum()),
        negatives=int((~labels).sum()),
    )


def threshold_for_sensitivity(scores: np.ndarray, labels: np.ndarray, target: float) -> OperatingPoint:
    """The highest threshold whose sensitivity is at least ``target``.

    With ``k = ceil(target × positives)``, that is the k-th highest positive
    score: any higher threshold would miss one more positive.
    """
    if not 0.0 < target <= 1.0:
        raise ValueError("target sensitivity must lie in (0, 1]")
    scores, labels = _as_arrays(scores, labels)
    positive_scores = np.sort(scores[labels])[::-1]
    k = max(1, math.ceil(target * len(positive_scores) - 1e-9))
    return evaluate_threshold(scores, labels, float(positive_scores[k - 1]))


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with ties counted as half)."""
    scores, labels = _as_arrays(scores, labels)
    pos, neg = scores[labels], scores[~labels]
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order), dtype=np.float64)
    combined = np.concatenate([pos, neg])[order]
    # Average ranks over ties.
    _, first, counts = np.unique(combined, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    u = ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2.0
    return float(u / (len(pos) * len(neg)))
