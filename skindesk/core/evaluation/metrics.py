"""Classification, calibration and operating-point metrics in plain NumPy.

Per-class metrics follow scikit-learn's definitions (the tests compare
them), but SkinDesk does not depend on scikit-learn at run time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from skindesk.core.operating_point import OperatingPoint, evaluate_threshold

ECE_BINS = 10


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score 95% interval of a proportion; (nan, nan) when ``total`` is 0.

    Unlike the normal approximation it stays inside [0, 1] and is sensible
    for proportions near 0 or 1 and small counts, as with 30 melanomas.
    """
    if total <= 0:
        return (math.nan, math.nan)
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def confusion_matrix(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Counts with rows = true label, columns = predicted label, over ``labels``."""
    position = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for truth, guess in zip(y_true, y_pred):
        if truth in position and guess in position:
            matrix[position[truth], position[guess]] += 1
    return matrix


def _safe_ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def per_class_metrics(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, float | int]]:
    """Precision, recall, F1 and support for each label (0 where undefined)."""
    truth, guess = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    result: dict[str, dict[str, float | int]] = {}
    for label in labels:
        tp = int(np.sum((truth == label) & (guess == label)))
        predicted, support = int(np.sum(guess == label)), int(np.sum(truth == label))
        precision, recall = _safe_ratio(tp, predicted), _safe_ratio(tp, support)
        f1 = _safe_ratio(2 * precision * recall, precision + recall)
        result[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return result


def classification_report(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, balanced accuracy, per-class metrics and the confusion matrix.

    Args:
        y_true: True class ids (all of them classes of the model).
        y_pred: Predicted class ids (the model's top class).
        labels: The classes to report: the model's classes present in ``y_true``.
    """
    truth, guess = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    per_class = per_class_metrics(y_true, y_pred, labels)
    recalls = [m["recall"] for m in per_class.values() if m["support"]]
    outside = [int(np.sum((truth == label) & ~np.isin(guess, list(labels)))) for label in labels]
    return {
        "accuracy": float(np.mean(truth == guess)) if len(truth) else None,
        "balanced_accuracy": float(np.mean(recalls)) if recalls else None,
        "per_class": per_class,
        "confusion_matrix": {
            "labels": list(labels),
            "matrix": confusion_matrix(y_true, y_pred, labels).tolist(),
            "predicted_other_class": outside,
        },
    }


def reliability_bins(probabilities: np.ndarray, outcomes: np.ndarray, bins: int = ECE_BINS) -> list[dict[str, float]]:
    """Equal-width bins of predicted probability: count, mean prediction, observed rate."""
    probabilities = np.clip(np.asarray(probabilities, dtype=np.float64), 0.0, 1.0)
    outcomes = np.asarray(outcomes, dtype=np.float64)
    # The last bin is closed on the right so a probability of exactly 1 is counted.
    index = np.minimum((probabilities * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        inside = index == b
        count = int(inside.sum())
        rows.append({
            "low": b / bins,
            "high": (b + 1) / bins,
            "count": count,
            "mean_predicted": float(probabilities[inside].mean()) if count else math.nan,
            "observed": float(outcomes[inside].mean()) if count else math.nan,
        })
    return rows


def expected_calibration_error(probabilities: np.ndarray, outcomes: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE: the count-weighted mean gap between predicted and observed rates."""
    rows = reliability_bins(probabilities, outcomes, bins)
    total = sum(r["count"] for r in rows)
    if not total:
        return math.nan
    gaps = [r["count"] * abs(r["mean_predicted"] - r["observed"]) for r in rows if r["count"]]
    return float(sum(gaps) / total)


def roc_curve(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False and true positive rates at every distinct threshold (highest first)."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(bool)
    order = np.argsort(-scores, kind="mergesort")
    ranked, hits = scores[order], labels[order]
    # The last position of each distinct score: everything up to it is called positive.
    last = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
    true_pos, false_pos = np.cumsum(hits)[last], np.cumsum(~hits)[last]
    tpr = true_pos / max(int(labels.sum()), 1)
    fpr = false_pos / max(int((~labels).sum()), 1)
    return np.r_[0.0, fpr], np.r_[0.0, tpr], np.r_[np.inf, ranked[last]]


def youden_threshold(scores: np.ndarray, labels: np.ndarray) -> OperatingPoint:
    """The threshold maximising sensitivity + specificity - 1 (Youden's J).

    Ties go to the higher sensitivity: the cheaper error in skin cancer
    triage is an extra review, not a missed cancer.
    """
    fpr, tpr, thresholds = roc_curve(scores, labels)
    j = tpr[1:] - fpr[1:]
    candidates = np.flatnonzero(np.isclose(j, j.max()))
    best = candidates[np.argmax(tpr[1:][candidates])]
    return evaluate_threshold(scores, labels, float(thresholds[1:][best]))
