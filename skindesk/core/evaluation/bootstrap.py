"""Bootstrap confidence intervals for the ROC AUC.

Resampling is stratified (positives and negatives resampled separately, so
every resample has both and the class balance of the data), and, when
images are grouped by lesion, it resamples whole lesions: images of one
lesion are not independent, and treating them as such makes the interval
too narrow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 0


def _fast_auc(positive: np.ndarray, negative_sorted: np.ndarray) -> float:
    """AUC from positives and sorted negatives (ties count as half)."""
    below = np.searchsorted(negative_sorted, positive, side="left")
    tied = np.searchsorted(negative_sorted, positive, side="right") - below
    return float((below + 0.5 * tied).sum() / (len(positive) * len(negative_sorted)))


def _units(labels: np.ndarray, groups: Sequence[str] | None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Resampling units (arrays of image indices), split into positive and negative units."""
    if groups is None:
        return [np.flatnonzero(labels)], [np.flatnonzero(~labels)]
    members: dict[str, list[int]] = {}
    for index, group in enumerate(groups):
        members.setdefault(str(group), []).append(index)
    units = [np.array(idx) for idx in members.values()]
    # A lesion counts as positive when any of its images is: labels agree within a lesion.
    positive = [bool(labels[u].any()) for u in units]
    return [u for u, p in zip(units, positive) if p], [u for u, p in zip(units, positive) if not p]


def _draw(units: list[np.ndarray], rng: np.random.Generator, by_image: bool) -> np.ndarray:
    """Image indices of one resample, with replacement, of ``units``.

    ``by_image``: ``units`` is a single array of image indices, resampled
    image by image (the fast path for large datasets).
    """
    if by_image:
        return units[0][rng.integers(0, len(units[0]), len(units[0]))]
    return np.concatenate([units[i] for i in rng.integers(0, len(units), len(units))])


def bootstrap_auc_ci(
    scores: np.ndarray,
    labels: np.ndarray,
    groups: Sequence[str] | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the AUC of ``scores`` for ``labels``.

    Args:
        scores: P(malignant) per image.
        labels: True when the image is malignant.
        groups: Lesion id per image, to resample lesions instead of images.
        resamples: Number of bootstrap resamples.
        seed: Random seed, fixed so a report can be reproduced exactly.
        level: Coverage of the interval.

    Returns:
        (low, high), or (nan, nan) when one class is missing.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(bool)
    pos_units, neg_units = _units(labels, groups)
    if not sum(map(len, pos_units)) or not sum(map(len, neg_units)):
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    values = np.empty(resamples)
    for r in range(resamples):
        pos, neg = _draw(pos_units, rng, groups is None), _draw(neg_units, rng, groups is None)
        values[r] = _fast_auc(scores[pos][labels[pos]], np.sort(scores[neg][~labels[neg]]))
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return (float(low), float(high))
