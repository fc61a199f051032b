"""Running a folder scan in a worker and handing its results to the Tk thread (no widgets).

The worker runs the core's :class:`~skindesk.core.batch.FolderScan`, which
journals every result before it is handed over, and posts four kinds of
message through the task queue: :class:`ScanStarted` once, then each
:class:`~skindesk.core.batch.ScanItem` and
:class:`~skindesk.core.batch.ScanProgress` as they come, and
:class:`ScanEnded`. Cancel sets the task's event, which the scan checks
before every batch; what was handed over stays journaled, so Resume
continues without analysing those files again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skindesk.gui.backend import ModelLoader
from skindesk.gui.tasks import Outcome, Task, TaskRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and how.

    Attributes:
        folder: The folder.
        recursive: Include sub-folders.
        include: Shell patterns file names must match (empty: every file).
        model_id: The model (None: the default one).
        preprocessing: Called in the worker; returns the pipeline run on each
            image, or None for the images as they are.
        resume: Continue the journal of an earlier run of the same scan.
        attach: Save each analysed result to this patient's history (None: don't).
    """

    folder: str
    recursive: bool = False
    include: tuple[str, ...] = ()
    model_id: str | None = None
    preprocessing: Callable[[], Any] | None = None
    resume: bool = False
    attach: Any = None  # an AttachRequest (skindesk.gui.batch.attach)


@dataclass(frozen=True)
class ScanStarted:
    """The scan is set up: its id (for resume and exports), model and settings."""

    scan_id: str
    folder: str
    card: Any  # ModelCard
    preprocessing: dict[str, Any]  # preprocessing_record() of the pipeline used


@dataclass(frozen=True)
class ScanEnded:
    """The scan stopped: because it was cancelled, or at the end of the folder."""

    cancelled: bool


@dataclass(frozen=True)
class ScanListener:
    """Tk-thread callbacks of a scan job."""

    on_started: Callable[[ScanStarted], None]
    on_item: Callable[[Any], None]  # ScanItem
    on_progress: Callable[[Any], None]  # ScanProgress
    on_finished: Callable[[bool, BaseException | None, bool], None]  # ok, error, cancelled
    on_attached: Callable[[Any], None] | None = None  # an Attached snapshot


def _open_scan(service: Any, request: ScanRequest) -> Any:
    """A :class:`FolderScan` for ``request`` (worker side; may raise UserError)."""
    from skindesk.core.batch import FolderScan

    pipeline = request.preprocessing() if request.preprocessing is not None else None
    return FolderScan(request.folder, recursive=request.recursive, include=request.include,
                      model_id=request.model_id, preprocessing=pipeline,
                      resume=request.resume, service=service)


class ScanJob:
    """Starts scans, one at a time, and routes their messages to a :class:`ScanListener`."""

    def __init__(self, runner: TaskRunner, model: ModelLoader, listener: ScanListener) -> None:
        self._runner = runner
        self._model = model
        self._listener = listener
        self._task: Task | None = None
        self._ended: ScanEnded | None = None

    @property
    def running(self) -> bool:
        """True while a scan runs."""
        return self._task is not None

    def start(self, request: ScanRequest) -> bool:
        """Start scanning; False when a scan is already running."""
        if self._task is not None:
            return False
        self._ended = None
        self._task = self._runner.start(lambda task: self._work(task, request), name="batch-scan",
                                        on_item=self._dispatch, on_done=self._done)
        return True

    def cancel(self) -> None:
        """Stop after the current batch (what is finished stays journaled)."""
        if self._task is not None:
            self._task.cancel()

    def check_unfinished(self, request: ScanRequest, on_answer: Callable[[bool], None]) -> None:
        """Call ``on_answer(True)`` when an earlier run of this scan did not finish."""
        def work() -> bool:
            return bool(_open_scan(self._model.wait_for_service(), request)
                        .unfinished_earlier_run)

        def done(outcome: Outcome[bool]) -> None:
            on_answer(bool(outcome.ok and outcome.value))  # a bad folder says so on Start

        self._runner.run_in_thread(work, done, name="batch-scan-check")

    def _work(self, task: Task, request: ScanRequest) -> None:
        from skindesk.core.service import preprocessing_record
        from skindesk.gui.batch import attach

        if request.attach is not None:  # an unknown patient stops before any work
            attach.find_patient(request.attach)
        scan = _open_scan(self._model.wait_for_service(), request)
        attacher = attach.make_attacher(request.attach, scan) if request.attach else None
        task.item(ScanStarted(scan.scan_id, str(scan.folder), scan.engine.card,
                              preprocessing_record(scan.preprocessing)))
        for item in scan.run(task.item, task.cancel_event):  # progress goes through the queue too
            if attacher is not None:  # saved in this worker, never on the Tk thread
                attacher.attach(item)
            task.item(item)
            if attacher is not None:
                task.item(attach.snapshot(attacher))
        task.item(ScanEnded(scan.summary.cancelled))

    def _dispatch(self, message: Any) -> None:
        from skindesk.core.batch import ScanItem, ScanProgress

        if isinstance(message, ScanItem):
            self._listener.on_item(message)
        elif isinstance(message, ScanProgress):
            self._listener.on_progress(message)
        elif isinstance(message, ScanStarted):
            self._listener.on_started(message)
        elif isinstance(message, ScanEnded):
            self._ended = message
        elif self._listener.on_attached is not None:
            self._listener.on_attached(message)

    def _done(self, ok: bool, error: BaseException | None) -> None:
        task, self._task = self._task, None
        # The scan's own word counts: a cancel that came after the last file changed nothing.
        cancelled = self._ended.cancelled if self._ended else bool(task and task.cancelled)
        if error is not None and not ok:
            log.info("scan stopped: %s", error)
        self._listener.on_finished(ok, error, cancelled)
