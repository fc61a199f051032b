"""SQL for patients, visits and lesions (bound parameters only)."""

from __future__ import annotations

import sqlite3
from typing import Any

from skindesk.core.history import search
from skindesk.core.history.models import Lesion, Patient, Visit

PATIENT_COLUMNS = "id, identifier, name, birth_date, sex, notes, created_at, updated_at"
VISIT_COLUMNS = "id, patient_id, visit_at, clinician, reason"
LESION_COLUMNS = "id, patient_id, label, site, first_seen, body_map_x, body_map_y"
#: Columns update_patient may set; names never come from the caller unchecked.
PATIENT_EDITABLE = ("identifier", "name", "birth_date", "sex", "notes")


class PatientQueries:
    """Patients, visits and lesions on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def insert_patient(self, values: dict[str, Any], now: str) -> int:
        """Add a patient from the PATIENT_EDITABLE ``values``; return its id."""
        cur = self.conn.execute(
            "INSERT INTO patients (identifier, name, birth_date, sex, notes, search_key, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (values["identifier"], values["name"], values["birth_date"], values["sex"],
             values["notes"], _key(values), now, now),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def update_patient(self, patient_id: int, values: dict[str, Any], now: str) -> None:
        """Set the given PATIENT_EDITABLE columns and refresh the search key."""
        unknown = set(values) - set(PATIENT_EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        current = self.get_patient(patient_id)
        merged = {name: getattr(current, name) for name in PATIENT_EDITABLE} | values
        # Column names come from PATIENT_EDITABLE, never from the caller's text.
        assignments = ", ".join(f"{name} = ?" for name in PATIENT_EDITABLE)
        self.conn.execute(
            f"UPDATE patients SET {assignments}, search_key = ?, updated_at = ? WHERE id = ?",
            (*[merged[name] for name in PATIENT_EDITABLE], _key(merged), now, patient_id),
        )

    def get_patient(self, patient_id: int) -> Patient | None:
        """The patient with this internal id, or None."""
        row = self.conn.execute(
            f"SELECT {PATIENT_COLUMNS} FROM patients WHERE id = ?", (patient_id,)
        ).fetchone()
        return Patient(*row) if row else None

    def get_patient_by_identifier(self, identifier: str) -> Patient | None:
        """The patient with this clinic identifier (exact match), or None."""
        row = self.conn.execute(
            f"SELECT {PATIENT_COLUMNS} FROM patients WHERE identifier = ?", (identifier,)
        ).fetchone()
        return Patient(*row) if row else None

    def find_patients(self, query: str, limit: int) -> list[Patient]:
        """Patients whose identifier, name or birth date contain every word of ``query``.

        An exact identifier match comes first, then the rest by name.
        """
        patterns = search.like_patterns(query)
        where = " AND ".join("search_key LIKE ? ESCAPE '\\'" for _ in patterns) or "1"
        rows = self.conn.execute(
            f"SELECT {PATIENT_COLUMNS} FROM patients WHERE {where} "
            "ORDER BY identifier != ?, name, identifier LIMIT ?",
            (*patterns, query.strip(), limit),
        ).fetchall()
        return [Patient(*row) for row in rows]

    def insert_visit(self, patient_id: int, visit_at: str, clinician: str, reason: str) -> int:
        """Add a visit; return its id."""
        cur = self.conn.execute(
            "INSERT INTO visits (patient_id, visit_at, clinician, reason) VALUES (?, ?, ?, ?)",
            (patient_id, visit_at, clinician, reason),
        )
        return int(cur.lastrowid or 0)

    def get_visit(self, visit_id: int) -> Visit | None:
        """The visit with this id, or None."""
        row = self.conn.execute(
            f"SELECT {VISIT_COLUMNS} FROM visits WHERE id = ?", (visit_id,)
        ).fetchone()
        return Visit(*row) if row else None

    def visits_of(self, patient_id: int, day: str | None = None) -> list[Visit]:
        """A patient's visits, oldest first; only those on ``day`` (YYYY-MM-DD) if given."""
        sql = f"SELECT {VISIT_COLUMNS} FROM visits WHERE patient_id = ?"
        params: tuple[Any, ...] = (patient_id,)
        if day is not None:
            sql += " AND substr(visit_at, 1, 10) = ?"
            params += (day,)
        rows = self.conn.execute(sql + " ORDER BY visit_at, id", params).fetchall()
        return [Visit(*row) for row in rows]

    def insert_lesion(
        self,
        patient_id: int,
        label: str,
        site: str | None,
        first_seen: str,
        body_map: tuple[float, float] | None,
    ) -> int:
        """Add a lesion; return its id."""
        x, y = body_map if body_map is not None else (None, None)
        cur = self.conn.execute(
            "INSERT INTO lesions (patient_id, label, site, first_seen, body_map_x, body_map_y) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (patient_id, label, site, first_seen, x, y),
        )
        return int(cur.lastrowid or 0)

    def get_lesion(self, lesion_id: int) -> Lesion | None:
        """The lesion with this id, or None."""
        row = self.conn.execute(
            f"SELECT {LESION_COLUMNS} FROM lesions WHERE id = ?", (lesion_id,)
        ).fetchone()
        return Lesion(*row) if row else None

    def get_lesion_by_label(self, patient_id: int, label: str) -> Lesion | None:
        """A patient's lesion with this label, or None."""
        row = self.conn.execute(
            f"SELECT {LESION_COLUMNS} FROM lesions WHERE patient_id = ? AND label = ?",
            (patient_id, label),
        ).fetchone()
        return Lesion(*row) if row else None

    def lesions_of(self, patient_id: int) -> list[Lesion]:
        """A patient's lesions in the order they were added."""
        rows = self.conn.execute(
            f"SELECT {LESION_COLUMNS} FROM lesions WHERE patient_id = ? ORDER BY id",
            (patient_id,),
        ).fetchall()
        return [Lesion(*row) for row in rows]


def _key(values: dict[str, Any]) -> str:
    return search.search_key(values["identifier"], values["name"], values["birth_date"])
