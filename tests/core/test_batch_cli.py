"""``skindesk scan``: reports, exit status, progress, Ctrl-C and --resume (tiny model)."""

from __future__ import annotations

import csv
import io
import json
import signal

import pytest

from skindesk.cli import main
from skindesk.commands import _progress
from skindesk.core.batch import FolderScan, ScanProgress
from skindesk.core.service import SkinDeskService
from tests.core.batchdata import make_images, tiny_engine, write_bad_files

COLUMNS = [
    "path", "status", "error", "top_class", "p_malignant", "flagged",
    "p_nv", "p_mel", "p_bcc", "warnings", "model_id",
]  # fmt: skip


@pytest.fixture(autouse=True)
def tiny_service(monkeypatch):
    """Every model id resolves to the tiny model, so no test loads the 86 MB one."""
    monkeypatch.setattr(SkinDeskService, "engine", lambda self, model_id=None: tiny_engine())


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_csv_and_jsonl_have_one_entry_per_file_and_a_bad_file_exits_1(tmp_path, capsys):
    folder = tmp_path / "photos"
    make_images(folder, 5)
    write_bad_files(folder)
    out_csv, out_json = tmp_path / "out.csv", tmp_path / "out.jsonl"
    assert main(["scan", str(folder), "--csv", str(out_csv), "--json", str(out_json)]) == 1
    rows = read_csv(out_csv)
    assert list(rows[0]) == COLUMNS and len(rows) == 12
    ok = [r for r in rows if r["status"] == "ok"]
    assert len(ok) == 5 and all(
        r["model_id"] == "tiny" and r["flagged"] in ("yes", "no") for r in ok
    )
    for row in ok:
        probabilities = [float(row[c]) for c in ("p_nv", "p_mel", "p_bcc")]
        assert sum(probabilities) == pytest.approx(1, abs=1e-5)
        assert float(row["p_malignant"]) == pytest.approx(
            probabilities[1] + probabilities[2], abs=2e-6
        )
    bad = {r["path"].rsplit("/", 1)[1]: r for r in rows if r["status"] != "ok"}
    assert bad["notes.txt"]["status"] == "skipped" and "not an image" in bad["text.jpg"]["error"]
    assert bad["truncated.jpg"]["top_class"] == ""

    lines = read_jsonl(out_json)
    assert [line["path"] for line in lines] == [row["path"] for row in rows]
    first_ok = next(line for line in lines if line["status"] == "ok")
    assert {"relpath", "probabilities", "top_class", "flagged", "warnings"} <= set(first_ok)
    assert first_ok["model"]["id"] == "tiny" and first_ok["error"] is None
    assert lines[0] == {
        "path": rows[0]["path"],
        "relpath": "corrupt.png",
        "status": "failed",
        "error": "truncated or corrupt PNG file (Truncated File Read)",
    }
    captured = capsys.readouterr()
    assert "Failed files (6)" in captured.out and "not a diagnosis" in captured.out
    assert "12/12" in captured.err  # the plain progress line's final state


def test_a_clean_recursive_scan_with_an_include_pattern_exits_0(tmp_path, capsys):
    root = tmp_path / "photos"
    make_images(root / "a", 3)
    make_images(root / "b" / "c", 2, prefix="deep")
    (root / "notes.txt").write_text("not matched")
    out = tmp_path / "r.csv"
    assert main(["scan", str(root), "-r", "--include", "*.png", "--csv", str(out),
                 "--age", "50", "--site", "back"]) == 0  # fmt: skip
    assert [r["path"].rsplit("/", 1)[1] for r in read_csv(out)] == [
        "img_000.png", "img_002.png", "deep_000.png",
    ]  # fmt: skip
    assert ("Not used by this model: age, site (recorded only; its result depends on the image)."
            in capsys.readouterr().out)  # the tiny model reads the image only
    assert main(["scan", str(root)]) == 0  # a text file only: skipped, not failed
    assert "1 files" in capsys.readouterr().out


def test_ctrl_c_keeps_the_results_so_far_and_resume_finishes(tmp_path, monkeypatch, capsys):
    make_images(tmp_path / "photos", 30)
    out = tmp_path / "out.csv"
    draw = _progress.ProgressBar.update
    handler_before = signal.getsignal(signal.SIGINT)  # SIG_IGN when started in the background

    def interrupt_after_a_batch(bar, progress):
        draw(bar, progress)
        if progress.done:
            signal.raise_signal(signal.SIGINT)  # as if the user pressed Ctrl-C

    monkeypatch.setattr(_progress.ProgressBar, "update", interrupt_after_a_batch)
    assert main(["scan", str(tmp_path / "photos"), "--csv", str(out)]) == 130
    kept = read_csv(out)
    assert 0 < len(kept) < 30
    assert "--resume" in capsys.readouterr().err
    assert FolderScan(tmp_path / "photos", engine=tiny_engine()).unfinished_earlier_run

    monkeypatch.setattr(_progress.ProgressBar, "update", draw)
    assert main(["scan", str(tmp_path / "photos"), "--csv", str(out), "--resume"]) == 0
    assert len(read_csv(out)) == 30
    assert f"from an earlier run {len(kept)}" in capsys.readouterr().out
    assert not FolderScan(tmp_path / "photos", engine=tiny_engine()).unfinished_earlier_run
    assert signal.getsignal(signal.SIGINT) is handler_before  # the scan put it back


def test_a_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["scan", str(tmp_path / "nowhere")]) == 2
    assert "folder not found" in capsys.readouterr().err


def test_the_progress_bar_redraws_one_line_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = _progress.ProgressBar(stream, interval=0)
    bar.update(ScanProgress(done=0, total=None, analysed=0, elapsed=0.0))
    bar.update(ScanProgress(done=50, total=200, analysed=50, elapsed=10.0))
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\r0 files (counting...)") and text.endswith("\n")
    assert "50/200 (25%)  5.0 img/s  ETA 0:30" in text and text.count("\n") == 1


def test_progress_bar_counter_feeds_count_only_callbacks():
    import io

    stream = io.StringIO()
    bar = _progress.ProgressBar(stream, interval=0)
    report = bar.counter()
    report(5, 10)
    report(10, 10)
    bar.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[############------------] 5/10 (50%)")
    assert lines[-1].startswith("[########################] 10/10 (100%)")
