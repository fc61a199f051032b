"""The image store and the whole-history operations: delete, export, backup, restore, check."""

from __future__ import annotations

import csv
import json
import sqlite3
import stat
import zipfile

import pytest

from skindesk.core.hashing import sha256_file
from skindesk.core.history import (
    DatabaseCorruptError,
    HistoryError,
    HistoryService,
    SchemaTooNewError,
    schema,
)
from skindesk.core.history.database import default_db_path
from tests.core.history_data import measurements, result, write_image

MARKER = "Zebedee-Quirkfield"  # a name that occurs nowhere else


@pytest.fixture
def service():
    with HistoryService() as history:
        yield history


def _patient_with_images(service, identifier, seeds, tmp_path, name=""):
    patient = service.add_patient(identifier, name=name)
    visit = service.add_visit(patient.id, "2024-02-02T10:00")
    lesion = service.add_or_get_lesion(patient.id, "L1", "back")
    for seed in seeds:
        image = write_image(tmp_path / f"{identifier}-{seed}.png", seed=seed)
        analysis = service.save_analysis(patient.id, image, result((seed % 10) / 10), visit_id=visit.id,
                                         lesion_id=lesion.id, measurements=measurements(4.0, 2))  # fmt: skip
        service.set_assessment(analysis.id, "agree", "naevus")
    return patient


def _all_files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_delete_patient_leaves_nothing_behind(service, tmp_path):
    gone = _patient_with_images(service, "GONE", [1, 2], tmp_path, name=MARKER)
    kept = _patient_with_images(service, "KEPT", [2, 3], tmp_path)  # image 2 is shared
    for image in (
        service.get_patient_record(gone.id).images + service.get_patient_record(kept.id).images
    ):
        service.store.thumbnail(image.sha256)
    kept_images = service.get_patient_record(kept.id).images

    service.delete_patient(gone.id)

    expected = sorted(i.store_path for i in kept_images)
    assert _all_files(service.store.root) == expected
    thumbs = _all_files(service.store.thumbnail_root)
    assert sorted(t.split("/")[1].split("-")[0] for t in thumbs) == sorted(
        i.sha256 for i in kept_images
    )
    assert service.find_patients("GONE") == [] and service.check().ok
    # Overwritten on delete and the write-ahead log emptied: the name is not on disk.
    db = default_db_path()
    for path in (db, db.with_name(db.name + "-wal")):
        assert MARKER.encode() not in (path.read_bytes() if path.exists() else b"")


def test_export_writes_json_images_and_csv(service, tmp_path):
    patient = _patient_with_images(service, "EXP", [4, 5], tmp_path, name="Eve Export")
    out = tmp_path / "export"
    service.export_patient(patient.id, out)

    data = json.loads((out / "patient.json").read_text(encoding="utf-8"))
    assert data["format"] == "skindesk-patient-export"
    assert data["record"]["patient"]["name"] == "Eve Export"
    assert len(data["record"]["analyses"]) == 2
    for image in data["record"]["images"]:
        exported = out / data["image_files"][str(image["id"])]
        assert sha256_file(exported) == image["sha256"]
        assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    with open(out / "analyses.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["lesion"] for r in rows] == ["L1", "L1"] and rows[0]["verdict"] == "agree"
    with pytest.raises(HistoryError, match="not an empty folder"):
        service.export_patient(patient.id, out)


def test_backup_and_restore_round_trip_while_another_connection_is_open(service, tmp_path):
    anna = _patient_with_images(service, "ANNA", [6, 7], tmp_path)
    before = service.get_patient_record(anna.id)
    archive = tmp_path / "backup.zip"
    info = service.backup(archive)
    assert info.counts["analyses"] == 2 and info.images == 2 and not info.missing
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    with HistoryService() as other:  # e.g. a second SkinDesk window
        other.add_patient("LATER")
        service.delete_patient(anna.id)
        service.restore(archive)
        # The other connection sees the restored history and can keep writing.
        assert [p.identifier for p in other.find_patients("")] == ["ANNA"]
        assert other.get_patient_record(anna.id) == before
        other.add_patient("AFTER")
    assert service.check().ok
    kept = sqlite3.connect(f"{default_db_path()}.before-restore")
    assert kept.execute("SELECT identifier FROM patients").fetchall() == [("LATER",)]
    kept.close()


def test_backup_of_an_older_schema_is_upgraded_on_restore(service, tmp_path):
    old_db = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(old_db, isolation_level=None)
    schema.migrate(conn, target=2)
    conn.execute("INSERT INTO patients (identifier, name, created_at, updated_at) "
                 "VALUES ('OLD', 'Ölga', '2020-01-01', '2020-01-01')")  # fmt: skip
    conn.close()
    archive = tmp_path / "v2-backup.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(old_db, "history.sqlite3")
        z.writestr("manifest.json", json.dumps({"format": "skindesk-history-backup"}))
    service.restore(archive)
    assert schema.user_version(service.conn) == schema.CURRENT_VERSION
    assert [p.identifier for p in service.find_patients("olga")] == ["OLD"]


def _rewrite_member(archive, name, change):
    """Rewrite a backup with one member changed (bytes -> bytes, or a db connection)."""
    with zipfile.ZipFile(archive) as source:
        members = {n: source.read(n) for n in source.namelist()}
    if name == "history.sqlite3":
        path = archive.with_suffix(".db")
        path.write_bytes(members[name])
        conn = sqlite3.connect(path, isolation_level=None)
        change(conn)
        conn.close()
        members[name] = path.read_bytes()
    else:
        member = next(n for n in members if n.startswith(name))
        members[member] = change(members[member])
    with zipfile.ZipFile(archive, "w") as target:
        for member, data in members.items():
            target.writestr(member, data)


@pytest.mark.parametrize(
    "damage, error",
    [
        ("not-a-zip", HistoryError),
        ("tampered-image", DatabaseCorruptError),
        ("too-new", SchemaTooNewError),
        ("other-manifest", HistoryError),
    ],
)
def test_a_bad_backup_is_refused_and_nothing_changes(service, tmp_path, damage, error):
    _patient_with_images(service, "REAL", [9], tmp_path)
    archive = tmp_path / "backup.zip"
    service.backup(archive)
    if damage == "not-a-zip":
        archive.write_bytes(b"PK\x03\x04 nonsense")
    elif damage == "tampered-image":
        _rewrite_member(archive, "images/", lambda data: data[:-1] + b"!")
    elif damage == "too-new":
        _rewrite_member(
            archive, "history.sqlite3", lambda db: db.execute("PRAGMA user_version = 99")
        )
    else:
        _rewrite_member(archive, "manifest.json", lambda data: b'{"format": "something-else"}')
    service.add_patient("NEW")
    with pytest.raises(error):
        service.restore(archive)
    assert sorted(p.identifier for p in service.find_patients("")) == ["NEW", "REAL"]
    assert service.check().ok


def test_check_finds_missing_damaged_and_orphan_files(service, tmp_path):
    patient = _patient_with_images(service, "CHK", [10, 11], tmp_path)
    first, second = service.get_patient_record(patient.id).images
    service.store.path_of(first.store_path).unlink()
    service.store.path_of(second.store_path).write_bytes(b"changed")
    stray = service.store.root / "zz" / "stray.png"
    stray.parent.mkdir()
    stray.write_bytes(b"x")
    report = service.check()
    assert not report.ok
    assert report.missing == [first.store_path] and report.damaged == [second.store_path]
    assert report.orphans == ["zz/stray.png"]
    assert service.purge_orphans() == ["zz/stray.png"] and not stray.exists()
