"""Validation-split numbers of a trained head: what the recipe is chosen on."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from skindesk.core.evaluation.metrics import expected_calibration_error
from skindesk.core.operating_point import evaluate_threshold, roc_auc, threshold_for_sensitivity
from skindesk.core.training.arrays import Arrays
from skindesk.core.training.calibration import softmax


def malignant_probability(probabilities: np.ndarray, malignant_columns: list[int]) -> np.ndarray:
    """P(malignant): the summed probability of the malignant classes."""
    return probabilities[:, malignant_columns].sum(axis=1)


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Mean recall over the classes present."""
    recalls = [float(np.mean(predicted[labels == c] == c)) for c in np.unique(labels)]
    return float(np.mean(recalls))


def source_metrics(arrays: Arrays, logits: np.ndarray, temperature: float, malignant_columns: list[int],
                   threshold: float) -> dict[str, Any]:
    """AUC, balanced accuracy, ECE and the operating point, for one group of rows."""
    probabilities = softmax(logits, temperature)
    scores = malignant_probability(probabilities, malignant_columns)
    metrics: dict[str, Any] = {"n": len(arrays), "malignant": int(arrays.malignant.sum())}
    metrics["balanced_accuracy"] = round(balanced_accuracy(arrays.labels, probabilities.argmax(1)), 4)
    if 0 < arrays.malignant.sum() < len(arrays):
        point = evaluate_threshold(scores, arrays.malignant, threshold)
        metrics.update(roc_auc=round(roc_auc(scores, arrays.malignant), 4),
                       sensitivity=round(point.sensitivity, 4), specificity=round(point.specificity, 4))
    metrics["ece"] = round(expected_calibration_error(scores, arrays.malignant.astype(float)), 4)
    return metrics


def choose_operating_threshold(arrays: Arrays, logits: np.ndarray, temperature: float,
                               malignant_columns: list[int], target: float) -> dict[str, Any]:
    """The highest threshold reaching ``target`` sensitivity on these validation rows."""
    scores = malignant_probability(softmax(logits, temperature), malignant_columns)
    point = threshold_for_sensitivity(scores, arrays.malignant, target)
    # Rounded down: rounding up could lift it above the score it was chosen at.
    return {"value": math.floor(float(point.threshold) * 1e6) / 1e6, "sensitivity": round(point.sensitivity, 4),
            "specificity": round(point.specificity, 4), "positives": int(arrays.malignant.sum()),
            "negatives": int((~arrays.malignant).sum()), "target_sensitivity": target,
            "roc_auc_on_dataset": round(roc_auc(scores, arrays.malignant), 4)}


def per_source(arrays: Arrays, logits: np.ndarray, temperature: float, malignant_columns: list[int],
               threshold: float) -> dict[str, Any]:
    """:func:`source_metrics` for each source and for all rows together."""
    result = {"all": source_metrics(arrays, logits, temperature, malignant_columns, threshold)}
    for source in sorted(set(arrays.sources)):
        mask = arrays.sources == source
        result[str(source)] = source_metrics(arrays.subset(mask), logits[mask], temperature,
                                             malignant_columns, threshold)
    return result
