"""Decoding newly opened images in a worker, one result per file.

A file that cannot be read is reported with the loader's reason
("not an image (unrecognised content)"), and the other files go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from skindesk.core.errors import ImageLoadError, UserError
from skindesk.gui.image_loading import DisplayImage, decode_for_display
from skindesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decoded:
    """The outcome for one file: a picture, or the error that stopped it."""

    doc_id: str
    image: DisplayImage | None = None
    error: BaseException | None = None

    @property
    def reason(self) -> str:
        """Why the file could not be shown, in the user's words."""
        if isinstance(self.error, ImageLoadError):
            return self.error.reason
        if isinstance(self.error, UserError):
            return str(self.error)
        return "internal error while reading the file"


class ImageOpener:
    """Decodes files for display in a worker thread.

    Args:
        runner: Where the work runs.
        thumbnail_size: Edge of the list thumbnails in pixels.
        on_decoded: Called on the Tk thread with each :class:`Decoded`.
        on_batch_done: Called on the Tk thread when a batch has finished.
    """

    def __init__(
        self,
        runner: TaskRunner,
        thumbnail_size: int,
        on_decoded: Callable[[Decoded], None],
        on_batch_done: Callable[[], None],
    ) -> None:
        self._runner = runner
        self._thumbnail_size = thumbnail_size
        self._on_decoded = on_decoded
        self._on_batch_done = on_batch_done
        self._tasks: list[Task] = []

    @property
    def busy(self) -> bool:
        """True while files are being decoded."""
        return bool(self._tasks)

    def decode(self, files: list[tuple[str, str]]) -> None:
        """Decode ``(doc_id, path)`` pairs, in order."""
        task = self._runner.start(
            lambda t: self._work(t, files), name="decode",
            on_item=self._on_decoded, on_done=lambda ok, err: self._finished(task, err),
        )
        self._tasks.append(task)

    def _work(self, task: Task, files: list[tuple[str, str]]) -> None:
        for doc_id, path in files:
            if task.cancelled:
                return
            try:
                task.item(Decoded(doc_id, decode_for_display(path, self._thumbnail_size)))
            except Exception as error:  # noqa: BLE001 - one bad file must not stop the rest
                task.item(Decoded(doc_id, error=error))

    def _finished(self, task: Task, error: BaseException | None) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        if error is not None:
            log.error("image decoding stopped", exc_info=error)
        self._on_batch_done()
