"""One line of the scan's result table, and how lines sort and filter (no Tk).

A :class:`ResultRow` keeps only what the table shows (a few short strings
and numbers), never the image or the full result, so a scan of 100,000
files costs a few megabytes of rows. Full results stay in the scan's
journal, where exports read them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Table columns: (id, heading, sorts highest first on the first click).
COLUMNS = (
    ("file", "File", False),
    ("class", "Most likely", False),
    ("p_malignant", "P(malignant)", True),
    ("review", "Review", True),
    ("status", "Status", False),
    ("note", "Warnings / reason", False),
)
DEFAULT_SORT = ("p_malignant", True)  # the most worrying images first
FIRST_CLICK_DESCENDING = {column: descending for column, _, descending in COLUMNS}


@dataclass(frozen=True, slots=True)
class ResultRow:
    """What the table shows of one file of a scan.

    Attributes:
        iid: The row's id in the table (unique within a scan).
        path: Absolute path of the file (opened on double-click).
        relpath: Path relative to the scanned folder.
        status: ``"ok"``, ``"failed"`` or ``"skipped"``.
        class_name: Readable name of the most probable class ("" when not analysed).
        p_malignant: The model's P(malignant), None when not analysed.
        flagged: P(malignant) at or above the model's threshold.
        note: Why it failed or was skipped, or its image-quality warnings.
        resumed: Read back from an earlier run's journal.
    """

    iid: str
    path: str
    relpath: str
    status: str
    class_name: str = ""
    p_malignant: float | None = None
    flagged: bool = False
    note: str = ""
    resumed: bool = False

    @classmethod
    def from_item(cls, iid: str, item: Any, card: Any) -> ResultRow:
        """The row of a :class:`~skindesk.core.batch.ScanItem` (names from ``card``)."""
        prediction = item.prediction
        warnings = "; ".join(w.get("message", w.get("code", "")) for w in item.warnings)
        if prediction is None:
            return cls(iid, item.path, item.relpath, item.status, note=item.error or warnings,
                       resumed=item.resumed)
        top = prediction.top_class
        return cls(iid, item.path, item.relpath, item.status,
                   class_name=f"{card.class_name(top)} [{top}]",
                   p_malignant=prediction.malignant_probability, flagged=prediction.flagged,
                   note=warnings, resumed=item.resumed)

    def values(self) -> tuple[str, ...]:
        """The cells, in :data:`COLUMNS` order."""
        probability = "" if self.p_malignant is None else f"{self.p_malignant:.3f}"
        review = "⚑ Flagged" if self.flagged else ("–" if self.status == "ok" else "")
        status = {"ok": "earlier run" if self.resumed else "analysed"}.get(self.status, self.status)
        return (self.relpath, self.class_name, probability, review, status, self.note)

    @property
    def tag(self) -> str:
        """How the row is highlighted: flagged, failed, skipped or ok."""
        return "flagged" if self.flagged else self.status


def sort_value(row: ResultRow, column: str) -> Any:
    """The row's value in ``column`` for sorting; None sorts last either way."""
    if column == "p_malignant":
        return row.p_malignant
    if column == "review":
        return int(row.flagged) if row.status == "ok" else None
    if column == "class":
        return row.class_name.casefold() or None
    if column == "note":
        return row.note.casefold() or None
    if column == "status":
        return row.status
    return row.relpath.casefold()


def comes_before(a: Any, b: Any, descending: bool) -> bool:
    """Whether sort value ``a`` goes strictly before ``b`` (None after everything)."""
    if a is None or b is None:
        return a is not None and b is None
    return a > b if descending else a < b


def insert_position(values: list[Any], value: Any, descending: bool) -> int:
    """Where ``value`` goes in the sorted ``values``: after its equals, so ties keep arrival order."""
    low, high = 0, len(values)
    while low < high:
        middle = (low + high) // 2
        if comes_before(value, values[middle], descending):
            high = middle
        else:
            low = middle + 1
    return low


def sort_rows(rows: list[ResultRow], column: str, descending: bool) -> list[ResultRow]:
    """``rows`` sorted by ``column`` (stable; rows without a value last)."""
    present = [r for r in rows if sort_value(r, column) is not None]
    missing = [r for r in rows if sort_value(r, column) is None]
    present.sort(key=lambda r: sort_value(r, column), reverse=descending)
    return present + missing


@dataclass(frozen=True)
class RowFilter:
    """Which rows the table shows.

    Attributes:
        text: Words that must appear in the file name, class, status or note (any case).
        flagged_only: Only rows flagged for review.
        failed_only: Only files that could not be analysed.
    """

    text: str = ""
    flagged_only: bool = False
    failed_only: bool = False

    def accepts(self, row: ResultRow) -> bool:
        """Whether ``row`` is shown."""
        if self.flagged_only and not row.flagged:
            return False
        if self.failed_only and row.status != "failed":
            return False
        haystack = f"{row.relpath} {row.class_name} {row.status} {row.note}".casefold()
        return all(word in haystack for word in self.text.casefold().split())
