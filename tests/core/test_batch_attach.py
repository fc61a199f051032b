"""Attaching a folder scan to a patient's history: lesions, visits, failures, no duplicates."""

from __future__ import annotations

import signal

import pytest

from skindesk import __version__
from skindesk.cli import main
from skindesk.commands import _progress
from skindesk.core.batch import scan_folder
from skindesk.core.batch.attach import (
    IGNORED,
    NOT_ANALYSED,
    SAVED,
    ScanAttacher,
    lesion_label,
)  # fmt: skip
from skindesk.core.history import HistoryError, HistoryService, NotFoundError
from skindesk.core.service import SkinDeskService
from tests.core.batchdata import make_images, tiny_engine, write_bad_files, write_image


@pytest.fixture(autouse=True)
def tiny_service(monkeypatch):
    """Every model id resolves to the tiny model, so no test loads the 86 MB one."""
    monkeypatch.setattr(SkinDeskService, "engine", lambda self, model_id=None: tiny_engine())


@pytest.fixture
def history():
    with HistoryService() as service:
        service.add_patient("MRN-7", "Zoë Łukasiewicz", "1961-03-04", "female")
        yield service


@pytest.fixture
def follow_up_folder(tmp_path):
    """Two visits' images of lesion L1, one of L2, and the usual bad files."""
    folder = tmp_path / "photos"
    for seed, name in enumerate(["L1_2025-06.jpg", "L1_2026-06.png", "L2_2026-06.jpg"]):
        write_image(folder / name, seed=seed)
    write_bad_files(folder)
    return folder


def record(history, identifier="MRN-7"):
    return history.get_patient_record(history.patient_by_identifier(identifier).id)


@pytest.mark.parametrize(
    ("relpath", "group_by", "label"),
    [
        ("L3_2026-01.jpg", "name-prefix", "L3"),
        ("arm/L3_2026_01.jpg", "name-prefix", "L3"),
        ("L4.jpg", "name-prefix", "L4"),
        ("_odd.jpg", "name-prefix", "_odd"),
        ("arm/IMG_0042.jpg", "file", "arm/IMG_0042"),
        ("no-suffix", "file", "no-suffix"),
    ],
)  # fmt: skip
def test_lesion_labels_follow_the_documented_rule(relpath, group_by, label):
    assert lesion_label(relpath, group_by) == label


def test_results_are_saved_by_lesion_with_model_and_preprocessing(history, follow_up_folder):
    items = list(scan_folder(follow_up_folder, engine=tiny_engine()))
    attacher = ScanAttacher(history, "MRN-7", group_by="name-prefix")
    outcomes = {o.relpath: o for o in attacher.attach_all(items)}
    assert [outcomes[n].status for n in ("L1_2025-06.jpg", "L1_2026-06.png", "L2_2026-06.jpg")] == [
        SAVED, SAVED, SAVED,
    ]  # fmt: skip
    assert outcomes["text.jpg"].status == NOT_ANALYSED and "not an image" in outcomes["text.jpg"].reason
    assert outcomes["notes.txt"].status == IGNORED
    saved = record(history)
    assert sorted(lesion.label for lesion in saved.lesions) == ["L1", "L2"]
    assert len(saved.analyses) == 3 and len(saved.visits) == 1
    assert {a.visit_id for a in saved.analyses} == {saved.visits[0].id}
    by_lesion = {lesion.id: lesion.label for lesion in saved.lesions}
    assert sorted(by_lesion[a.lesion_id] for a in saved.analyses) == ["L1", "L1", "L2"]
    card = tiny_engine().card
    for analysis in saved.analyses:
        assert (analysis.model_id, analysis.model_sha256) == (card.id, card.sha256)
        assert analysis.app_version == __version__ and analysis.preprocessing == {"applied": False}
    summary = attacher.summary
    assert (summary.saved, summary.duplicates, len(summary.not_analysed)) == (3, 0, 6)
    assert summary.lesions == {"L1", "L2"} and summary.visit_id == saved.visits[0].id


def test_attaching_the_same_results_again_saves_nothing_new(history, follow_up_folder):
    items = list(scan_folder(follow_up_folder, engine=tiny_engine()))
    first_ok = next(item for item in items if item.ok)
    assert ScanAttacher(history, "MRN-7").attach(first_ok).status == SAVED
    again = ScanAttacher(history, "MRN-7")
    list(again.attach_all(items))
    assert (again.summary.saved, again.summary.duplicates) == (2, 1)
    third = ScanAttacher(history, "MRN-7")
    list(third.attach_all(items))
    assert (third.summary.saved, third.summary.duplicates) == (0, 3)
    assert len(record(history).analyses) == 3


def test_a_given_visit_is_used_and_must_be_the_patients(history, follow_up_folder):
    patient = history.patient_by_identifier("MRN-7")
    visit = history.add_visit(patient.id, "2026-06-01T09:30:00", "Dr Ruiz", "follow-up")
    other = history.add_patient("MRN-8")
    foreign = history.add_visit(other.id)
    items = list(scan_folder(follow_up_folder, engine=tiny_engine()))
    attacher = ScanAttacher(history, "MRN-7", visit=str(visit.id))
    list(attacher.attach_all(items))
    assert {a.visit_id for a in record(history).analyses} == {visit.id}
    assert len(record(history).visits) == 1  # no visit "today" was added
    with pytest.raises(HistoryError, match="not one of this patient's"):
        ScanAttacher(history, "MRN-7", visit=foreign.id)
    with pytest.raises(HistoryError, match="visit must be"):
        ScanAttacher(history, "MRN-7", visit="yesterday")
    with pytest.raises(HistoryError, match="group-by"):
        ScanAttacher(history, "MRN-7", group_by="folder")
    with pytest.raises(NotFoundError):
        ScanAttacher(history, "NOBODY")


def test_a_scan_where_everything_fails_leaves_no_trace(history, tmp_path):
    write_bad_files(tmp_path / "bad")
    attacher = ScanAttacher(history, "MRN-7")
    list(attacher.attach_all(scan_folder(tmp_path / "bad", engine=tiny_engine())))
    saved = record(history)
    assert (saved.visits, saved.lesions, saved.analyses) == ([], [], [])
    assert attacher.summary.visit_id is None and len(attacher.summary.not_analysed) == 6


def test_scan_cli_saves_to_the_patient_and_rerunning_adds_no_duplicates(
    history, follow_up_folder, capsys
):
    args = ["scan", str(follow_up_folder), "--patient", "MRN-7", "--group-by", "name-prefix"]
    assert main(args) == 1  # the bad files fail; they are reported, not saved
    out = capsys.readouterr().out
    assert "History of patient MRN-7" in out and "saved 3, already saved 0, lesions 2" in out
    assert "Not saved (not analysed) (6)" in out and "text.jpg: not an image" in out
    assert main([*args, "--resume"]) == 1
    assert "saved 0, already saved 3" in capsys.readouterr().out
    assert len(record(history).analyses) == 3


def test_an_interrupted_attached_scan_resumes_without_duplicates(history, tmp_path, monkeypatch):
    make_images(tmp_path / "photos", 14)
    draw = _progress.ProgressBar.update

    def interrupt_after_a_batch(bar, progress):
        draw(bar, progress)
        if progress.done:
            signal.raise_signal(signal.SIGINT)  # as if the user pressed Ctrl-C

    monkeypatch.setattr(_progress.ProgressBar, "update", interrupt_after_a_batch)
    args = ["scan", str(tmp_path / "photos"), "--patient", "MRN-7"]
    assert main(args) == 130
    kept = len(record(history).analyses)
    assert 0 < kept < 14
    monkeypatch.setattr(_progress.ProgressBar, "update", draw)
    assert main([*args, "--resume"]) == 0
    analyses = record(history).analyses
    assert len(analyses) == 14 and len({a.image_id for a in analyses}) == 14
    assert len(record(history).lesions) == 14  # one lesion per image by default


def test_scan_cli_checks_the_patient_options_before_the_model_loads(tmp_path, capsys, monkeypatch):
    def no_model(self, model_id=None):
        raise AssertionError("the model must not load")

    monkeypatch.setattr(SkinDeskService, "engine", no_model)
    make_images(tmp_path / "photos", 2)
    folder = str(tmp_path / "photos")
    assert main(["scan", folder, "--patient", "NOBODY"]) == 2
    assert "no patient with identifier" in capsys.readouterr().err
    assert main(["scan", folder, "--group-by", "file"]) == 2
    assert "need --patient" in capsys.readouterr().err
    assert main(["scan", folder, "--pages"]) == 2
    assert "--pdf" in capsys.readouterr().err
