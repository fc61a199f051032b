"""Measuring a freshly trained model on its hold-out split, through the normal engine.

The hold-out images were never used to fit or choose anything; they are
scored by the same :class:`SkinDeskService` path as ``skindesk evaluate``,
so the numbers are those a user would reproduce.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from skindesk.core.evaluation.dataset import EvalDataset, LabelledImage
from skindesk.core.evaluation.evaluate import evaluate_scores, predict_dataset
from skindesk.core.evaluation.labelmap import infer_label_map
from skindesk.core.registry import ModelRegistry
from skindesk.core.service import SkinDeskService
from skindesk.core.training.data import SourceImages

KEY_METRICS = ("n", "accuracy", "balanced_accuracy", "roc_auc", "roc_auc_ci", "sensitivity",
               "specificity", "ece")


def holdout_dataset(source: SourceImages) -> EvalDataset:
    """The source's hold-out images as an evaluation dataset."""
    images = [LabelledImage(i.path, i.label, i.group) for i in source.holdout]
    return EvalDataset(Path(source.name), images, split="holdout")


def evaluate_holdout(model_folder: Path, model_id: str, sources: list[SourceImages],
                     on_progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Full evaluation reports, per source that has a hold-out, keyed by source name."""
    service = SkinDeskService(ModelRegistry([model_folder.parent]))
    card = service.card(model_id)
    reports = {}
    for source in sources:
        if not source.holdout:
            continue
        dataset = holdout_dataset(source)
        stage = f"hold-out {source.name}"
        progress = (lambda done, total, s=stage: on_progress(s, done, total)) if on_progress else None
        scored = predict_dataset(dataset, card, service, on_progress=progress)
        label_map = infer_label_map(dataset.label_counts(), card)
        reports[source.name] = evaluate_scores(scored, card, label_map, dataset)
    return reports


def key_metrics(report: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of a report, for the card."""
    return {key: report.get(key) for key in KEY_METRICS}
