"""The per-scan journal: results on disk as they come, so a scan can resume.

Each scan has a folder ``paths.data_dir()/scans/<scan-id>/`` holding
``scan.json`` (what was scanned, how, and whether it finished) and
``journal.jsonl``, one JSON line per finished file, appended and fsynced
batch by batch. The scan id is a hash of the folder, the scan options and the
model's sha256, so running the same scan again with ``resume`` finds it.
After a cancel, a crash or a power cut the journal is read back; a torn or
garbled last line (a write cut short) is dropped, so at most the last batch
is analysed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from skindesk import paths
from skindesk.core.batch.discovery import ScanFolderError
from skindesk.core.batch.items import ScanItem
from skindesk.core.jsonfile import write_json_atomic

try:  # POSIX: one process per journal at a time
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

JOURNAL_VERSION = 1
JOURNAL_FILE = "journal.jsonl"
STATE_FILE = "scan.json"


def scan_id(identity: dict[str, Any]) -> str:
    """A short stable id for a scan: the same folder, options and model, the same id."""
    canonical = json.dumps(
        {"v": JOURNAL_VERSION, **identity}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:20]


def scans_dir() -> Path:
    """Where the scan journals live."""
    return paths.data_dir() / "scans"


def read_state(scan: str) -> dict[str, Any] | None:
    """The ``scan.json`` of scan id ``scan`` (its ``state`` says how it ended), or None."""
    try:
        data = json.loads((scans_dir() / scan / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_items(scan: str) -> Iterator[ScanItem]:
    """Every file scan id ``scan`` journaled so far, in journal order, one at a time.

    For exports after the scan (or while it runs: only whole lines are
    read); damaged lines are skipped as :meth:`ScanJournal.open` would.

    Raises:
        ScanFolderError: The scan has no journal.
    """
    try:
        handle = open(scans_dir() / scan / JOURNAL_FILE, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise ScanFolderError(f"no results of scan {scan}: {error.strerror or error}") from None
    with handle:
        for line in handle:
            record = _parse(line)
            if record is not None:
                yield ScanItem.from_record(record, resumed=False)


class ScanJournal:
    """Append-only record of one scan's finished files.

    Use :meth:`open`; ``done`` maps each journaled relpath to its line's
    offset, so earlier results are read back one at a time (:meth:`read`)
    rather than held in memory.
    """

    def __init__(self, folder: Path, writer: BinaryIO, done: dict[str, int]) -> None:
        self.folder = folder
        self.done = done
        self._writer = writer
        self._reader: BinaryIO | None = None

    @property
    def path(self) -> Path:
        """The journal file."""
        return self.folder / JOURNAL_FILE

    @classmethod
    def open(cls, identity: dict[str, Any], *, resume: bool) -> ScanJournal:
        """Open the journal of the scan ``identity`` names.

        Args:
            identity: Folder, options and model of the scan (JSON-ready).
            resume: Keep and index what an earlier run journaled; otherwise
                any earlier journal of this scan is emptied.

        Raises:
            ScanFolderError: The same scan is running in another process.
        """
        folder = scans_dir() / scan_id(identity)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(folder / JOURNAL_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        writer = os.fdopen(fd, "r+b")
        _lock(writer, folder)
        done = _index(writer) if resume else {}
        if not resume:
            writer.truncate(0)
        writer.seek(0, os.SEEK_END)
        journal = cls(folder, writer, done)
        journal.write_state(identity, "running")
        return journal

    def append(self, items: Iterable[ScanItem]) -> None:
        """Write items and make them durable (fsync) before returning."""
        lines = [json.dumps(item.to_record(), ensure_ascii=False) + "\n" for item in items]
        if not lines:
            return
        self._writer.write("".join(lines).encode("utf-8"))
        self._writer.flush()
        os.fsync(self._writer.fileno())

    def read(self, relpath: str) -> ScanItem:
        """The journaled item of ``relpath`` (which must be in :attr:`done`)."""
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        self._reader.seek(self.done[relpath])
        return ScanItem.from_record(json.loads(self._reader.readline()), resumed=True)

    def write_state(self, identity: dict[str, Any], state: str) -> None:
        """Record the scan's identity and state (running, cancelled, complete) atomically."""
        data = {
            "id": self.folder.name,
            "version": JOURNAL_VERSION,
            "state": state,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **identity,
        }
        write_json_atomic(self.folder / STATE_FILE, data)

    def close(self) -> None:
        """Close the files (and release the lock)."""
        for handle in (self._reader, self._writer):
            if handle is not None:
                handle.close()


def _lock(writer: BinaryIO, folder: Path) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(writer.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        writer.close()
        raise ScanFolderError(
            f"this scan is already running in another SkinDesk window or command ({folder})"
        ) from None


def _index(journal: BinaryIO) -> dict[str, int]:
    """Map relpath -> line offset; cut off a torn or garbled tail."""
    done: dict[str, int] = {}
    journal.seek(0)
    offset = good_end = 0
    for line in journal:
        record = _parse(line)
        if record is not None:
            done[record["relpath"]] = offset
            good_end = offset + len(line)
        else:
            log.warning("scan journal %s: ignoring a damaged line at byte %d", journal.name, offset)
        offset += len(line)
    if good_end < offset:
        journal.truncate(good_end)  # what follows the last whole line was a write cut short
    return done


def _parse(line: bytes) -> dict[str, Any] | None:
    if not line.endswith(b"\n"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("relpath"), str):
        return None
    return record
