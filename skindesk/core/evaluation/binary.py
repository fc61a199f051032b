"""Malignant-vs-benign metrics of P(malignant), per image or per lesion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from skindesk.core.evaluation.bootstrap import DEFAULT_RESAMPLES, bootstrap_auc_ci
from skindesk.core.evaluation.metrics import (
    expected_calibration_error,
    reliability_bins,
    roc_curve,
    wilson_interval,
)
from skindesk.core.operating_point import OperatingPoint, roc_auc


def _rounded(values: Sequence[float] | np.ndarray, digits: int = 4) -> list[float | None]:
    return [None if not np.isfinite(v) else round(float(v), digits) for v in values]


def _json_row(row: dict[str, float]) -> dict[str, float | None]:
    # Empty bins have NaN means, which JSON cannot hold: write null.
    return {k: (round(v, 4) if np.isfinite(v) else None) for k, v in row.items()}


def point_summary(scores: np.ndarray, malignant: np.ndarray, threshold: float) -> dict[str, Any]:
    """Sensitivity and specificity at ``threshold``, with counts and Wilson 95% CIs."""
    called = np.asarray(scores) >= threshold
    malignant = np.asarray(malignant).astype(bool)
    positives, negatives = int(malignant.sum()), int((~malignant).sum())
    found, cleared = int((called & malignant).sum()), int((~called & ~malignant).sum())
    return {
        "threshold": float(threshold),
        "sensitivity": found / positives if positives else None,
        "sensitivity_ci": _rounded(wilson_interval(found, positives)) if positives else None,
        "specificity": cleared / negatives if negatives else None,
        "specificity_ci": _rounded(wilson_interval(cleared, negatives)) if negatives else None,
        "counts": {"malignant": positives, "benign": negatives,
                   "malignant_flagged": found, "benign_cleared": cleared},
    }


def operating_point_summary(point: OperatingPoint, method: str, scores: np.ndarray,
                            malignant: np.ndarray) -> dict[str, Any]:
    """A chosen operating point, described like the card's threshold."""
    return {"method": method, **point_summary(scores, malignant, point.threshold)}


def binary_metrics(
    scores: np.ndarray,
    malignant: np.ndarray,
    threshold: float,
    groups: Sequence[str] | None = None,
    resamples: int = DEFAULT_RESAMPLES,
) -> dict[str, Any]:
    """AUC with bootstrap CI, sensitivity/specificity at ``threshold``, calibration.

    Args:
        scores: P(malignant) per unit (image or lesion).
        malignant: True for malignant units.
        threshold: The operating threshold on P(malignant).
        groups: Lesion id per image: the AUC interval then resamples lesions.
        resamples: Bootstrap resamples for the AUC interval.
    """
    scores = np.asarray(scores, dtype=np.float64)
    malignant = np.asarray(malignant).astype(bool)
    both = bool(malignant.any() and (~malignant).any())
    auc = roc_auc(scores, malignant) if both else None
    ci = bootstrap_auc_ci(scores, malignant, groups, resamples) if both else None
    fpr, tpr = roc_curve(scores, malignant)[:2] if both else (np.array([]), np.array([]))
    return {
        "n": len(scores),
        "roc_auc": auc,
        "roc_auc_ci": _rounded(ci) if ci else None,
        **point_summary(scores, malignant, threshold),
        "ece": expected_calibration_error(scores, malignant) if len(scores) else None,
        "reliability": [_json_row(row) for row in reliability_bins(scores, malignant)],
        "roc_curve": {"fpr": _rounded(fpr), "tpr": _rounded(tpr)},
    }


def aggregate_by_lesion(
    scores: np.ndarray, malignant: np.ndarray, lesions: Sequence[str]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """One row per lesion: mean P(malignant) over its images; malignant if any image is."""
    members: dict[str, list[int]] = {}
    for index, lesion in enumerate(lesions):
        members.setdefault(str(lesion), []).append(index)
    ids = list(members)
    mean_scores = np.array([np.mean(np.asarray(scores)[members[i]]) for i in ids])
    lesion_malignant = np.array([bool(np.asarray(malignant)[members[i]].any()) for i in ids])
    return ids, mean_scores, lesion_malignant
