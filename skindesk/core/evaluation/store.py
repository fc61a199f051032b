"""Evaluation reports kept per model: each model's validation history.

Every evaluation (``skindesk evaluate`` or the app's Models dialog) is stored
as ``paths.evaluations_dir()/<model id>/<YYYYmmdd-HHMMSS>.json``: the report
of :func:`.evaluate.evaluate_scores` plus each analysed image's P(malignant)
and truth, so an operating point can be chosen later without predicting
again. An unreadable file is logged and skipped, never fatal.
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skindesk import paths
from skindesk.core.errors import UserError
from skindesk.core.jsonfile import write_json_atomic

if TYPE_CHECKING:
    from skindesk.core.evaluation.evaluate import ScoredImages

log = logging.getLogger(__name__)

SCORES_KEY = "scores"


@dataclass(frozen=True)
class StoredEvaluation:
    """One stored evaluation report and the file it is kept in."""

    path: Path
    report: dict[str, Any]

    @property
    def model_id(self) -> str:
        """The evaluated model's id."""
        return str(self.report["model"]["id"])

    @property
    def created(self) -> str:
        """When it was computed (ISO date and time), or ''."""
        return str(self.report.get("created", ""))

    @property
    def has_scores(self) -> bool:
        """True when the per-image scores were stored (a threshold can be chosen)."""
        return bool(self.report.get(SCORES_KEY, {}).get("malignant_probability"))

    def scores(self) -> tuple[np.ndarray, np.ndarray]:
        """(P(malignant), malignant truth) per analysed image.

        Raises:
            UserError: The report was stored without its scores.
        """
        if not self.has_scores:
            raise UserError(f"{self.path} holds no per-image scores; evaluate the model again")
        stored = self.report[SCORES_KEY]
        return (np.asarray(stored["malignant_probability"], dtype=np.float64),
                np.asarray(stored["malignant"], dtype=bool))


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinity turned into None: strict JSON readers reject them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def model_folder(model_id: str) -> Path:
    """Where ``model_id``'s evaluations are kept (the id made folder-safe)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", model_id).lstrip(".") or "_"
    return paths.evaluations_dir() / name


def _scores_section(report: dict[str, Any], scored: ScoredImages) -> dict[str, Any]:
    label_map = report.get("label_map", {})
    return {
        "paths": list(scored.paths),
        "labels": list(scored.labels),
        "malignant_probability": [round(float(p), 6) for p in scored.malignant_probability],
        "malignant": [bool(label_map[label]["malignant"]) for label in scored.labels],
    }


def save_evaluation(report: dict[str, Any], scored: ScoredImages | None = None) -> StoredEvaluation:
    """Store ``report`` (with ``scored``'s per-image scores, when given) under its model.

    Returns:
        The stored evaluation, as :func:`list_evaluations` will read it back.
    """
    data = dict(report)
    if scored is not None:
        data[SCORES_KEY] = _scores_section(report, scored)
    data = json_safe(data)
    folder = model_folder(str(report["model"]["id"]))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target, n = folder / f"{stamp}.json", 1
    while target.exists():  # two evaluations within one second
        n += 1
        target = folder / f"{stamp}-{n}.json"
    write_json_atomic(target, data, indent=1)
    return StoredEvaluation(target, data)


def load_evaluation(path: str | Path) -> StoredEvaluation:
    """Read one stored evaluation.

    Raises:
        UserError: The file cannot be read or is not an evaluation report.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UserError(f"cannot read the evaluation {path}: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("model"), dict) or "n" not in data:
        raise UserError(f"{path} is not a SkinDesk evaluation report")
    return StoredEvaluation(path, data)


def list_evaluations(model_id: str) -> list[StoredEvaluation]:
    """``model_id``'s stored evaluations, newest first; unreadable files are skipped."""
    folder = model_folder(model_id)
    found = []
    files = sorted(folder.glob("*.json"), key=_written_order, reverse=True) if folder.is_dir() else []
    for path in files:
        try:
            found.append(load_evaluation(path))
        except UserError as error:
            log.warning("skipping stored evaluation: %s", error)
    return found


def _written_order(path: Path) -> tuple[str, int]:
    # "20250101-120000-2.json" was written after "20250101-120000.json".
    stamp, count = path.stem, 1
    if path.stem.count("-") > 1:
        head, _, tail = path.stem.rpartition("-")
        stamp, count = (head, int(tail)) if tail.isdigit() else (path.stem, 1)
    return stamp, count
