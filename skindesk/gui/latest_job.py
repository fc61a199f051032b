"""Run only the newest of a stream of requests in a worker, after a quiet period.

Live previews ask for work on every slider step. :class:`LatestJob` waits
until the requests pause (``delay_ms``), runs one worker at a time and
keeps at most one request waiting: a newer request replaces it, so stale
work is never queued. Results come back on the Tk thread through the
:class:`~skindesk.gui.tasks.TaskRunner` queue, marked current or stale.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

from skindesk.gui.tasks import Outcome, TaskRunner

DoneCallback = Callable[[Any, Outcome[Any], bool], None]  # (key, outcome, current)


class LatestJob:
    """A debounced, latest-only worker.

    Args:
        runner: Where the work runs.
        widget: For ``after()`` timers.
        on_done: ``(key, outcome, current)`` on the Tk thread after each run;
            ``current`` is False when a newer request came in meanwhile.
        delay_ms: Quiet period before a request runs (0: at once).
        name: Worker thread name.
    """

    def __init__(self, runner: TaskRunner, widget: tkinter.Misc, on_done: DoneCallback,
                 delay_ms: int = 0, name: str = "job") -> None:
        self._runner = runner
        self._widget = widget
        self._on_done = on_done
        self.delay_ms = delay_ms
        self._name = name
        self._waiting: tuple[int, Any, Callable[[], Any]] | None = None
        self._timer: str | None = None
        self._running = False
        self.generation = 0
        self.runs = 0  # how many requests actually ran (tests count them)

    @property
    def busy(self) -> bool:
        """True while a request runs or waits."""
        return self._running or self._waiting is not None

    def request(self, key: Any, work: Callable[[], Any], delay_ms: int | None = None) -> None:
        """Run ``work()`` in a worker once requests pause; replaces a waiting request."""
        self.generation += 1
        self._waiting = (self.generation, key, work)
        self._stop_timer()
        delay = self.delay_ms if delay_ms is None else delay_ms
        if delay > 0:
            self._timer = self._widget.after(delay, self._fire)
        else:
            self._fire()

    def cancel(self) -> None:
        """Drop the waiting request; a running one finishes and is reported stale."""
        self.generation += 1
        self._waiting = None
        self._stop_timer()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            try:
                self._widget.after_cancel(self._timer)
            except tkinter.TclError:
                pass
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        if self._running or self._waiting is None:
            return  # the running job starts the waiting one when it ends
        generation, key, work = self._waiting
        self._waiting = None
        self._running = True
        self.runs += 1
        self._runner.run_in_thread(
            work, lambda outcome: self._finished(generation, key, outcome), self._name)

    def _finished(self, generation: int, key: Any, outcome: Outcome[Any]) -> None:
        self._running = False
        try:
            self._on_done(key, outcome, generation == self.generation)
        finally:
            if self._waiting is not None and self._timer is None:
                self._fire()
