"""Writing scan results as CSV (one row per file) or JSON Lines (one object per file).

Both writers take items as they arrive and flush after each chunk, so a
report is usable even when the scan is cut short.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from skindesk.core.batch.items import ScanItem
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.modelcard import ModelCard

if TYPE_CHECKING:
    from typing import Self  # Python 3.11+; annotations are not evaluated at run time

_PROBABILITY_DIGITS = 6


def csv_columns(card: ModelCard) -> list[str]:
    """Column names of the CSV report for a model: one ``p_<class>`` per class."""
    return [
        "path", "status", "error", "top_class", "p_malignant", "flagged",
        *(f"p_{class_id}" for class_id in card.class_ids), "warnings", "model_id",
    ]  # fmt: skip


def csv_row(item: ScanItem, card: ModelCard) -> dict[str, Any]:
    """One CSV row; failed and skipped files have empty result columns."""
    row: dict[str, Any] = {
        "path": item.path,
        "status": item.status,
        "error": item.error or "",
        "warnings": "; ".join(w.get("message", "") for w in item.warnings),
    }
    prediction = item.prediction
    if prediction is None:
        return row
    row.update(
        top_class=prediction.top_class,
        p_malignant=_number(prediction.malignant_probability),
        flagged="yes" if prediction.flagged else "no",
        model_id=prediction.model_id,
    )
    for class_id in card.class_ids:
        row[f"p_{class_id}"] = _number(prediction.probabilities.get(class_id))
    return row


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.{_PROBABILITY_DIGITS}f}"


class _ReportWriter:
    """Opens the output file (UTF-8, owner-only) and closes it as a context manager."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.stream: TextIO = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115

    def flush(self) -> None:
        """Push what was written to the file."""
        self.stream.flush()

    def close(self) -> None:
        """Close the file."""
        self.stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class CsvReportWriter(_ReportWriter):
    """CSV with a header row and one row per file (see :func:`csv_columns`)."""

    def __init__(self, path: str | Path, card: ModelCard) -> None:
        super().__init__(path)
        self.card = card
        self._csv = csv.DictWriter(self.stream, fieldnames=csv_columns(card), restval="")
        self._csv.writeheader()

    def write(self, item: ScanItem) -> None:
        """Add one file's row."""
        self._csv.writerow(csv_row(item, self.card))


class JsonlReportWriter(_ReportWriter):
    """JSON Lines: each file's :meth:`ScanItem.to_dict` on its own line."""

    def __init__(
        self,
        path: str | Path,
        metadata: PatientMetadata = UNKNOWN,
        preprocessing: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(path)
        self.metadata = metadata
        self.preprocessing = preprocessing

    def write(self, item: ScanItem) -> None:
        """Add one file's line."""
        data = item.to_dict(self.metadata, self.preprocessing)
        self.stream.write(json.dumps(data, ensure_ascii=False) + "\n")
