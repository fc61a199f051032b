"""Backups of the whole history (database and images) in one zip archive, and restore.

The database is copied with SQLite's online backup API, which gives a
consistent snapshot while other connections keep reading and writing; the
archive then takes exactly the images that snapshot refers to. A restore
checks everything in the archive before it touches the live data, keeps
the previous database as ``<db>.before-restore``, and writes the restored
content through the backup API too, so connections that other SkinDesk
windows hold stay valid (replacing the file under them would not be safe).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from skindesk import __version__
from skindesk.core.history import schema
from skindesk.core.history._backup_check import validate_archive
from skindesk.core.history._saving import now_utc
from skindesk.core.history.database import FILE_MODE, FOLDER_MODE, integrity_problems
from skindesk.core.history.errors import DatabaseCorruptError
from skindesk.core.history.repository import HistoryRepository
from skindesk.core.history.store import ImageStore

BACKUP_FORMAT = "skindesk-history-backup"
DB_MEMBER = "history.sqlite3"
MANIFEST_MEMBER = "manifest.json"
IMAGE_MEMBER = re.compile(r"images/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,5}")


@dataclass
class BackupInfo:
    """What a backup holds (or what a restore brought back)."""

    path: str
    created_at: str
    schema_version: int
    counts: dict[str, int]
    images: int
    missing: list[str] = field(default_factory=list)  # store paths absent at backup time


@contextlib.contextmanager
def private_temp_dir(near: Path) -> Iterator[Path]:
    """A temporary owner-only folder next to ``near`` (same disk, so renames are atomic)."""
    folder = Path(tempfile.mkdtemp(prefix=".skindesk-", dir=near))
    os.chmod(folder, FOLDER_MODE)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def snapshot(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the live database into ``target`` as a plain single-file database."""
    with contextlib.closing(sqlite3.connect(target, isolation_level=None)) as copy:
        conn.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    os.chmod(target, FILE_MODE)


def write_backup(conn: sqlite3.Connection, store: ImageStore, out_file: Path) -> BackupInfo:
    """Write the database snapshot, its images and a manifest to ``out_file`` (a zip)."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with private_temp_dir(out_file.parent) as work:
        db_copy = work / DB_MEMBER
        snapshot(conn, db_copy)
        with contextlib.closing(sqlite3.connect(db_copy)) as copy:
            images = {i.store_path: i.sha256 for i in HistoryRepository(copy).all_images()}
            info = BackupInfo(str(out_file), now_utc(), schema.user_version(copy),
                              HistoryRepository(copy).counts(), len(images))  # fmt: skip
        partial = work / "backup.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(db_copy, DB_MEMBER)
            for relative in sorted(images):
                source = store.path_of(relative)
                if source.is_file():
                    # Images are already compressed; storing them saves time.
                    archive.write(source, f"images/{relative}", zipfile.ZIP_STORED)
                else:
                    info.missing.append(relative)
            archive.writestr(MANIFEST_MEMBER, _manifest(info, images))
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(partial, FILE_MODE)
        os.replace(partial, out_file)
    return info


def _manifest(info: BackupInfo, images: dict[str, str]) -> str:
    return json.dumps({
        "format": BACKUP_FORMAT, "format_version": 1, "app_version": __version__,
        "created_at": info.created_at, "schema_version": info.schema_version,
        "counts": info.counts, "images": images, "missing": info.missing,
    }, indent=2)  # fmt: skip


def restore_backup(
    conn: sqlite3.Connection, db_path: Path, store: ImageStore, archive_path: Path
) -> BackupInfo:
    """Check a backup archive, then make it the live history.

    Raises:
        HistoryError: the archive is not a SkinDesk backup, is damaged, or
            is incomplete; nothing has been changed then.
        SchemaTooNewError: a newer SkinDesk wrote it.
    """
    with private_temp_dir(db_path.parent) as work:
        info, db_copy, images = validate_archive(archive_path, work)
        snapshot(conn, work / "before.sqlite3")
        os.replace(work / "before.sqlite3", f"{db_path}.before-restore")
        for relative, extracted in images.items():
            _, stored, _ = store.put(extracted)
            if stored != relative:
                raise DatabaseCorruptError(archive_path, f"image {relative} changed while copied")
        with contextlib.closing(sqlite3.connect(db_copy)) as restored:
            restored.backup(conn)
        schema.migrate(conn)
        problems = integrity_problems(conn, quick=True)
        if problems:
            raise DatabaseCorruptError(db_path, "; ".join(problems[:3]))
    info.path = str(archive_path)
    return info
