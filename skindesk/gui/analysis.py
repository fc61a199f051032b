"""Running analyses through the service in a worker, one job at a time.

The worker waits for the service if it is still starting, builds the
preprocessing pipeline when the user chose to analyse preprocessed images, groups the
images by their patient metadata (the service takes one metadata per
call) and posts each ``FileResult`` as it comes, so results appear one by
one during "Analyse all" and Cancel stops after the current batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skindesk.gui.backend import ModelLoader
from skindesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisItem:
    """One image to analyse: which document, which file, with what metadata."""

    doc_id: str
    path: str
    metadata: Any  # PatientMetadata (hashable)


@dataclass(frozen=True)
class AnalysisListener:
    """Tk-thread callbacks of an analysis job."""

    on_result: Callable[[str, Any], None]  # (doc_id, FileResult)
    on_progress: Callable[[int, int], None]
    on_finished: Callable[[bool, BaseException | None, bool], None]  # (ok, error, cancelled)


class AnalysisController:
    """Starts analysis jobs; refuses a second one while the first runs."""

    def __init__(self, runner: TaskRunner, model: ModelLoader, listener: AnalysisListener) -> None:
        self._runner = runner
        self._model = model
        self._listener = listener
        self._task: Task | None = None
        self.pending: set[str] = set()  # documents waiting for their result

    @property
    def running(self) -> bool:
        """True while a job runs."""
        return self._task is not None

    def start(self, items: list[AnalysisItem],
              preprocessing: Callable[[], Any] | None = None) -> bool:
        """Start analysing ``items``; False (nothing started) when a job is running.

        Args:
            items: What to analyse.
            preprocessing: Called in the worker; returns the ``Pipeline`` to run
                on each image before the model, or None for the image as it is.
        """
        if self._task is not None or not items:
            return False
        self.pending = {item.doc_id for item in items}
        self._task = self._runner.start(
            lambda task: self._work(task, items, preprocessing),
            name="analysis",
            on_progress=self._listener.on_progress,
            on_item=self._item,
            on_done=self._done,
        )
        return True

    def cancel(self) -> None:
        """Stop after the current batch."""
        if self._task is not None:
            self._task.cancel()

    def _work(self, task: Task, items: list[AnalysisItem],
              preprocessing: Callable[[], Any] | None) -> None:
        service = self._model.wait_for_service()
        pipeline = preprocessing() if preprocessing is not None else None
        groups: dict[Any, list[AnalysisItem]] = {}
        for item in items:
            groups.setdefault(item.metadata, []).append(item)
        done = 0
        task.progress(0, len(items))
        for metadata, group in groups.items():
            if task.cancelled:
                return
            results = service.predict_files(
                [item.path for item in group], metadata, cancel=task.cancel_event,
                preprocessing=pipeline)
            for item, result in zip(group, results):
                task.item((item.doc_id, result))
                done += 1
                task.progress(done, len(items))

    def _item(self, payload: tuple[str, Any]) -> None:
        doc_id, result = payload
        self.pending.discard(doc_id)
        self._listener.on_result(doc_id, result)

    def _done(self, ok: bool, error: BaseException | None) -> None:
        cancelled = self._task is not None and self._task.cancelled
        self._task = None
        self.pending.clear()
        self._listener.on_finished(ok, error, cancelled)
