"""scan_folder on a tiny model: bad files, order, cancel and resume, bounded memory."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from skindesk.core.batch import FolderScan, ScanProgress, scan_folder
from skindesk.core.batch.pipeline import BatchPipeline
from skindesk.core.imageio import load_image
from tests.core.batchdata import (
    TINY_BATCH,
    CountingEngine,
    make_images,
    tiny_engine,
    write_bad_files,
)


def scan(folder, engine=None, **options):
    return list(scan_folder(folder, engine=engine or tiny_engine(), **options))


def by_relpath(items):
    return {item.relpath: item for item in items}


def test_good_images_are_analysed_and_bad_files_listed_without_stopping(tmp_path):
    make_images(tmp_path, 9)
    expected_bad = write_bad_files(tmp_path)
    items = by_relpath(scan(tmp_path))
    assert sum(item.ok for item in items.values()) == 9
    for name, (status, words) in expected_bad.items():
        assert items[name].status == status and words in items[name].error, name
        assert items[name].prediction is None
    assert items["truncated.jpg"].error.startswith("truncated or corrupt JPEG")


def test_results_equal_the_engine_on_the_same_images(tmp_path):
    files = make_images(tmp_path, 11)
    (tmp_path / "zz.txt").write_text("in the middle of the batches")
    items = [item for item in scan(tmp_path) if item.ok]
    expected = tiny_engine().predict([load_image(f).rgb for f in files])
    assert [item.path for item in items] == [str(f) for f in files]
    for item, prediction in zip(items, expected):
        got = item.prediction
        np.testing.assert_allclose(
            list(got.probabilities.values()), list(prediction.probabilities.values()), atol=1e-5
        )
        assert got.top_class == prediction.top_class and got.flagged == prediction.flagged
        assert item.image_info == {"width": 64, "height": 48, "format": item.image_info["format"]}


def test_order_is_the_walk_order_whatever_the_worker_timing(tmp_path):
    make_images(tmp_path / "b", 5, "x")
    make_images(tmp_path / "a", 6, "y")
    first = [item.relpath for item in scan(tmp_path, recursive=True, workers=3)]
    assert first == sorted(first) and len(first) == 11
    assert [item.relpath for item in scan(tmp_path, recursive=True, workers=1)] == first


def test_cancel_then_resume_analyses_every_file_exactly_once(tmp_path):
    make_images(tmp_path, 23)
    (tmp_path / "readme.txt").write_text("skip me")
    cancel = threading.Event()
    first_engine = CountingEngine(tiny_engine())
    first = []
    for item in scan_folder(tmp_path, engine=first_engine, cancel=cancel, workers=2):
        first.append(item)
        if len(first) == 6:
            cancel.set()
    assert 6 <= len(first) < 24

    second_engine = CountingEngine(tiny_engine())
    second = scan(tmp_path, second_engine, resume=True)
    assert first_engine.analysed + second_engine.analysed == 23
    assert [i.relpath for i in second if i.resumed] == [i.relpath for i in first]
    assert_same_results(second, scan(tmp_path))


def assert_same_results(items, reference):
    assert [(i.relpath, i.status, i.error) for i in items] == [
        (i.relpath, i.status, i.error) for i in reference
    ]
    for item, ref in zip(items, reference):
        if ref.ok:
            assert item.prediction.probabilities == pytest.approx(ref.prediction.probabilities)


def test_a_finished_scan_resumed_analyses_nothing_and_without_resume_starts_over(tmp_path):
    make_images(tmp_path, 5)
    full = scan(tmp_path)
    engine = CountingEngine(tiny_engine())
    again = scan(tmp_path, engine, resume=True)
    assert engine.analysed == 0 and all(i.resumed for i in again)
    assert_same_results(again, full)
    fresh = scan(tmp_path, engine)
    assert engine.analysed == 5 and not any(i.resumed for i in fresh)


def test_other_options_are_another_scan(tmp_path):
    make_images(tmp_path, 3)
    scan(tmp_path)
    engine = CountingEngine(tiny_engine())
    scan(tmp_path, engine, resume=True, preprocessing="standard dermoscopy")
    assert engine.analysed == 3


def test_the_journal_holds_every_item_and_the_state(tmp_path):
    import json

    make_images(tmp_path, 5)
    job = FolderScan(tmp_path, engine=tiny_engine())
    items = list(job.run())
    folder = job_folder(job)
    lines = (folder / "journal.jsonl").read_text().splitlines()
    assert [json.loads(line)["relpath"] for line in lines] == [i.relpath for i in items]
    state = json.loads((folder / "scan.json").read_text())
    assert state["state"] == "complete" and state["folder"] == str(tmp_path.resolve())
    assert state["model"]["sha256"] == tiny_engine().card.sha256


def job_folder(job):
    from skindesk.core.batch.journal import scans_dir

    return scans_dir() / job.scan_id


def test_progress_reports_counts_and_total(tmp_path):
    make_images(tmp_path, 10)
    seen: list[ScanProgress] = []
    scan(tmp_path, on_progress=seen.append)
    assert seen[0].done == 0 and seen[-1].done == 10
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert seen[-1].total in (None, 10) and seen[-1].analysed == 10


def test_summary_counts_classes_flags_and_failures(tmp_path):
    make_images(tmp_path, 7)
    write_bad_files(tmp_path)
    job = FolderScan(tmp_path, engine=tiny_engine())
    items = list(job.run())
    summary = job.summary
    assert summary.analysed == 7 and summary.skipped == 1 and len(summary.failures) == 6
    assert sum(summary.class_counts.values()) == 7
    assert summary.flagged == sum(bool(i.ok and i.prediction.flagged) for i in items)
    assert summary.to_dict()["failed"] == 6 and summary.rate > 0


def test_memory_is_bounded_however_slow_the_model(tmp_path):
    make_images(tmp_path, 40)
    engine = CountingEngine(tiny_engine(), delay=0.05)
    pipeline_bound = BatchPipeline(engine, workers=2, queue_size=3).max_in_flight
    assert pipeline_bound == 2 + 3 + TINY_BATCH
    job = FolderScan(tmp_path, engine=engine, workers=2)
    job_queue = 2 * TINY_BATCH  # the default queue size
    list(job.run())
    assert engine.analysed == 40 and engine.batches == [TINY_BATCH] * 10
    assert TINY_BATCH < engine.max_alive <= 2 + job_queue + TINY_BATCH


def test_quality_warnings_are_attached_when_a_check_is_installed(tmp_path, monkeypatch):
    from skindesk.core.batch import pipeline

    def check(rgb):
        return [{"code": "dark", "message": f"dark ({rgb.shape[1]} px wide)"}]

    monkeypatch.setattr(pipeline, "default_quality_check", lambda: check)
    make_images(tmp_path, 2)
    assert [i.warnings for i in scan(tmp_path)] == [
        [{"code": "dark", "message": "dark (64 px wide)"}]
    ] * 2


def test_the_app_quality_checks_run_on_every_image(tmp_path):
    make_images(tmp_path, 2)  # 64×48: smaller than a usable dermoscopy image
    for item in scan(tmp_path):
        assert "too_small" in [w["code"] for w in item.warnings]
        assert all(isinstance(w["message"], str) for w in item.warnings)
