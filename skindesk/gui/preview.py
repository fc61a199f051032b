"""The preprocessing preview: computed in a worker, drawn on the compare view.

A request runs the pipeline through the service 250 ms after the last
change (a newer change supersedes older requests; see
:class:`~skindesk.gui.latest_job.LatestJob`), on the image's largest
pyramid level that is at most :data:`PREVIEW_MAX` pixels wide, and keeps
the image after every step so any of them can be shown at once.
"""

from __future__ import annotations

import time
import tkinter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image

from skindesk.core.errors import UserError
from skindesk.core.preprocess import Pipeline
from skindesk.gui.compare_view import CompareView
from skindesk.gui.context import PaneContext
from skindesk.gui.latest_job import LatestJob
from skindesk.gui.tasks import Outcome

DEBOUNCE_MS = 250
PREVIEW_MAX = 1600  # longest side of the preview image


@dataclass(frozen=True)
class Preview:
    """A computed preview: the original and the image after each enabled step."""

    doc_id: str
    pipeline: Pipeline
    original: Image.Image
    images: tuple[Image.Image, ...]
    seconds: float

    def index_after(self, step_index: int) -> int:
        """Which image shows the result after step ``step_index`` (0: the original)."""
        steps = self.pipeline.steps[: step_index + 1]
        return min(sum(1 for step in steps if step.enabled), len(self.images))

    def after(self, step_index: int) -> Image.Image:
        """The picture after step ``step_index`` (-1: the original)."""
        shown = self.index_after(step_index) if step_index >= 0 else 0
        return self.images[shown - 1] if shown else self.original


def preview_source(display_image: Any) -> Image.Image:
    """The largest pyramid level of a ``DisplayImage`` that fits :data:`PREVIEW_MAX`."""
    fitting = [lv for lv in display_image.levels if max(lv.size) <= PREVIEW_MAX]
    return fitting[0] if fitting else display_image.levels[-1]


class PreviewController:
    """Keeps the preview of one image up to date with the edited pipeline.

    Args:
        context: Runner, service and error reporting.
        widget: For timers.
        view: Where before and after are drawn.
        on_status: Shows a line about the preview ("Updating preview…").
        on_ready: Called on the Tk thread when a new preview arrived.
    """

    def __init__(self, context: PaneContext, widget: tkinter.Misc, view: CompareView,
                 on_status: Callable[[str], None], on_ready: Callable[[], None]) -> None:
        self.context, self.view = context, view
        self._on_status, self._on_ready = on_status, on_ready
        self.job = LatestJob(context.runner, widget, self._done, DEBOUNCE_MS, "preview")
        self.doc: Any = None
        self.preview: Preview | None = None

    def request(self, doc: Any, pipeline: Pipeline, delay_ms: int | None = None) -> None:
        """Preview ``pipeline`` on ``doc`` once changes pause (``delay_ms``, default 250)."""
        if doc is not self.doc:
            self.preview = None
        self.doc = doc
        if doc is None or doc.image is None:
            self.job.cancel()
            self.view.show_message("Open an image to preview preprocessing." if doc is None
                                   else "The image is not loaded yet.")
            return
        if self.preview is None:
            self.view.show_message("Preparing the preview…")
        source, model = preview_source(doc.image), self.context.model
        self._on_status("Updating preview…")

        def work() -> Preview:
            import numpy as np

            service = model.wait_for_service()
            started = time.perf_counter()
            steps = service.preprocess_steps(np.asarray(source.convert("RGB")), pipeline)
            images = tuple(Image.fromarray(image) for _step, image in steps)
            return Preview(doc.id, pipeline, source, images, time.perf_counter() - started)

        self.job.request(doc.id, work, delay_ms)

    def _done(self, doc_id: str, outcome: Outcome[Preview], current: bool) -> None:
        if not current or self.doc is None or doc_id != self.doc.id:
            return  # a newer request is on its way
        if not outcome.ok or outcome.value is None:
            assert outcome.error is not None
            self._on_status(f"Preview failed: {outcome.error}")
            if not isinstance(outcome.error, UserError):
                self.context.errors.report(outcome.error, context="preprocessing preview")
            return
        self.preview = preview = outcome.value
        width, height = preview.original.size
        self._on_status(f"Preview: {preview.pipeline.describe()} · {width}×{height} px "
                        f"in {preview.seconds:.2f} s")
        self._on_ready()

    def show(self, step_index: int, title: str) -> None:
        """Draw the original against the picture after step ``step_index``."""
        if self.preview is not None:
            self.view.set_images(self.preview.original, self.preview.after(step_index),
                                 ("Original", f"After: {title}"))
