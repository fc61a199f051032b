"""After training: hold-out evaluation into the card, and installing the model."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

from skindesk import paths
from skindesk.core.errors import UserError
from skindesk.core.jsonfile import write_json_atomic
from skindesk.core.modelcard import write_card
from skindesk.core.training.holdout import evaluate_holdout, key_metrics
from skindesk.core.training.trainer import TrainResult


def record_holdout(result: TrainResult, reports: dict[str, Any]) -> None:
    """Write the hold-out reports beside the model and their headline numbers into its card."""
    if not reports:
        return
    folder = result.folder / "evaluation"
    folder.mkdir(exist_ok=True)
    for name, report in reports.items():
        write_json_atomic(folder / f"holdout-{name}.json", report, default=str)
    result.card["holdout"] = {name: key_metrics(report) for name, report in reports.items()}
    first_name, first = next(iter(reports.items()))
    result.card["reported_performance"] = {
        "source": "skindesk train: hold-out split, never used for fitting or choosing",
        "dataset": f"{first_name} hold-out ({first['n']} images)",
        **key_metrics(first),
    }
    write_card(result.card, result.folder)


def install_trained(result: TrainResult, model_id: str) -> None:
    """Copy the model folder into the user's models (refusing to overwrite)."""
    target = paths.user_models_dir() / model_id
    if target.exists():
        raise UserError(f"a user model '{model_id}' already exists at {target}; choose another --id")
    shutil.copytree(result.folder, target)


def finish_training(result: TrainResult, model_id: str, *, evaluate: bool, install: bool,
                    on_stage: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Evaluate (unless told not to), record, install; returns the hold-out reports."""
    reports = evaluate_holdout(result.folder, model_id, result.sources, on_stage) if evaluate else {}
    record_holdout(result, reports)
    if install:
        install_trained(result, model_id)
    return reports
