"""Attaching a folder scan's results to a patient's history, one visit, lesion by lesion.

Each analysed file is saved as one analysis of the patient (image copied
into the store, model id and sha256, preprocessing, app version), in one
visit, under a lesion chosen by :func:`lesion_label`:

* ``group_by="file"``: one lesion per image, labelled with the image's
  path in the folder without its extension (``arm/IMG_0042.jpg`` →
  ``arm/IMG_0042``);
* ``group_by="name-prefix"``: images whose file names start alike are one
  lesion seen over time. The label is the file name up to its first
  underscore (``L3_2026-01.jpg`` and ``L3_2026-07.jpg`` → ``L3``); a name
  without an underscore is a label of its own (``L4.jpg`` → ``L4``).

Failed files are reported, never saved; skipped files (not images) are
ignored. Saving is idempotent: an image (by sha256) that this patient
already has an analysis of by the same model (id and sha256) is not saved
again, so running a scan twice, or continuing it with ``resume``, adds no
duplicates. The visit and new lesions are created with the first saved
result, so a scan in which every file fails leaves no trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from skindesk.core.batch.items import SKIPPED, ScanItem
from skindesk.core.hashing import sha256_file
from skindesk.core.history import HistoryError, HistoryService, Lesion, Patient
from skindesk.core.metadata import PatientMetadata

GROUP_BY = ("file", "name-prefix")
SAVED, DUPLICATE, NOT_ANALYSED, SAVE_FAILED, IGNORED = (
    "saved", "already saved", "not analysed", "save failed", "ignored",
)  # fmt: skip


def lesion_label(relpath: str, group_by: str = "file") -> str:
    """The lesion a scanned file belongs to (see the module's rules)."""
    path = PurePosixPath(relpath)
    if group_by == "file":
        return str(path.with_suffix("")) if path.suffix else str(path)
    if group_by == "name-prefix":
        stem = path.stem
        return stem.split("_", 1)[0] or stem
    raise HistoryError(f"group-by must be one of {', '.join(GROUP_BY)}, not {group_by!r}")


def patient_metadata(patient: Patient, age: Any = None, sex: Any = None,
                     site: Any = None) -> PatientMetadata:  # fmt: skip
    """What the model is given: the values passed, else the patient's age and sex.

    Raises:
        SettingsError: A value is not valid.
    """
    if age is None and patient.birth_date:
        born, today = date.fromisoformat(patient.birth_date), date.today()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return PatientMetadata.create(age, sex or patient.sex, site)


def parse_visit(visit: str | int | None) -> int | None:
    """``"today"`` (or None) → None, else the visit id as a number."""
    if visit is None or str(visit).strip().lower() == "today":
        return None
    try:
        return int(visit)
    except ValueError:
        raise HistoryError(f"visit must be 'today' or a visit id, not {visit!r}") from None


@dataclass(frozen=True)
class AttachOutcome:
    """What happened to one scanned file: ``status`` is one of the module's constants."""

    relpath: str
    status: str
    lesion: str | None = None
    analysis_id: int | None = None
    reason: str | None = None


@dataclass
class AttachSummary:
    """Totals of an attached scan, with every file that was not saved and why."""

    saved: int = 0
    duplicates: int = 0
    not_analysed: list[tuple[str, str]] = field(default_factory=list)
    save_failures: list[tuple[str, str]] = field(default_factory=list)
    lesions: set[str] = field(default_factory=set)
    visit_id: int | None = None

    def add(self, outcome: AttachOutcome) -> None:
        """Count one outcome."""
        if outcome.status == SAVED:
            self.saved += 1
        elif outcome.status == DUPLICATE:
            self.duplicates += 1
        elif outcome.status == NOT_ANALYSED:
            self.not_analysed.append((outcome.relpath, outcome.reason or "unknown error"))
        elif outcome.status == SAVE_FAILED:
            self.save_failures.append((outcome.relpath, outcome.reason or "unknown error"))
        if outcome.status in (SAVED, DUPLICATE) and outcome.lesion:
            self.lesions.add(outcome.lesion)


class ScanAttacher:
    """Saves a scan's items into one patient's history as they arrive.

    Args:
        history: The patient history.
        patient_identifier: The clinic's identifier of the patient.
        visit: ``"today"`` (the patient's visit today, created if needed) or a visit id.
        group_by: ``"file"`` or ``"name-prefix"`` (see :func:`lesion_label`).
        metadata: The patient details the scan gave the model (saved with each analysis).
        preprocessing: The scan's :func:`~skindesk.core.service.preprocessing_record`.

    Raises:
        NotFoundError: No such patient, or the visit is not one of theirs.
        HistoryError: ``visit`` or ``group_by`` is not valid.
    """

    def __init__(self, history: HistoryService, patient_identifier: str, *,
                 visit: str | int | None = "today", group_by: str = "file",
                 metadata: PatientMetadata | None = None,
                 preprocessing: dict[str, Any] | None = None) -> None:  # fmt: skip
        lesion_label("x", group_by)  # refuse an unknown rule before any work
        self.history, self.group_by = history, group_by
        self.patient = history.patient_by_identifier(patient_identifier)
        self.summary = AttachSummary(visit_id=parse_visit(visit))
        visit_id = self.summary.visit_id
        if visit_id is not None and history.get_visit(visit_id).patient_id != self.patient.id:
            raise HistoryError(f"visit {visit_id} is not one of this patient's visits")
        self.metadata = metadata or patient_metadata(self.patient)
        self.preprocessing = preprocessing or {"applied": False}
        record = history.get_patient_record(self.patient.id)
        shas = {image.id: image.sha256 for image in record.images}
        self._done = {(shas[a.image_id], a.model_id, a.model_sha256) for a in record.analyses}
        self._lesions: dict[str, Lesion] = {lesion.label: lesion for lesion in record.lesions}

    def attach(self, item: ScanItem) -> AttachOutcome:
        """Save one scanned file if it was analysed and is not saved yet.

        A problem with this one file (unreadable now, refused by the history)
        does not raise: it is the outcome's ``reason`` and is in the summary.
        """
        outcome = self._attach(item)
        self.summary.add(outcome)
        return outcome

    def attach_all(self, items: Iterable[ScanItem]) -> Iterator[AttachOutcome]:
        """:meth:`attach` each item, yielding the outcomes as they come."""
        for item in items:
            yield self.attach(item)

    def _attach(self, item: ScanItem) -> AttachOutcome:
        if item.status == SKIPPED:
            return AttachOutcome(item.relpath, IGNORED)
        if item.prediction is None:
            return AttachOutcome(item.relpath, NOT_ANALYSED, reason=item.error)
        label = lesion_label(item.relpath, self.group_by)
        try:
            return self._save(item, label)
        except OSError as error:
            reason = f"cannot read the image ({error.strerror or error})"
            return AttachOutcome(item.relpath, SAVE_FAILED, label, reason=reason)
        except HistoryError as error:
            return AttachOutcome(item.relpath, SAVE_FAILED, label, reason=str(error))

    def _save(self, item: ScanItem, label: str) -> AttachOutcome:
        prediction = item.prediction
        assert prediction is not None  # checked by _attach
        key = (sha256_file(Path(item.path)), prediction.model_id, prediction.model_sha256)
        if key in self._done:
            return AttachOutcome(item.relpath, DUPLICATE, label)
        if self.summary.visit_id is None:
            self.summary.visit_id = self.history.visit_for_today(self.patient.id).id
        lesion = self._lesions.get(label)
        if lesion is None:
            lesion = self.history.add_or_get_lesion(self.patient.id, label, self.metadata.site)
            self._lesions[label] = lesion
        result = item.to_file_result(self.metadata, self.preprocessing)
        analysis = self.history.save_analysis(
            self.patient.id, item.path, result, visit_id=self.summary.visit_id,
            lesion_id=lesion.id, preprocessing=self.preprocessing,
        )  # fmt: skip
        self._done.add(key)
        return AttachOutcome(item.relpath, SAVED, label, analysis.id)
