"""Transactions with explicit BEGIN, and retries while another process writes.

Connections run in autocommit mode (``isolation_level=None``) so that every
transaction is opened here, visibly. Writes start with ``BEGIN IMMEDIATE``:
the write lock is taken up front, so a transaction never fails half-way
when it would have to upgrade a read lock (SQLite answers that case with
SQLITE_BUSY at once, without waiting on the busy timeout).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from skindesk.core.history.errors import DatabaseBusyError

T = TypeVar("T")

#: Total time a writer keeps retrying BEGIN IMMEDIATE before giving up.
WRITE_RETRY_S = 20.0


def is_busy(error: sqlite3.OperationalError) -> bool:
    """True for SQLITE_BUSY / SQLITE_LOCKED ("database is locked")."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)


def retry_while_busy(run: Callable[[], T], retry_s: float) -> T:
    """``run()``, retried while SQLite answers busy; the last busy error once ``retry_s`` has passed."""
    started = time.monotonic()
    while True:
        try:
            return run()
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() - started > retry_s:
                raise
            # The busy timeout (where SQLite applies it) has already waited; back off a
            # little and jitter so two waiting processes do not retry in lockstep.
            time.sleep(random.uniform(0.005, 0.05))


def _begin_immediate(conn: sqlite3.Connection, retry_s: float) -> None:
    started = time.monotonic()
    try:
        retry_while_busy(lambda: conn.execute("BEGIN IMMEDIATE"), retry_s)
    except sqlite3.OperationalError as error:
        if is_busy(error):
            raise DatabaseBusyError(_db_file(conn), time.monotonic() - started) from error
        raise


def _db_file(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row else "?"


@contextmanager
def write_transaction(
    conn: sqlite3.Connection, retry_s: float = WRITE_RETRY_S
) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back if the block raises.

    Raises:
        DatabaseBusyError: another process kept the write lock for ``retry_s``.
    """
    _begin_immediate(conn, retry_s)
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        # A failed COMMIT (disk full, I/O error) can leave the transaction open.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A read-only snapshot: several SELECTs see one consistent state."""
    conn.execute("BEGIN DEFERRED")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
