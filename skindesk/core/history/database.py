"""Opening the history database: checked, private, and set up for safe writes.

Choices, and why:

* ``journal_mode=WAL``: readers (the GUI's lists) never block the writer
  and a crash leaves committed transactions intact.
* ``synchronous=FULL``: in WAL mode, NORMAL is safe against a crashed
  or killed app but may lose the last commits on a power cut or OS crash.
  A clinician who was told "saved" must find the result after a power cut,
  and FULL costs one fsync per commit (a few milliseconds), which one
  interactive save at a time does not notice.
* ``foreign_keys=ON``: deleting a patient cascades to all their rows.
* a busy timeout, so two SkinDesk windows wait for each other instead of failing.
* owner-only permissions: the file holds patient data (SQLite creates the
  ``-wal`` and ``-shm`` files with the database file's mode).

Before anything is written, an existing file's version is read and a
quick integrity check run; a newer or damaged file is refused unchanged.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from skindesk import paths
from skindesk.core.history import schema
from skindesk.core.history._tx import WRITE_RETRY_S, is_busy, retry_while_busy
from skindesk.core.history.errors import (
    DatabaseBusyError,
    DatabaseCorruptError,
    HistoryError,
    SchemaTooNewError,
)

DB_FILENAME = "history.sqlite3"
BUSY_TIMEOUT_S = 5.0
WAL_RETRY_S = WRITE_RETRY_S  # how long opening waits for another process to let go
FILE_MODE = 0o600
FOLDER_MODE = 0o700

log = logging.getLogger(__name__)


def default_db_path() -> Path:
    """The patient database in the user's data folder."""
    return paths.data_dir() / DB_FILENAME


def open_database(path: Path | str | None = None) -> sqlite3.Connection:
    """Open (creating or upgrading as needed) the history database.

    Args:
        path: the database file; the user's default database when None.

    Returns:
        An autocommit connection (``isolation_level=None``); use
        :func:`~skindesk.core.history._tx.write_transaction` to write.

    Raises:
        DatabaseCorruptError: the file is damaged or not a database.
        DatabaseBusyError: another process kept it locked while it was being set up.
        SchemaTooNewError: a newer SkinDesk wrote the file (it is not modified).
        HistoryError: the file is some other program's SQLite database.
    """
    path = Path(path) if path is not None else default_db_path()
    # Tighten the folder only when it is ours: SkinDesk's data folder, or one made here.
    own_folder = not path.parent.exists() or path.parent == paths.data_dir()
    path.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    existed = path.exists() and path.stat().st_size > 0
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    conn = connect_raw(path)
    started = time.monotonic()
    try:
        if existed:
            check_existing(conn, path)
        _make_private(path, own_folder)
        configure(conn)
        schema.migrate(conn)
    except sqlite3.OperationalError as error:
        conn.close()
        if is_busy(error):  # locked by another SkinDesk, not damaged
            raise DatabaseBusyError(path, time.monotonic() - started) from error
        raise DatabaseCorruptError(path, str(error)) from error
    except sqlite3.DatabaseError as error:
        conn.close()
        raise DatabaseCorruptError(path, str(error)) from error
    except BaseException:
        conn.close()
        raise
    return conn


def connect_raw(path: Path) -> sqlite3.Connection:
    """A plain connection with the busy timeout, before any pragma or check.

    ``check_same_thread=False`` because the GUI opens it on one thread and
    uses it from worker threads; the service serialises access with a lock.
    """
    return sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )


def check_existing(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a newer, foreign or damaged file; runs read-only statements only.

    Raises:
        SchemaTooNewError, HistoryError, DatabaseCorruptError: as for :func:`open_database`.
    """
    version = schema.user_version(conn)
    if version > schema.CURRENT_VERSION:
        raise SchemaTooNewError(path, version, schema.CURRENT_VERSION)
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if app_id != schema.APPLICATION_ID and (version or has_tables):
        raise HistoryError(f"{path} is not a SkinDesk patient database; it was left unchanged")
    problems = integrity_problems(conn, quick=True)
    if problems:
        raise DatabaseCorruptError(path, "; ".join(problems[:3]))


def integrity_problems(conn: sqlite3.Connection, quick: bool = False) -> list[str]:
    """SQLite's own check: an empty list when the file is sound.

    ``quick_check`` skips verifying that indexes match their tables, which
    makes it fast enough to run at every start-up; the full check also
    verifies indexes and foreign keys.
    """
    pragma = "PRAGMA quick_check" if quick else "PRAGMA integrity_check"
    rows = [str(row[0]) for row in conn.execute(pragma).fetchall()]
    problems = [] if rows == ["ok"] else rows
    if not quick:
        problems += [
            f"row {rowid} of {table} refers to a missing {parent} row"
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall()
        ]
    return problems


def configure(conn: sqlite3.Connection) -> None:
    """Set the per-connection pragmas (see the module docstring for why)."""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA trusted_schema = OFF")
    # Deleted patients' rows are overwritten with zeros instead of lingering
    # in free pages of the file.
    conn.execute("PRAGMA secure_delete = ON")
    mode = _switch_to_wal(conn)
    if str(mode).lower() != "wal":
        # Some network file systems cannot share WAL's memory map; SQLite
        # then keeps a rollback journal, which is slower but still safe.
        log.warning("the patient database could not use WAL mode (got %s)", mode)
    conn.execute("PRAGMA synchronous = FULL")


def _switch_to_wal(conn: sqlite3.Connection) -> str:
    """``PRAGMA journal_mode = WAL``, retried while another process holds a lock.

    Switching needs an exclusive lock, and SQLite answers a conflict at once
    (no busy timeout): two SkinDesk processes opening a new database together
    would otherwise fail. Once the file is in WAL mode the pragma needs no lock.
    """
    return str(retry_while_busy(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0],
                                WAL_RETRY_S))


def _make_private(path: Path, own_folder: bool) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            os.chmod(name, FILE_MODE)
    if own_folder:
        os.chmod(path.parent, FOLDER_MODE)
