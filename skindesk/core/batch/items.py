"""What a folder scan hands back: one :class:`ScanItem` per file, progress, a summary."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.prediction import Prediction
from skindesk.core.service import FileResult

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
STATUSES = (OK, FAILED, SKIPPED)


@dataclass(frozen=True)
class ScanItem:
    """The outcome for one file of a scan.

    Attributes:
        path: Absolute path of the file.
        relpath: Path relative to the scanned folder (``/`` separators).
        status: ``"ok"`` (analysed), ``"failed"`` (an image, or a file named
            like one, that could not be analysed) or ``"skipped"`` (not an
            image, e.g. ``notes.txt``).
        error: Why it failed or was skipped; None when ok.
        prediction: The model's result when ok.
        image_info: Width, height and format of the decoded image.
        warnings: Image-quality warnings, dicts with ``code`` and ``message``.
        resumed: True when read back from the journal of an earlier run
            rather than analysed now.
    """

    path: str
    relpath: str
    status: str
    error: str | None = None
    prediction: Prediction | None = None
    image_info: dict[str, Any] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """True when the file was analysed."""
        return self.status == OK

    def to_record(self) -> dict[str, Any]:
        """Lossless JSON-ready form, as kept in the scan journal."""
        record = dataclasses.asdict(self)
        del record["resumed"]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any], *, resumed: bool = True) -> ScanItem:
        """Rebuild an item from :meth:`to_record` output."""
        data = dict(record)
        if data.get("prediction") is not None:
            data["prediction"] = Prediction(**data["prediction"])
        return cls(**data, resumed=resumed)

    def to_file_result(
        self, metadata: PatientMetadata = UNKNOWN, preprocessing: dict[str, Any] | None = None
    ) -> FileResult:
        """The same outcome as the service's per-file result.

        Args:
            metadata: The patient metadata the scan gave the model.
            preprocessing: The scan's :func:`~skindesk.core.service.preprocessing_record`.
        """
        return FileResult(
            path=self.path,
            prediction=self.prediction,
            error=self.error,
            image_info=dict(self.image_info),
            warnings=list(self.warnings),
            metadata=metadata,
            preprocessing=preprocessing,
        )

    def to_dict(
        self, metadata: PatientMetadata = UNKNOWN, preprocessing: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The public JSON line: ``predict --json``'s fields plus status and relpath."""
        data = self.to_file_result(metadata, preprocessing).to_dict()
        return {
            "path": self.path,
            "relpath": self.relpath,
            "status": self.status,
            "error": self.error,
            **{k: v for k, v in data.items() if k not in ("path", "error")},
        }


@dataclass(frozen=True)
class ScanProgress:
    """Where a running scan stands, as passed to ``on_progress``.

    Attributes:
        done: Files finished so far (analysed, failed, skipped or resumed).
        total: Files to look at in all, or None while still being counted.
        analysed: Images analysed by the model in this run.
        elapsed: Seconds since this run started.
    """

    done: int
    total: int | None
    analysed: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Images analysed per second in this run."""
        return self.analysed / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate, when known."""
        if self.total is None or self.rate <= 0:
            return None
        return max(self.total - self.done, 0) / self.rate


@dataclass
class ScanSummary:
    """Totals of a scan, built by :meth:`add` as items arrive.

    Attributes:
        class_counts: Analysed files per top class.
        flagged: Analysed files at or above the review threshold.
        failures: ``(relpath, reason)`` of every failed file.
        skipped: Files that are not images.
        resumed: Items read back from an earlier run's journal.
        cancelled: Set by the caller when the scan was stopped early.
    """

    class_counts: Counter[str] = field(default_factory=Counter)
    analysed: int = 0
    flagged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0
    resumed: int = 0
    new_analysed: int = 0
    cancelled: bool = False
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None

    def add(self, item: ScanItem) -> None:
        """Count one item."""
        self.resumed += item.resumed
        if item.status == FAILED:
            self.failures.append((item.relpath, item.error or "unknown error"))
        elif item.status == SKIPPED:
            self.skipped += 1
        elif item.prediction is not None:
            self.analysed += 1
            self.new_analysed += not item.resumed
            self.class_counts[item.prediction.top_class] += 1
            self.flagged += item.prediction.flagged

    @property
    def total(self) -> int:
        """Files seen."""
        return self.analysed + len(self.failures) + self.skipped

    @property
    def elapsed(self) -> float:
        """Seconds from creation to :meth:`finish` (or now)."""
        return (self.finished or time.perf_counter()) - self.started

    @property
    def rate(self) -> float:
        """Images analysed per second in this run (resumed ones excluded)."""
        return self.new_analysed / self.elapsed if self.elapsed > 0 else 0.0

    def finish(self) -> None:
        """Stop the clock."""
        self.finished = time.perf_counter()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "total": self.total,
            "analysed": self.analysed,
            "flagged": self.flagged,
            "failed": len(self.failures),
            "skipped": self.skipped,
            "resumed": self.resumed,
            "class_counts": dict(self.class_counts),
            "cancelled": self.cancelled,
            "failures": [{"relpath": r, "error": e} for r, e in self.failures],
            "elapsed_s": round(self.elapsed, 3),
            "rate_per_s": round(self.rate, 3),
        }
