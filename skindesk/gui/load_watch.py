"""How responsive the window stays while the model loads (for ``bench/bench_gui_model_load.py``).

With ``$SKINDESK_REPORT_READY`` set, the app ticks every 20 ms from the
moment its window is ready until the model is ready (or failed), and prints
``SKINDESK_MODEL_READY <ms since process start> <longest gap between ticks in ms>
<state> <first gap in ms>``: a gap is how long the Tk thread was unable to
react. The first gap is reported apart, and left out of the longest, because
it covers the window's first full paint, which Tk does right after the
window is mapped whether or not a model is loading.

With ``$SKINDESK_REPORT_TAIL_S`` set to a number of seconds, it goes on ticking
that long after the model is ready, while the engine process prepares
Grad-CAM in the background, and then prints ``SKINDESK_AFTER_READY <seconds>
<longest gap in ms>``.
"""

from __future__ import annotations

import time
import tkinter
from collections.abc import Callable

TICK_MS = 20
LINE = "SKINDESK_MODEL_READY"
TAIL_LINE = "SKINDESK_AFTER_READY"
TAIL_ENV = "SKINDESK_REPORT_TAIL_S"


class LoadWatch:
    """Measures the Tk thread's longest gap (after the first) until the model is settled.

    Args:
        root: The app's root window.
        state: Returns the model's state ("loading", "ready", "failed"...).
        elapsed_ms: Milliseconds since the process started.
        report: Where the line goes (print by default).
        tail_s: How long to go on watching after the model is ready (0: stop at once).
    """

    def __init__(self, root: tkinter.Misc, state: Callable[[], str],
                 elapsed_ms: Callable[[], float], report: Callable[[str], None] | None = None,
                 tail_s: float = 0.0) -> None:
        self._root = root
        self._tail_s = tail_s
        self._tail_end: float | None = None
        self.tail_max_gap_ms = 0.0
        self._state = state
        self._elapsed_ms = elapsed_ms
        self._report = report or (lambda line: print(line, flush=True))
        self._last = time.monotonic()
        self.max_gap_ms = 0.0
        self.first_gap_ms: float | None = None

    def start(self) -> None:
        """Start ticking (from the Tk thread)."""
        self._last = time.monotonic()
        self._root.after(TICK_MS, self._tick)

    def _tick(self) -> None:
        now = time.monotonic()
        gap = (now - self._last) * 1000
        self._last = now
        if self._tail_end is not None:
            self._tail_tick(now, gap)
            return
        if self.first_gap_ms is None:
            self.first_gap_ms = gap
        else:
            self.max_gap_ms = max(self.max_gap_ms, gap)
        state = self._state()
        if state in ("ready", "failed"):
            self._report(f"{LINE} {self._elapsed_ms():.0f} {self.max_gap_ms:.0f} {state} "
                         f"{self.first_gap_ms:.0f}")
            if self._tail_s <= 0:
                return
            self._tail_end = now + self._tail_s
        self._root.after(TICK_MS, self._tick)

    def _tail_tick(self, now: float, gap: float) -> None:
        self.tail_max_gap_ms = max(self.tail_max_gap_ms, gap)
        if self._tail_end is not None and now >= self._tail_end:
            self._report(f"{TAIL_LINE} {self._tail_s:g} {self.tail_max_gap_ms:.0f}")
            return
        self._root.after(TICK_MS, self._tick)
