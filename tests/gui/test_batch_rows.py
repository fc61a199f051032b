"""The scan table's rows: sorting, inserting in place, filtering and progress words (no Tk)."""

from __future__ import annotations

import pytest

from skindesk.core.batch import ScanProgress
from skindesk.gui.batch.forms import split_patterns
from skindesk.gui.batch.progress import duration, progress_text
from skindesk.gui.batch.rows import ResultRow, RowFilter, insert_position, sort_rows, sort_value


def row(name, p=None, status="ok", flagged=False, note=""):
    return ResultRow(name, f"/scan/{name}", name, status, "Melanoma [mel]" if p else "", p,
                     flagged, note)


ROWS = [row("b.jpg", 0.2), row("bad.jpg", status="failed", note="truncated"),
        row("a.jpg", 0.9, flagged=True), row("c.jpg", 0.2), row("notes.txt", status="skipped")]


def test_default_sort_puts_the_highest_probability_first_and_unanalysed_files_last():
    ordered = sort_rows(ROWS, "p_malignant", descending=True)
    assert [r.relpath for r in ordered] == ["a.jpg", "b.jpg", "c.jpg", "bad.jpg", "notes.txt"]
    ascending = sort_rows(ROWS, "p_malignant", descending=False)
    assert [r.relpath for r in ascending][:3] == ["b.jpg", "c.jpg", "a.jpg"], "ties stay in order"
    assert sort_rows(ROWS, "file", False)[0].relpath == "a.jpg"


@pytest.mark.parametrize("column", ["p_malignant", "file", "review", "note", "status", "class"])
@pytest.mark.parametrize("descending", [True, False])
def test_inserting_one_by_one_gives_the_same_order_as_sorting(column, descending):
    values, order = [], []
    for r in ROWS:
        index = insert_position(values, sort_value(r, column), descending)
        values.insert(index, sort_value(r, column))
        order.insert(index, r.relpath)
    assert order == [r.relpath for r in sort_rows(ROWS, column, descending)]


def test_filter_words_and_switches():
    assert [r.relpath for r in ROWS if RowFilter("TRUNC").accepts(r)] == ["bad.jpg"]
    assert [r.relpath for r in ROWS if RowFilter(flagged_only=True).accepts(r)] == ["a.jpg"]
    assert [r.relpath for r in ROWS if RowFilter(failed_only=True).accepts(r)] == ["bad.jpg"]
    assert [r.relpath for r in ROWS if RowFilter("melanoma A.JPG").accepts(r)] == ["a.jpg"]


def test_progress_in_words():
    assert progress_text(ScanProgress(30, 120, 30, 10.0)) == (
        "30 of 120 files · 3.0 images/s · about 30 s left")
    assert progress_text(ScanProgress(5, None, 0, 1.0)) == "5 files so far (still counting)"
    assert [duration(s) for s in (4.4, 185, 3725)] == ["4 s", "3 min 05 s", "1 h 02 min"]
    assert split_patterns("*.jpg, *.PNG;mel/*  ") == ("*.jpg", "*.PNG", "mel/*")
