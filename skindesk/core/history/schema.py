"""The history database's tables, and forward migrations between versions.

The schema version lives in ``PRAGMA user_version``. ``MIGRATIONS[i]``
upgrades version ``i`` to ``i + 1``; each runs in its own transaction
together with the new version number, so a crash leaves the file at one
version or the next, never in between. The statements of released
versions are frozen: change the schema only by appending a migration.

Versions:
    1. patients, visits, lesions, images, analyses, assessments.
    2. lesion body-map positions; histopathology results on assessments.
    3. a folded search key per patient, for accent- and case-insensitive search.
    4. the patient details the model was given (age, sex, site) with each analysis.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from skindesk.core.history import search
from skindesk.core.history._tx import write_transaction

#: ``PRAGMA application_id`` of SkinDesk history files ("SkDH").
APPLICATION_ID = 0x536B4448

V1_STATEMENTS: tuple[str, ...] = (
    """CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        identifier TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL DEFAULT '',
        birth_date TEXT CHECK (birth_date IS NULL OR birth_date GLOB
            '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        sex TEXT CHECK (sex IS NULL OR sex IN ('female', 'male')),
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    "CREATE INDEX patients_name ON patients (name)",
    "CREATE INDEX patients_birth_date ON patients (birth_date)",
    """CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
        visit_at TEXT NOT NULL,
        clinician TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '')""",
    "CREATE INDEX visits_patient ON visits (patient_id, visit_at)",
    """CREATE TABLE lesions (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        site TEXT,
        first_seen TEXT NOT NULL,
        UNIQUE (patient_id, label))""",
    """CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        store_path TEXT NOT NULL,
        original_name TEXT NOT NULL DEFAULT '',
        acquired_at TEXT,
        device TEXT NOT NULL DEFAULT '',
        pixel_spacing_mm REAL CHECK (pixel_spacing_mm IS NULL OR pixel_spacing_mm > 0),
        created_at TEXT NOT NULL,
        UNIQUE (patient_id, sha256))""",
    "CREATE INDEX images_sha256 ON images (sha256)",
    """CREATE TABLE analyses (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        visit_id INTEGER REFERENCES visits (id) ON DELETE SET NULL,
        lesion_id INTEGER REFERENCES lesions (id) ON DELETE SET NULL,
        model_id TEXT NOT NULL,
        model_sha256 TEXT NOT NULL DEFAULT '',
        preprocessing_json TEXT NOT NULL DEFAULT '{}',
        preprocessing_applied INTEGER NOT NULL DEFAULT 0 CHECK (preprocessing_applied IN (0, 1)),
        probabilities_json TEXT NOT NULL,
        top_class TEXT NOT NULL,
        malignant_probability REAL NOT NULL CHECK (malignant_probability BETWEEN 0 AND 1),
        threshold REAL NOT NULL,
        flagged INTEGER NOT NULL CHECK (flagged IN (0, 1)),
        warnings_json TEXT NOT NULL DEFAULT '[]',
        measurements_json TEXT,
        app_version TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
    "CREATE INDEX analyses_image ON analyses (image_id)",
    "CREATE INDEX analyses_visit ON analyses (visit_id)",
    "CREATE INDEX analyses_lesion ON analyses (lesion_id, created_at)",
    """CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        analysis_id INTEGER NOT NULL UNIQUE REFERENCES analyses (id) ON DELETE CASCADE,
        verdict TEXT CHECK (verdict IS NULL OR verdict IN ('agree', 'disagree', 'unsure')),
        diagnosis TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL)""",
    # A pragma cannot take a bound parameter; the value is a constant of ours.
    f"PRAGMA application_id = {APPLICATION_ID}",
)

V2_STATEMENTS: tuple[str, ...] = (
    # Position on the body map, as fractions of the map's width and height.
    "ALTER TABLE lesions ADD COLUMN body_map_x REAL CHECK (body_map_x BETWEEN 0 AND 1)",
    "ALTER TABLE lesions ADD COLUMN body_map_y REAL CHECK (body_map_y BETWEEN 0 AND 1)",
    "ALTER TABLE assessments ADD COLUMN histopathology TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE assessments ADD COLUMN histopathology_date TEXT",
)


V4_STATEMENTS: tuple[str, ...] = (
    # The model's patient inputs as sent (JSON), so a reopened analysis and a
    # recomputed Grad-CAM use exactly what the model saw; NULL for older rows.
    "ALTER TABLE analyses ADD COLUMN metadata_json TEXT",
)


def _run(statements: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    def apply(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return apply


def _v3_search_key(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE patients ADD COLUMN search_key TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT id, identifier, name, birth_date FROM patients").fetchall()
    conn.executemany(
        "UPDATE patients SET search_key = ? WHERE id = ?",
        [(search.search_key(ident, name, dob), pid) for pid, ident, name, dob in rows],
    )


@dataclass(frozen=True)
class Migration:
    """One step up: from ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial tables", _run(V1_STATEMENTS)),
    Migration(2, "lesion body-map position; histopathology", _run(V2_STATEMENTS)),
    Migration(3, "folded patient search key", _v3_search_key),
    Migration(4, "model metadata inputs of each analysis", _run(V4_STATEMENTS)),
)

CURRENT_VERSION = MIGRATIONS[-1].version


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the file (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = CURRENT_VERSION) -> int:
    """Upgrade the database step by step up to ``target``; return the version reached.

    Safe when several processes open an old file at once: each step re-reads
    the version inside its write transaction and skips work already done.
    """
    while True:
        with write_transaction(conn):
            version = user_version(conn)
            if version >= target:
                return version
            step = MIGRATIONS[version]
            step.apply(conn)
            # Pragmas take no bound parameters; int() makes the literal safe.
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
