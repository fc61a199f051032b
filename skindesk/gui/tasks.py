"""Running slow work off the Tk thread.

Workers never touch widgets. Each job has its own queue; the worker only
posts messages to it and the Tk thread drains the queues with ``after()``:

* :meth:`TaskRunner.run_in_thread` runs one function and calls
  ``on_done(outcome)`` on the Tk thread (Porcupine's ``run_in_thread``).
* :meth:`TaskRunner.start` runs a progress-reporting, cancellable job whose
  worker posts ``("progress", i, n)``, ``("item", result)`` and finally
  ``("done", ok)`` (Thonny's ``workdlg``); :meth:`Task.cancel` sets its
  :class:`threading.Event`.

Handler exceptions go to Tk's ``report_callback_exception`` and never stop
the polling of other jobs.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
import tkinter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

POLL_MS = 30
_MAX_DRAIN_SECONDS = 0.03  # leave the Tk thread to redraw between batches of messages


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """How a worker function ended: its value, or the exception it raised."""

    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when the function returned normally."""
        return self.error is None


class Task:
    """A cancellable job: the worker side reports, the Tk side receives.

    Args:
        name: For thread names and log lines.
        on_progress: ``(done, total)``, on the Tk thread.
        on_item: ``(result)``, once per item, on the Tk thread.
        on_done: ``(ok, error)``, once at the end, on the Tk thread;
            ``error`` is the exception that stopped the worker, if any.
    """

    def __init__(
        self,
        name: str,
        on_progress: Callable[[int, int], None] | None = None,
        on_item: Callable[[Any], None] | None = None,
        on_done: Callable[[bool, BaseException | None], None] | None = None,
    ) -> None:
        self.name = name
        self.cancel_event = threading.Event()
        self.queue: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.finished = False
        self._handlers = {"progress": on_progress, "item": on_item}
        self._on_done = on_done

    # Worker side -----------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called; workers check it between items."""
        return self.cancel_event.is_set()

    def progress(self, done: int, total: int) -> None:
        """Report progress (worker side)."""
        self.queue.put(("progress", done, total))

    def item(self, result: Any) -> None:
        """Hand one result to the Tk thread (worker side)."""
        self.queue.put(("item", result))

    # Tk side ------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the worker to stop at its next check."""
        self.cancel_event.set()

    def dispatch(self, message: tuple[Any, ...]) -> None:
        """Call the handler for one message (Tk side)."""
        kind = message[0]
        if kind == "done":
            self.finished = True
            # Drop the handlers: the worker thread may release the task after this,
            # and it must not hold the last reference to Tk objects (a tkinter
            # Variable deleted on a worker thread calls Tk from the wrong thread).
            on_done, self._on_done, self._handlers = self._on_done, None, {}
            if on_done is not None:
                on_done(bool(message[1]), self.error)
            return
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(*message[1:])


class TaskRunner:
    """Starts worker threads and polls their queues from the Tk event loop.

    Args:
        widget: Any widget of the app; polling stops when it is destroyed.
        poll_ms: How often to look at the queues while jobs run.
    """

    def __init__(self, widget: tkinter.Misc, poll_ms: int = POLL_MS) -> None:
        self._widget = widget
        self._poll_ms = poll_ms
        self._tasks: list[Task] = []
        self._after_id: str | None = None
        self._closed = False

    @property
    def busy(self) -> bool:
        """True while any job has not delivered its ``done`` message."""
        return bool(self._tasks)

    def run_in_thread(
        self, fn: Callable[[], T], on_done: Callable[[Outcome[T]], None], name: str = "job"
    ) -> Task:
        """Run ``fn()`` in a daemon thread; call ``on_done(Outcome)`` on the Tk thread."""
        box: list[Outcome[T]] = []

        def finished(ok: bool, error: BaseException | None) -> None:
            on_done(box[0] if box else Outcome(error=error))

        def work(task: Task) -> None:
            box.append(Outcome(value=fn()))

        return self.start(work, name=name, on_done=finished)

    def start(
        self,
        work: Callable[[Task], None],
        *,
        name: str = "task",
        on_progress: Callable[[int, int], None] | None = None,
        on_item: Callable[[Any], None] | None = None,
        on_done: Callable[[bool, BaseException | None], None] | None = None,
    ) -> Task:
        """Run ``work(task)`` in a daemon thread; its messages reach the handlers."""
        task = Task(name, on_progress, on_item, on_done)
        self._tasks.append(task)
        thread = threading.Thread(target=self._run, args=(work, task), name=name, daemon=True)
        thread.start()
        self._schedule()
        return task

    @staticmethod
    def _run(work: Callable[[Task], None], task: Task) -> None:
        ok = False
        try:
            work(task)
            ok = True
        except BaseException as error:  # noqa: BLE001 - handed to the Tk side, which reports it
            task.error = error
        finally:
            task.queue.put(("done", ok))

    def _schedule(self) -> None:
        if self._after_id is None and not self._closed:
            try:
                self._after_id = self._widget.after(self._poll_ms, self._poll)
            except tkinter.TclError:  # the app is going away
                self._closed = True

    def _poll(self) -> None:
        self._after_id = None
        deadline = time.monotonic() + _MAX_DRAIN_SECONDS
        for task in list(self._tasks):
            while time.monotonic() < deadline:
                try:
                    message = task.queue.get_nowait()
                except queue.Empty:
                    break
                self._dispatch(task, message)
                if task.finished:
                    self._tasks.remove(task)
                    break
        if self._tasks:
            self._schedule()

    def _dispatch(self, task: Task, message: tuple[Any, ...]) -> None:
        try:
            task.dispatch(message)
        except Exception:  # noqa: BLE001 - a handler bug must not stop the other jobs' polling
            root = self._widget._root()  # type: ignore[attr-defined]
            root.report_callback_exception(*sys.exc_info())

    def close(self) -> None:
        """Cancel every job and stop polling (when the window closes)."""
        self._closed = True
        for task in self._tasks:
            task.cancel()
        if self._after_id is not None:
            try:
                self._widget.after_cancel(self._after_id)
            except tkinter.TclError:
                pass
            self._after_id = None
