"""The analysis half of :class:`HistoryService`: saving results, assessments, tools."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skindesk.core.history import _saving, _validate
from skindesk.core.history._tx import write_transaction
from skindesk.core.history.errors import HistoryError, NotFoundError
from skindesk.core.history.models import Analysis, Assessment

if TYPE_CHECKING:
    from skindesk.core.history.backup import BackupInfo
    from skindesk.core.history.consistency import CheckReport
    from skindesk.core.history.followup import FollowUp
    from skindesk.core.history.repository import HistoryRepository
    from skindesk.core.history.store import ImageStore


class AnalysisMixin:
    """Analyses, assessments, follow-up, export, backup and checks."""

    conn: sqlite3.Connection
    repo: HistoryRepository
    store: ImageStore
    lock: threading.RLock
    db_path: Path

    def save_analysis(
        self,
        patient_id: int,
        image_path: Path | str,
        result: Any,
        *,
        visit_id: int | None = None,
        lesion_id: int | None = None,
        preprocessing: dict[str, Any] | None = None,
        measurements: dict[str, Any] | None = None,
        image_details: dict[str, Any] | None = None,
    ) -> Analysis:
        """Copy the image into the store and record the analysis, in one transaction.

        Args:
            patient_id: whose image it is.
            image_path: the analysed image file.
            result: a FileResult with a prediction, or an AnalysisInput.
            visit_id, lesion_id: the patient's visit and lesion, if any.
            preprocessing: the pipeline record; a FileResult's own when None.
            measurements: lesion measurements, e.g. ``LesionMeasurements.to_dict()``.
            image_details: optional acquired_at, device, pixel_spacing_mm, original_name.
        """
        values = _saving.analysis_values(result, preprocessing, measurements)
        details = _image_details(image_path, image_details or {})
        with self.lock, write_transaction(self.conn):
            self._check_owner(patient_id, visit_id, lesion_id)
            try:
                sha, relative, created = self.store.put(image_path)
            except OSError as error:
                raise HistoryError(
                    f"{image_path}: could not copy it into the image store "
                    f"({error.strerror or error})"
                ) from error
            self.conn.execute("SAVEPOINT save_analysis")
            try:
                image = self.repo.image_by_sha(patient_id, sha)
                image_id = (
                    image.id
                    if image
                    else self.repo.insert_image(
                        patient_id, sha, relative, details, values["created_at"]
                    )
                )
                values.update(image_id=image_id, visit_id=visit_id, lesion_id=lesion_id)
                analysis_id = self.repo.insert_analysis(values)
                self.conn.execute("RELEASE save_analysis")
            except BaseException:
                # Undo the rows first, then the new file, still holding the lock.
                self.conn.execute("ROLLBACK TO save_analysis")
                if created and not self.repo.sha_in_use(sha):
                    self.store.remove(sha)
                raise
            return self.get_analysis(analysis_id)

    def _check_owner(self, patient_id: int, visit_id: int | None, lesion_id: int | None) -> None:
        if self.repo.get_patient(patient_id) is None:
            raise NotFoundError(f"no patient with internal id {patient_id}")
        visit = self.repo.get_visit(visit_id) if visit_id is not None else None
        if visit_id is not None and (visit is None or visit.patient_id != patient_id):
            raise NotFoundError(f"the patient has no visit with id {visit_id}")
        lesion = self.repo.get_lesion(lesion_id) if lesion_id is not None else None
        if lesion_id is not None and (lesion is None or lesion.patient_id != patient_id):
            raise NotFoundError(f"the patient has no lesion with id {lesion_id}")

    def get_analysis(self, analysis_id: int) -> Analysis:
        """The analysis with this id (NotFoundError if none)."""
        with self.lock:
            analysis = self.repo.get_analysis(analysis_id)
        if analysis is None:
            raise NotFoundError(f"no analysis with id {analysis_id}")
        return analysis

    def set_assessment(
        self,
        analysis_id: int,
        verdict: str | None = None,
        diagnosis: str = "",
        note: str = "",
        histopathology: str = "",
        histopathology_date: str | None = None,
    ) -> Assessment:
        """Record (or replace) the clinician's assessment of an analysis.

        Args:
            verdict: 'agree', 'disagree', 'unsure' with the model, or None.
            histopathology: the pathology result, once known.
        """
        values = {
            "verdict": _validate.verdict(verdict),
            "diagnosis": _validate.text(diagnosis, "diagnosis"),
            "note": _validate.text(note, "note"),
            "histopathology": _validate.text(histopathology, "histopathology"),
            "histopathology_date": _validate.optional_timestamp(histopathology_date,
                                                                "histopathology date"),
        }  # fmt: skip
        with self.lock:
            with write_transaction(self.conn):
                self.get_analysis(analysis_id)
                self.repo.upsert_assessment(analysis_id, values, _saving.now_utc())
            assessment = self.repo.get_assessment(analysis_id)
        assert assessment is not None
        return assessment

    def lesion_followup(self, lesion_id: int) -> FollowUp:
        """A lesion's analyses over time, with the changes between first and last."""
        from skindesk.core.history.followup import build_followup

        with self.lock:
            lesion = self.repo.get_lesion(lesion_id)
            if lesion is None:
                raise NotFoundError(f"no lesion with id {lesion_id}")
            record = self.get_patient_record(lesion.patient_id)  # type: ignore[attr-defined]
        return build_followup(record, lesion)

    def export_patient(self, patient_id: int, out_dir: Path | str) -> Path:
        """Write a patient's record (JSON), images and analyses table (CSV) to a folder."""
        from skindesk.core.history.export import export_record

        record = self.get_patient_record(patient_id)  # type: ignore[attr-defined]
        return export_record(record, self.store, Path(out_dir))

    def backup(self, out_file: Path | str) -> BackupInfo:
        """Write the database and its images to one archive, consistent while in use."""
        from skindesk.core.history.backup import write_backup

        with self.lock:
            return write_backup(self.conn, self.store, Path(out_file))

    def restore(self, archive: Path | str) -> BackupInfo:
        """Replace the history with a backup after checking it (old db kept as *.before-restore)."""
        from skindesk.core.history.backup import restore_backup

        with self.lock:
            return restore_backup(self.conn, self.db_path, self.store, Path(archive))

    def check(self, verify_hashes: bool = True) -> CheckReport:
        """Integrity of the database and of the image store (missing, orphan, damaged files)."""
        from skindesk.core.history.consistency import check_history

        with self.lock:
            return check_history(self.conn, self.store, verify_hashes)

    def purge_orphans(self) -> list[str]:
        """Delete store files no record uses (left by interrupted saves); return their paths."""
        from skindesk.core.history.consistency import purge_orphans

        with self.lock:
            return purge_orphans(self.conn, self.store)


def _image_details(image_path: Path | str, given: dict[str, Any]) -> dict[str, Any]:
    unknown = set(given) - {"acquired_at", "device", "pixel_spacing_mm", "original_name"}
    if unknown:
        raise HistoryError(f"unknown image detail(s): {', '.join(sorted(unknown))}")
    return {
        "original_name": _validate.text(given.get("original_name", Path(image_path).name),
                                        "original file name"),
        "acquired_at": _validate.optional_timestamp(given.get("acquired_at"), "acquisition date"),
        "device": _validate.text(given.get("device"), "device"),
        "pixel_spacing_mm": _validate.positive(given.get("pixel_spacing_mm"), "pixel spacing"),
    }  # fmt: skip
