"""HistoryService: the patient history as the GUI and the CLI use it.

Front ends never see SQL or files: they call e.g. ``save_analysis`` and get
plain records back. Every change that touches several rows runs in one
write transaction, and image files are written or removed while that
transaction holds the write lock, so no other SkinDesk process can see a
row whose image is missing.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skindesk.core.history import _saving, _validate
from skindesk.core.history._tx import read_transaction, write_transaction
from skindesk.core.history.database import default_db_path, open_database
from skindesk.core.history.errors import DuplicateError, HistoryError, NotFoundError
from skindesk.core.history.models import Lesion, Patient, PatientRecord, Visit
from skindesk.core.history.repository import HistoryRepository
from skindesk.core.history.service_analyses import AnalysisMixin
from skindesk.core.history.store import ImageStore

if TYPE_CHECKING:
    from typing import Self  # Python 3.11+; annotations are not evaluated at run time


class HistoryService(AnalysisMixin):
    """Patients, visits, lesions, analyses and their images.

    Args:
        db_path: the database file (default: in the user's data folder).
        store: the image store (default: ``data_dir()/images``).

    Use as a context manager, or call :meth:`close`. Safe to share between
    threads: calls are serialised by a lock.
    """

    def __init__(self, db_path: Path | str | None = None, store: ImageStore | None = None) -> None:
        self.db_path = Path(db_path) if db_path is not None else default_db_path()
        self.store = store or ImageStore()
        self.conn: sqlite3.Connection = open_database(self.db_path)
        self.repo = HistoryRepository(self.conn)
        self.lock = threading.RLock()

    def close(self) -> None:
        """Close the database connection."""
        with self.lock:
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_patient(
        self,
        identifier: str,
        name: str = "",
        birth_date: str | None = None,
        sex: str | None = None,
        notes: str = "",
    ) -> Patient:
        """Add a patient.

        Raises:
            DuplicateError: a patient with this identifier exists.
            HistoryError: a value is not valid (message says which).
        """
        values = _patient_values(identifier=identifier, name=name, birth_date=birth_date,
                                 sex=sex, notes=notes)  # fmt: skip
        with self.lock:
            try:
                with write_transaction(self.conn):
                    patient_id = self.repo.insert_patient(values, _saving.now_utc())
            except sqlite3.IntegrityError as error:
                raise _duplicate(identifier, error) from None
            return self.get_patient(patient_id)

    def update_patient(self, patient_id: int, **changes: Any) -> Patient:
        """Change some of: identifier, name, birth_date, sex, notes."""
        values = _patient_values(**changes)
        with self.lock:
            try:
                with write_transaction(self.conn):
                    self.get_patient(patient_id)
                    self.repo.update_patient(patient_id, values, _saving.now_utc())
            except sqlite3.IntegrityError as error:
                raise _duplicate(str(changes.get("identifier")), error) from None
            return self.get_patient(patient_id)

    def get_patient(self, patient_id: int) -> Patient:
        """The patient with this internal id (NotFoundError if none)."""
        with self.lock:
            patient = self.repo.get_patient(patient_id)
        if patient is None:
            raise NotFoundError(f"no patient with internal id {patient_id}")
        return patient

    def patient_by_identifier(self, identifier: str) -> Patient:
        """The patient with this clinic identifier (NotFoundError if none)."""
        with self.lock:
            patient = self.repo.get_patient_by_identifier(identifier)
        if patient is None:
            raise NotFoundError(f"no patient with identifier '{identifier}'")
        return patient

    def find_patients(self, text: str = "", limit: int = 200) -> list[Patient]:
        """Patients whose identifier, name or birth date (YYYY-MM-DD) contain every word.

        Case and accents are ignored; an exact identifier match comes first.
        """
        with self.lock:
            return self.repo.find_patients(text, limit)

    def get_patient_record(self, patient_id: int) -> PatientRecord:
        """Everything about a patient, read as one consistent snapshot."""
        with self.lock, read_transaction(self.conn):
            return PatientRecord(
                patient=self.get_patient(patient_id),
                visits=self.repo.visits_of(patient_id),
                lesions=self.repo.lesions_of(patient_id),
                images=self.repo.images_of(patient_id),
                analyses=self.repo.analyses_of(patient_id),
                assessments=self.repo.assessments_of(patient_id),
            )

    def add_visit(
        self, patient_id: int, visit_at: str | None = None, clinician: str = "", reason: str = ""
    ) -> Visit:
        """Record a visit (now, in local time, when ``visit_at`` is None)."""
        when = _validate.timestamp(visit_at or _saving.now_local(), "visit time")
        clinician = _validate.text(clinician, "clinician")
        reason = _validate.text(reason, "reason")
        with self.lock:
            with write_transaction(self.conn):
                self.get_patient(patient_id)
                visit_id = self.repo.insert_visit(patient_id, when, clinician, reason)
            return self.get_visit(visit_id)

    def get_visit(self, visit_id: int) -> Visit:
        """The visit with this id (NotFoundError if none)."""
        with self.lock:
            visit = self.repo.get_visit(visit_id)
        if visit is None:
            raise NotFoundError(f"no visit with id {visit_id}")
        return visit

    def visit_for_today(self, patient_id: int, clinician: str = "", reason: str = "") -> Visit:
        """The patient's visit today (the latest), created if there is none."""
        today = _saving.now_local()[:10]
        with self.lock:
            with write_transaction(self.conn):
                self.get_patient(patient_id)
                visits = self.repo.visits_of(patient_id, day=today)
                if visits:
                    return visits[-1]
                visit_id = self.repo.insert_visit(
                    patient_id, _saving.now_local(), clinician, reason
                )
            return self.get_visit(visit_id)

    def add_or_get_lesion(
        self,
        patient_id: int,
        label: str,
        site: str | None = None,
        body_map: tuple[float, float] | None = None,
    ) -> Lesion:
        """The patient's lesion with this label, added (first seen today) if new.

        An existing lesion is returned unchanged; ``site`` and ``body_map``
        apply only to a new one.
        """
        label = _validate.text(label, "lesion label")
        if not label.strip():
            raise HistoryError("a lesion needs a label, e.g. L1")
        site = _validate.site(site)
        if body_map is not None:
            body_map = (_validate.fraction(body_map[0], "body-map x"),
                        _validate.fraction(body_map[1], "body-map y"))  # fmt: skip
        with self.lock, write_transaction(self.conn):
            self.get_patient(patient_id)
            lesion = self.repo.get_lesion_by_label(patient_id, label)
            if lesion is None:
                today = _saving.now_local()[:10]
                lesion_id = self.repo.insert_lesion(patient_id, label, site, today, body_map)
                lesion = self.repo.get_lesion(lesion_id)
            assert lesion is not None
            return lesion

    def delete_patient(self, patient_id: int) -> None:
        """Delete a patient with all their rows, image files and thumbnails.

        An image file stays only while another patient's record uses the
        same content. Deleted rows are overwritten (``secure_delete``) and
        the write-ahead log is emptied, so the data does not linger on disk.
        """
        with self.lock:
            with write_transaction(self.conn):
                self.get_patient(patient_id)
                shas = self.repo.delete_patient(patient_id)
            # Files go only after the rows are gone, under the write lock so no
            # save in another process can start using one of them meanwhile.
            with write_transaction(self.conn):
                for sha in shas:
                    if not self.repo.sha_in_use(sha):
                        self.store.remove(sha)
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _patient_values(**values: Any) -> dict[str, Any]:
    checks = {
        "identifier": _validate.identifier,
        "name": lambda v: _validate.text(v, "name"),
        "birth_date": _validate.birth_date,
        "sex": _validate.sex,
        "notes": lambda v: _validate.text(v, "notes"),
    }
    unknown = set(values) - set(checks)
    if unknown:
        raise HistoryError(f"unknown patient field(s): {', '.join(sorted(unknown))}")
    return {name: checks[name](value) for name, value in values.items()}


def _duplicate(identifier: str, error: sqlite3.IntegrityError) -> HistoryError:
    if "UNIQUE" in str(error):
        return DuplicateError(f"a patient with identifier '{identifier}' already exists")
    return HistoryError(f"the patient could not be saved: {error}")
