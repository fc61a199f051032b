"""The history database's user-facing errors (all :class:`UserError`)."""

from __future__ import annotations

from pathlib import Path

from skindesk.core.errors import UserError


class HistoryError(UserError):
    """A patient-history operation could not be done; the message says why."""


class NotFoundError(HistoryError):
    """A patient, visit, lesion or analysis does not exist."""


class DuplicateError(HistoryError):
    """A record with the same unique key (e.g. clinic identifier) already exists."""


class DatabaseCorruptError(HistoryError):
    """The database file is damaged or is not a SkinDesk database."""

    def __init__(self, path: Path | str, detail: str) -> None:
        self.path = str(path)
        self.detail = detail
        super().__init__(
            f"the patient database {self.path} is damaged ({detail}). "
            "Close SkinDesk and restore it from a backup "
            "('skindesk history restore BACKUP'); keep a copy of the damaged file."
        )


class SchemaTooNewError(HistoryError):
    """The database was written by a newer SkinDesk; it is left untouched."""

    def __init__(self, path: Path | str, found: int, known: int) -> None:
        self.path = str(path)
        self.found = found
        self.known = known
        super().__init__(
            f"the patient database {self.path} has schema version {found}, but this "
            f"SkinDesk knows versions up to {known}: it was written by a newer SkinDesk. "
            "Update SkinDesk; the file has not been changed."
        )


class DatabaseBusyError(HistoryError):
    """Another program held the database's write lock for too long."""

    def __init__(self, path: Path | str, waited_s: float) -> None:
        self.path = str(path)
        super().__init__(
            f"the patient database {self.path} stayed locked by another program "
            f"for {waited_s:.0f} s; try again when the other SkinDesk window is idle."
        )
