"""Running a model over a labelled dataset and measuring how it does.

:func:`predict_dataset` runs the model (through the service, so the engine
is shared and progress is reported by callback); :func:`evaluate_scores`
turns the predictions into the report dictionary that ``skindesk evaluate
--json`` writes and the PDF/HTML reports render.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skindesk import __version__
from skindesk.core.evaluation.binary import (
    aggregate_by_lesion,
    binary_metrics,
    operating_point_summary,
)
from skindesk.core.evaluation.bootstrap import DEFAULT_RESAMPLES, DEFAULT_SEED
from skindesk.core.evaluation.dataset import EvalDataset
from skindesk.core.evaluation.labelmap import LabelTarget
from skindesk.core.evaluation.metrics import classification_report
from skindesk.core.evaluation.summary import build_notes, plain_summary
from skindesk.core.evaluation.threshold import choose_threshold
from skindesk.core.modelcard import ModelCard
from skindesk.core.service import ProgressCallback, SkinDeskService


@dataclass
class ScoredImages:
    """The model's output on every readable image of a dataset."""

    paths: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    lesions: list[str | None] = field(default_factory=list)
    malignant_probability: list[float] = field(default_factory=list)
    top_class: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)


def predict_dataset(
    dataset: EvalDataset,
    card: ModelCard,
    service: SkinDeskService | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ScoredImages:
    """Predict every image; unreadable ones are recorded in ``failed``, never fatal."""
    service = service or SkinDeskService()
    scored = ScoredImages(failed=list(dataset.missing))
    paths = [image.path for image in dataset.images]
    results = service.predict_files(paths, model_id=card.id, on_progress=on_progress, cancel=cancel)
    # Results first: zip then asks the generator once more, which reports the last progress.
    for result, image in zip(results, dataset.images):
        if result.prediction is None:
            scored.failed.append({"path": image.path, "error": result.error or "failed"})
            continue
        scored.paths.append(image.path)
        scored.labels.append(image.label)
        scored.lesions.append(image.lesion_id)
        scored.malignant_probability.append(result.prediction.malignant_probability)
        scored.top_class.append(result.prediction.top_class)
    return scored


def evaluate_scores(
    scored: ScoredImages,
    card: ModelCard,
    label_map: dict[str, LabelTarget],
    dataset: EvalDataset,
    target_sensitivity: float | None = None,
    youden: bool = False,
    resamples: int = DEFAULT_RESAMPLES,
) -> dict[str, Any]:
    """The full evaluation report (JSON-ready) of ``scored`` predictions.

    Args:
        scored: Predictions from :func:`predict_dataset`.
        card: The model's card (classes, operating threshold).
        label_map: What each dataset label means for the model.
        dataset: The dataset (for its description and label counts).
        target_sensitivity: Also choose the threshold reaching this sensitivity.
        youden: Also choose the threshold by Youden's index.
        resamples: Bootstrap resamples for the AUC intervals.
    """
    scores = np.asarray(scored.malignant_probability, dtype=np.float64)
    malignant = np.array([label_map[label].malignant for label in scored.labels], dtype=bool)
    known = [lesion for lesion in scored.lesions if lesion]
    lesions = known if scored.lesions and len(known) == len(scored.lesions) else None
    report: dict[str, Any] = {"n": len(scores)}
    report.update(_per_class(scored, card, label_map))
    binary = binary_metrics(scores, malignant, card.threshold.value, lesions, resamples)
    report.update(binary)
    report["threshold_method"] = card.threshold.method
    chosen = choose_threshold(scores, malignant, target_sensitivity, youden)
    if chosen is not None:
        report["operating_point"] = operating_point_summary(chosen[0], chosen[1], scores, malignant)
    if lesions is not None:
        report["per_lesion"] = _per_lesion(scores, malignant, lesions, card, resamples)
    report["model"] = {"id": card.id, "name": card.name, "sha256": card.sha256}
    report["dataset"] = _dataset_info(dataset, scored)
    report["label_map"] = {k: {"class": v.model_class, "malignant": v.malignant}
                           for k, v in label_map.items()}
    report["bootstrap"] = {"resamples": resamples, "seed": DEFAULT_SEED,
                           "unit": "lesion" if lesions else "image", "stratified": True}
    report["notes"] = build_notes(report, scored, card, label_map, dataset)
    report["summary"] = plain_summary(report, scored, label_map)
    report["created"] = datetime.datetime.now().isoformat(timespec="seconds")
    report["app_version"] = __version__
    return report


def _per_class(scored: ScoredImages, card: ModelCard, label_map: dict[str, LabelTarget]) -> dict[str, Any]:
    pairs = [(label_map[label].model_class, top)
             for label, top in zip(scored.labels, scored.top_class)
             if label_map[label].model_class is not None]
    present = {truth for truth, _ in pairs}
    labels = [c for c in card.class_ids if c in present]
    if not pairs:
        return {"accuracy": None, "balanced_accuracy": None, "per_class": {},
                "confusion_matrix": {"labels": [], "matrix": [], "predicted_other_class": []},
                "n_per_class": 0}
    y_true, y_pred = zip(*pairs)
    return {**classification_report(list(y_true), list(y_pred), labels), "n_per_class": len(pairs)}


def _per_lesion(scores: np.ndarray, malignant: np.ndarray, lesions: list[Any], card: ModelCard,
                resamples: int) -> dict[str, Any]:
    _ids, lesion_scores, lesion_malignant = aggregate_by_lesion(scores, malignant, lesions)
    metrics = binary_metrics(lesion_scores, lesion_malignant, card.threshold.value, None, resamples)
    metrics.pop("roc_curve")
    return {"aggregation": "mean P(malignant) over the lesion's images", **metrics}


def _dataset_info(dataset: EvalDataset, scored: ScoredImages) -> dict[str, Any]:
    return {
        "path": str(dataset.source),
        "split": dataset.split,
        "n_images": len(dataset.images) + len(dataset.missing),
        "n_evaluated": len(scored.paths),
        "label_counts": dataset.label_counts(),
        "n_failed": len(scored.failed),
        "failed_files": scored.failed,
        "description": dataset.describe(),
    }
