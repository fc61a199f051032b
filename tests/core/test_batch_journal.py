"""The scan journal survives crashes: torn lines, garbage tails, a killed process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from skindesk.core.batch import FolderScan, ScanFolderError, scan_folder
from skindesk.core.batch.journal import ScanJournal, scans_dir
from tests.conftest import PROJECT_ROOT
from tests.core.batchdata import CountingEngine, make_images, tiny_engine


def full_scan(folder):
    job = FolderScan(folder, engine=tiny_engine())
    items = list(job.run())
    return items, scans_dir() / job.scan_id / "journal.jsonl"


def resume(folder):
    engine = CountingEngine(tiny_engine())
    return list(scan_folder(folder, engine=engine, resume=True)), engine


def assert_whole_lines(journal, count):
    lines = journal.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == count
    assert all(json.loads(line)["relpath"] for line in lines[:-1])


def test_a_torn_last_line_is_dropped_and_that_file_analysed_again(tmp_path):
    make_images(tmp_path, 10)
    items, journal = full_scan(tmp_path)
    data = journal.read_bytes()
    journal.write_bytes(data[: len(data) - 40])  # the last write was cut short
    again, engine = resume(tmp_path)
    assert engine.analysed == 1 and sum(i.resumed for i in again) == 9
    assert [i.relpath for i in again] == [i.relpath for i in items]
    assert_whole_lines(journal, 10)


def test_a_garbage_tail_after_a_power_cut_is_cut_off(tmp_path):
    make_images(tmp_path, 6)
    _, journal = full_scan(tmp_path)
    with open(journal, "ab") as handle:
        handle.write(b"\x00" * 512)
    again, engine = resume(tmp_path)
    assert engine.analysed == 0 and len(again) == 6
    assert_whole_lines(journal, 6)


def test_a_damaged_line_in_the_middle_costs_only_its_file(tmp_path):
    make_images(tmp_path, 6)
    _, journal = full_scan(tmp_path)
    lines = journal.read_text().splitlines(keepends=True)
    lines[2] = "{damaged\n"
    journal.write_text("".join(lines))
    again, engine = resume(tmp_path)
    assert engine.analysed == 1 and not again[2].resumed and len(again) == 6


def test_the_same_scan_cannot_run_twice_at_once(tmp_path):
    identity = {"folder": str(tmp_path)}
    first = ScanJournal.open(identity, resume=False)
    try:
        with pytest.raises(ScanFolderError, match="already running"):
            ScanJournal.open(identity, resume=True)
    finally:
        first.close()
    ScanJournal.open(identity, resume=True).close()


KILLED_SCAN = textwrap.dedent(
    """
    import sys
    from skindesk.core.batch import scan_folder
    from skindesk.core.engine import InferenceEngine
    from skindesk.core.modelcard import load_card
    from tests.core.batchdata import CountingEngine

    engine = CountingEngine(InferenceEngine(load_card(sys.argv[1]), batch_size=4), delay=0.3)
    for item in scan_folder(sys.argv[2], engine=engine):
        print(item.relpath, flush=True)
    """
)


def test_a_killed_scan_resumes_where_its_journal_ends(tmp_path):
    images = tmp_path / "images"
    make_images(images, 40)
    card_path = str(tiny_engine().card.card_path)
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_SCAN, card_path, str(images)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        printed = [process.stdout.readline() for _ in range(8)]
    finally:
        process.kill()  # SIGKILL: no cleanup, like a crash
        process.wait(timeout=60)
    assert all(printed), "the scan subprocess stopped early"

    again, engine = resume(images)
    journaled = sum(item.resumed for item in again)
    assert 8 <= journaled < 40
    assert engine.analysed + journaled == 40
    reference, _ = full_scan(images)
    assert [i.relpath for i in again] == [i.relpath for i in reference]
    for item, ref in zip(again, reference):
        assert item.prediction.probabilities == pytest.approx(ref.prediction.probabilities)


def test_read_items_gives_back_every_journaled_file_in_order(tmp_path):
    from skindesk.core.batch.journal import read_items

    make_images(tmp_path, 5)
    (tmp_path / "notes.txt").write_text("not an image")
    items, journal = full_scan(tmp_path)
    with open(journal, "ab") as handle:
        handle.write(b'{"relpath": "torn')  # a write cut short is not a result
    again = list(read_items(journal.parent.name))
    assert [i.to_record() for i in again] == [i.to_record() for i in items]
    assert not any(i.resumed for i in again)
    with pytest.raises(ScanFolderError, match="no results"):
        list(read_items("0" * 20))
