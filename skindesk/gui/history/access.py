"""The GUI's door to the history database: every call runs in a worker.

Opening the database runs migrations and an integrity check, and importing
the history core pulls in NumPy and the image loaders, so neither happens on
the Tk thread nor at start-up: the service is created on first use, in a
worker. Results come back through the window's :class:`TaskRunner`;
errors go to a given handler (a dialog's own message line) or to the
window's :class:`ErrorReporter`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from skindesk.gui.errors import ErrorReporter
from skindesk.gui.tasks import Outcome, TaskRunner

if TYPE_CHECKING:
    from skindesk.core.history import HistoryService

log = logging.getLogger(__name__)
T = TypeVar("T")


def default_history() -> HistoryService:
    """The user's history database and image store (call from a worker)."""
    from skindesk.core.history import HistoryService

    return HistoryService()


class HistoryAccess:
    """Runs history work off the Tk thread.

    Args:
        runner: The window's task runner.
        errors: Where errors go when a call has no handler of its own.
        factory: Creates the service (tests may pass their own).
    """

    def __init__(self, runner: TaskRunner, errors: ErrorReporter,
                 factory: Callable[[], HistoryService] = default_history) -> None:
        self._runner = runner
        self._errors = errors
        self._factory = factory
        self._service: HistoryService | None = None
        self._open_lock = threading.Lock()
        self.pending = 0  # calls not yet answered (tests wait for 0)

    @property
    def busy(self) -> bool:
        """True while a call has not delivered its answer."""
        return self.pending > 0

    def service(self) -> HistoryService:
        """The service, opened on first use (worker threads only)."""
        with self._open_lock:
            if self._service is None:
                self._service = self._factory()
            return self._service

    def run(self, work: Callable[[HistoryService], T], on_done: Callable[[T], None],
            context: str = "", on_error: Callable[[BaseException], bool] | None = None) -> None:
        """Run ``work(service)`` in a worker; ``on_done(value)`` on the Tk thread.

        Args:
            work: The database work (worker thread).
            on_done: Receives its value when it succeeded.
            context: Prefix for the error message ("Saving failed: ").
            on_error: Gets a failure first; returning True means it was shown
                (e.g. a validation message in a dialog), False passes it on to
                the window's error reporter.
        """
        self.pending += 1

        def finished(outcome: Outcome[T]) -> None:
            self.pending -= 1
            if outcome.ok:
                on_done(outcome.value)  # type: ignore[arg-type]
                return
            assert outcome.error is not None
            if on_error is None or not on_error(outcome.error):
                self._errors.report(outcome.error, context=context)

        self._runner.run_in_thread(lambda: work(self.service()), finished, "history")

    def close(self) -> None:
        """Close the database (when the main window goes)."""
        with self._open_lock:
            service, self._service = self._service, None
        if service is not None:
            threading.Thread(target=_close_quietly, args=(service,), daemon=True).start()


def _close_quietly(service: Any) -> None:
    # Closing waits for the service's lock, i.e. for a running call to end, so it
    # runs on its own thread and the window can close at once.
    try:
        service.close()
    except Exception:  # nothing left to report to once the window is gone
        log.debug("closing the history failed", exc_info=True)
