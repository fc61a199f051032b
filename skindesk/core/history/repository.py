"""HistoryRepository: every SQL statement of the history database.

Values always travel as bound parameters (``?``), never inside the SQL
text, so no patient name or note can change a statement. Column names that
are put into SQL text come from constants here. The repository does no
transaction handling; the service wraps calls in transactions.
"""

from __future__ import annotations

import sqlite3

from skindesk.core.history._analysis_queries import AnalysisQueries
from skindesk.core.history._patient_queries import PatientQueries


class HistoryRepository(PatientQueries, AnalysisQueries):
    """The history database's queries on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        PatientQueries.__init__(self, conn)

    def delete_patient(self, patient_id: int) -> list[str]:
        """Delete a patient and, by cascade, all their rows; return their image hashes."""
        shas = [
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT sha256 FROM images WHERE patient_id = ?", (patient_id,)
            ).fetchall()
        ]
        self.conn.execute("DELETE FROM patients WHERE id = ?", (patient_id,))
        return shas

    def counts(self) -> dict[str, int]:
        """Rows per table (for reports and checks)."""
        tables = ("patients", "visits", "lesions", "images", "analyses", "assessments")
        # Table names are the constants above, not caller text.
        return {
            t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables
        }
