"""Opening the database: migrations, refusing newer or damaged files, permissions."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat

import pytest

from skindesk import paths
from skindesk.core.history import (
    DatabaseCorruptError,
    HistoryError,
    HistoryService,
    SchemaTooNewError,
    schema,
)
from skindesk.core.history.database import default_db_path
from tests.core.history_data import result, write_image

NOW = "2024-01-01T00:00:00+00:00"


def _v1_database(path):
    """A version-1 file with one of everything, written with the v1 statements."""
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, target=1)
    conn.execute("INSERT INTO patients VALUES (1, 'MRN-OLD', 'Zoë Old', '1950-02-03', 'female', "
                 "'notes', ?, ?)", (NOW, NOW))  # fmt: skip
    conn.execute("INSERT INTO visits VALUES (1, 1, '2020-01-01T09:00', 'Dr A', 'mole')")
    conn.execute("INSERT INTO lesions VALUES (1, 1, 'L1', 'back', '2020-01-01')")
    conn.execute("INSERT INTO images VALUES (1, 1, ?, 'ab/x.png', 'old.png', NULL, '', NULL, ?)",
                 ("ab" + "0" * 62, NOW))  # fmt: skip
    conn.execute("INSERT INTO analyses VALUES (1, 1, 1, 1, 'm', '', '{}', 0, '{\"mel\": 0.9}', "
                 "'mel', 0.9, 0.5, 1, '[]', NULL, '0.0.1', ?)", (NOW,))  # fmt: skip
    conn.execute("INSERT INTO assessments VALUES (1, 1, 'agree', 'melanoma', 'n', ?)", (NOW,))
    return conn


@pytest.mark.parametrize("old_version", range(1, schema.CURRENT_VERSION))
def test_every_earlier_version_is_upgraded_with_its_data_intact(old_version):
    conn = _v1_database(default_db_path())
    schema.migrate(conn, target=old_version)
    assert schema.user_version(conn) == old_version
    conn.close()

    with HistoryService() as service:
        assert schema.user_version(service.conn) == schema.CURRENT_VERSION
        (patient,) = service.find_patients("zoe old")  # v3's search key was filled in
        record = service.get_patient_record(patient.id)
    assert (patient.identifier, patient.birth_date, patient.sex) == (
        "MRN-OLD",
        "1950-02-03",
        "female",
    )
    assert record.visits[0].clinician == "Dr A"
    assert record.lesions[0].label == "L1" and record.lesions[0].body_map_x is None
    assert record.analyses[0].probabilities == {"mel": 0.9} and record.analyses[0].flagged
    assessment = record.assessments[1]
    assert (assessment.diagnosis, assessment.histopathology) == ("melanoma", "")


def test_released_schema_versions_are_frozen():
    # Files in the field were made by these statements: change the schema by
    # appending a migration, never by editing a released version.
    digest = hashlib.sha256("\n".join(schema.V1_STATEMENTS + schema.V2_STATEMENTS).encode())
    assert digest.hexdigest()[:16] == "57ccc3a0be5aa13f"


def _file_state(path):
    return path.read_bytes(), sorted(os.listdir(path.parent))


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_newer_schema_is_refused_and_the_file_left_unchanged(journal):
    with HistoryService() as service:
        service.add_patient("MRN-1")
    path = default_db_path()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute(f"PRAGMA user_version = {schema.CURRENT_VERSION + 1}")
    conn.close()
    before = _file_state(path)
    with pytest.raises(SchemaTooNewError, match="newer SkinDesk") as error:
        HistoryService()
    assert str(path) in str(error.value) and "not been changed" in str(error.value)
    assert _file_state(path) == before


def _database_with_pages(n_patients=400):
    with HistoryService() as service:
        for i in range(n_patients):
            service.add_patient(f"MRN-{i}", f"Patient {i}", notes="n" * 500)
    return default_db_path()


def test_garbage_over_some_pages_gives_a_clear_error():
    path = _database_with_pages()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 20 * page
    data[5 * page : 12 * page] = os.urandom(7 * page)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorruptError) as error:
        HistoryService()
    message = str(error.value)
    assert str(path) in message and "damaged" in message and "backup" in message


@pytest.mark.parametrize("content", [b"just some text\n" * 300, os.urandom(8192)])
def test_a_file_that_is_not_a_database_gives_a_clear_error(content):
    path = default_db_path()
    path.write_bytes(content)
    with pytest.raises(DatabaseCorruptError, match="restore"):
        HistoryService()
    assert path.read_bytes() == content


def test_another_programs_sqlite_file_is_refused():
    path = default_db_path()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(HistoryError, match="not a SkinDesk"):
        HistoryService()


def test_files_and_folders_are_owner_only(tmp_path):
    with HistoryService() as service:
        patient = service.add_patient("MRN-1")
        service.save_analysis(patient.id, write_image(tmp_path / "a.png", seed=1), result())
        (image,) = service.get_patient_record(patient.id).images
        thumbnail = service.store.thumbnail(image.sha256)
        db = default_db_path()
        owner_only_files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"),
                            service.store.path_of(image.store_path), thumbnail]  # fmt: skip
        folders = [paths.data_dir(), service.store.root, service.store.path_of(image.store_path).parent,
                   thumbnail.parent]  # fmt: skip
        for path in owner_only_files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        for path in folders:
            assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
