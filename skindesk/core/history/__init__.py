"""Patient sessions and history: SQLite records, an image store, follow-up.

:class:`HistoryService` is the one entry point for the GUI and the CLI;
the other modules are its parts (schema and migrations, the connection,
SQL, image store, export, backup, checks, follow-up).
"""

from __future__ import annotations

from skindesk.core.history.errors import (
    DatabaseBusyError,
    DatabaseCorruptError,
    DuplicateError,
    HistoryError,
    NotFoundError,
    SchemaTooNewError,
)
from skindesk.core.history.models import (
    Analysis,
    AnalysisInput,
    Assessment,
    Lesion,
    Patient,
    PatientRecord,
    StoredImage,
    Visit,
)
from skindesk.core.history.service import HistoryService

__all__ = [
    "Analysis", "AnalysisInput", "Assessment", "DatabaseBusyError", "DatabaseCorruptError",
    "DuplicateError", "HistoryError", "HistoryService", "Lesion", "NotFoundError", "Patient",
    "PatientRecord", "SchemaTooNewError", "StoredImage", "Visit",
]  # fmt: skip
