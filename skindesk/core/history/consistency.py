"""Checking the history: SQLite's integrity check plus the image store against its rows."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from skindesk.core.hashing import sha256_file
from skindesk.core.history._tx import read_transaction, write_transaction
from skindesk.core.history.database import integrity_problems
from skindesk.core.history.repository import HistoryRepository
from skindesk.core.history.store import ImageStore


@dataclass
class CheckReport:
    """What :func:`check_history` found; ``ok`` when nothing.

    Attributes:
        database_problems: SQLite integrity and foreign-key problems.
        missing: store paths that rows use but that are not there.
        damaged: store paths whose content no longer matches their sha256.
        orphans: store files no row uses (e.g. from an interrupted save).
        counts: rows per table.
    """

    database_problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the database and the store agree and are sound."""
        return not (self.database_problems or self.missing or self.damaged or self.orphans)

    def lines(self) -> list[str]:
        """A readable report, one finding per line."""
        out = [f"database: {'ok' if not self.database_problems else 'PROBLEMS'}"]
        out += [f"  {p}" for p in self.database_problems]
        out.append(", ".join(f"{n} {t}" for t, n in self.counts.items()))
        for title, items in (("missing image files", self.missing),
                             ("damaged image files (content changed)", self.damaged),
                             ("orphan files no record uses", self.orphans)):  # fmt: skip
            if items:
                out.append(f"{title}: {len(items)}")
                out += [f"  {item}" for item in items]
        return out


def check_history(conn: sqlite3.Connection, store: ImageStore, verify_hashes: bool) -> CheckReport:
    """Check the database and compare the store with the image rows.

    Args:
        verify_hashes: re-hash every stored file (slower; finds changed content).
    """
    repo = HistoryRepository(conn)
    with read_transaction(conn):
        report = CheckReport(integrity_problems(conn), counts=repo.counts())
        images = repo.all_images()
    checked: set[str] = set()
    for image in images:
        if image.store_path in checked:
            continue
        checked.add(image.store_path)
        try:
            path = store.path_of(image.store_path)
        except ValueError:
            report.damaged.append(image.store_path)
            continue
        if not path.is_file():
            report.missing.append(image.store_path)
        elif verify_hashes and sha256_file(path) != image.sha256:
            report.damaged.append(image.store_path)
    report.orphans = _orphans(store, checked)
    return report


def purge_orphans(conn: sqlite3.Connection, store: ImageStore) -> list[str]:
    """Delete store files that no row uses; return their relative paths.

    Runs under the write lock: saves write their files while holding it, so
    no file of a save still in progress can be mistaken for an orphan.
    """
    repo = HistoryRepository(conn)
    with write_transaction(conn):
        used = {image.store_path for image in repo.all_images()}
        orphans = _orphans(store, used)
        for relative in orphans:
            store.path_of(relative).unlink(missing_ok=True)
    return orphans


def _orphans(store: ImageStore, used: set[str]) -> list[str]:
    return [rel for rel in (store.relative(p) for p in store.iter_files()) if rel not in used]
