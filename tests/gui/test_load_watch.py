"""The start-up responsiveness report used by bench/bench_gui_model_load.py."""

from __future__ import annotations

import time
import tkinter

import pytest

from tests.gui.helpers import pump, require_display

require_display()

from skindesk.gui.load_watch import LINE, TAIL_LINE, LoadWatch

pytestmark = pytest.mark.gui


@pytest.fixture
def tk_root():
    root = tkinter.Tk()
    yield root
    root.destroy()


def test_reports_the_longest_stall_once_the_model_is_settled(tk_root):
    state = {"now": "loading"}
    lines: list[str] = []
    watch = LoadWatch(tk_root, lambda: state["now"], lambda: 1234.0, lines.append)
    watch.start()
    time.sleep(0.2)  # the first paint: reported apart
    pump(tk_root, timeout=0.15)
    time.sleep(0.3)  # the Tk thread busy elsewhere: the next tick comes late
    pump(tk_root, timeout=0.1)
    state["now"] = "ready"
    pump(tk_root, lambda: bool(lines), 5, "the report")
    name, ms, gap, settled, first = lines[0].split()
    assert (name, ms, settled) == (LINE, "1234", "ready")
    assert 300 <= float(gap) < 1000
    assert 200 <= float(first) < 300
    pump(tk_root, timeout=0.1)
    assert len(lines) == 1, "it stops ticking once it reported"


def test_a_tail_goes_on_watching_after_the_model_is_ready(tk_root):
    lines: list[str] = []
    watch = LoadWatch(tk_root, lambda: "ready", lambda: 50.0, lines.append, tail_s=0.6)
    watch.start()
    pump(tk_root, lambda: bool(lines), 5, "the ready line")
    assert lines[0].startswith(LINE)
    pump(tk_root, timeout=0.1)
    time.sleep(0.25)  # e.g. the engine process preparing Grad-CAM starves the Tk thread
    pump(tk_root, lambda: len(lines) == 2, 5, "the tail line")
    name, seconds, gap = lines[1].split()
    assert (name, seconds) == (TAIL_LINE, "0.6")
    assert 250 <= float(gap) < 1000
    pump(tk_root, timeout=0.1)
    assert len(lines) == 2, "it stops ticking after the tail"
