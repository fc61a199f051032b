"""The start-up responsiveness report used by bench/bench_gui_model_load.py."""

from __future__ import annotations

import time
import tkinter

import pytest

from tests.gui.helpers import pump, require_display

require_display()

from skindesk.gui.load_watch import LINE, LoadWatch

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
