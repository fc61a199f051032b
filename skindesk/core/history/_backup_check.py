"""Checking a backup archive completely before a restore may use it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from skindesk.core.history import schema
from skindesk.core.history.database import check_existing, integrity_problems
from skindesk.core.history.errors import DatabaseCorruptError, HistoryError
from skindesk.core.history.repository import HistoryRepository

_CHUNK = 1 << 20


def validate_archive(archive_path: Path, work: Path) -> tuple[Any, Path, dict[str, Path]]:
    """Extract and check a backup into ``work``.

    Returns:
        (BackupInfo from the manifest, the extracted database, {store path: extracted image}).

    Raises:
        HistoryError: not a SkinDesk backup, damaged, or incomplete.
    """
    from skindesk.core.history import backup as b

    try:
        archive = zipfile.ZipFile(archive_path)
    except (OSError, zipfile.BadZipFile) as error:
        raise HistoryError(f"{archive_path} is not a SkinDesk backup ({error})") from None
    with archive:
        manifest = _manifest(archive, archive_path)
        db_copy = work / b.DB_MEMBER
        _extract(archive, b.DB_MEMBER, db_copy, archive_path)
        rows = _check_database(db_copy, archive_path)
        images: dict[str, Path] = {}
        for relative, sha in sorted(rows.items()):
            member = f"images/{relative}"
            if not b.IMAGE_MEMBER.fullmatch(member) or member not in archive.namelist():
                if relative in manifest.get("missing", []):
                    continue  # deleted while the backup ran; the manifest says so
                raise HistoryError(f"{archive_path} is incomplete: image {relative} is not in it")
            target = work / "images" / relative.replace("/", "_")
            if _extract(archive, member, target, archive_path) != sha:
                raise DatabaseCorruptError(
                    archive_path, f"image {relative} does not match its hash"
                )
            images[relative] = target
    with contextlib.closing(sqlite3.connect(db_copy)) as copy:
        info = b.BackupInfo(
            str(archive_path),
            str(manifest.get("created_at", "")),
            schema.user_version(copy),
            HistoryRepository(copy).counts(),
            len(rows),
            [m for m in manifest.get("missing", []) if m in rows],
        )
    return info, db_copy, images


def _manifest(archive: zipfile.ZipFile, archive_path: Path) -> dict[str, Any]:
    from skindesk.core.history import backup as b

    try:
        manifest = json.loads(archive.read(b.MANIFEST_MEMBER))
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise HistoryError(
            f"{archive_path} is not a SkinDesk backup (no manifest: {error})"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != b.BACKUP_FORMAT:
        raise HistoryError(f"{archive_path} is not a SkinDesk history backup")
    return manifest


def _extract(archive: zipfile.ZipFile, member: str, target: Path, archive_path: Path) -> str:
    """Copy one member to ``target``; return its sha256."""
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with archive.open(member) as src, open(target, "wb") as dst:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
                dst.write(chunk)
    except KeyError:
        raise HistoryError(f"{archive_path} is not a SkinDesk backup (no {member})") from None
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise DatabaseCorruptError(archive_path, f"{member}: {error}") from None
    return digest.hexdigest()


def _check_database(db_copy: Path, archive_path: Path) -> dict[str, str]:
    """Check the extracted database; return {store path: sha256} of its images."""
    with contextlib.closing(sqlite3.connect(db_copy, isolation_level=None)) as copy:
        try:
            check_existing(copy, archive_path)
            problems = integrity_problems(copy)
            if problems:
                raise DatabaseCorruptError(archive_path, "; ".join(problems[:3]))
            return {i.store_path: i.sha256 for i in HistoryRepository(copy).all_images()}
        except sqlite3.DatabaseError as error:
            raise DatabaseCorruptError(archive_path, str(error)) from None
