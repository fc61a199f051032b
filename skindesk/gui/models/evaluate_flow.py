"""Evaluate on folder…: choose a labelled dataset, evaluate off the Tk thread, show progress.

The worker only posts messages (``("stage", text)``, progress counts, the
stored result); the progress strip shows them and its Cancel button sets
the task's cancel event, which stops prediction after the current batch.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import filedialog
from typing import Any

import ttkbootstrap as ttk

from skindesk.core.evaluation.store import StoredEvaluation
from skindesk.gui.models.workbench import ModelWorkbench
from skindesk.gui.tasks import Task, TaskRunner
from skindesk.gui.units import px

CSV_TYPES = [("Labels CSV", "*.csv"), ("All files", "*")]


def ask_dataset(parent: tkinter.Misc, kind: str) -> str:
    """Ask for a folder per class (``kind`` 'folder') or a labels CSV ('csv'); '' if cancelled."""
    if kind == "csv":
        return str(filedialog.askopenfilename(parent=parent, title="Labels CSV to evaluate on",
                                              filetypes=CSV_TYPES) or "")
    return str(filedialog.askdirectory(
        parent=parent, mustexist=True,
        title="Folder with one subfolder of images per label (e.g. benign/, malignant/)") or "")


@dataclass(frozen=True)
class EvaluationOutcome:
    """How an evaluation ended: stored, cancelled, or failed with ``error``."""

    stored: StoredEvaluation | None
    cancelled: bool = False
    error: BaseException | None = None


class ProgressStrip(ttk.Frame):
    """What the running evaluation is doing, a progress bar and Cancel."""

    def __init__(self, master: tkinter.Misc, on_cancel: Callable[[], None]) -> None:
        super().__init__(master)
        self.label = ttk.Label(self)
        self.bar = ttk.Progressbar(self, mode="indeterminate", length=200)
        self.cancel_button = ttk.Button(self, text="Cancel", bootstyle="danger-link",
                                        command=on_cancel)
        self.label.pack(side="left", padx=(0, px(8)))
        self.bar.pack(side="left")
        self.cancel_button.pack(side="left", padx=(px(6), 0))

    def show(self, text: str | None = None, done: int | None = None,
             total: int | None = None) -> None:
        """Show a stage's text, and the counts once known (indeterminate before)."""
        if text is not None:
            self.label.configure(text=text)
        if done is None or not total:
            self.bar.configure(mode="indeterminate")
            self.bar.start(15)
        else:
            self.bar.stop()
            self.bar.configure(mode="determinate", maximum=total, value=done)
            self.label.configure(text=f"Analysed {done} of {total} images…")


class EvaluateFlow:
    """Runs one evaluation at a time; reports how it ended to ``on_finished``.

    Args:
        runner: Where the worker runs.
        workbench: Does the evaluation.
        strip: Shows the progress (the flow never packs it; ``on_running`` does).
        on_running: Called with True when an evaluation starts, False when it ends.
        on_finished: Called with the :class:`EvaluationOutcome`.
    """

    def __init__(self, runner: TaskRunner, workbench: ModelWorkbench, strip: ProgressStrip,
                 on_running: Callable[[bool], None],
                 on_finished: Callable[[EvaluationOutcome], None]) -> None:
        self._runner = runner
        self._workbench = workbench
        self._strip = strip
        self._on_running = on_running
        self._on_finished = on_finished
        self.task: Task | None = None
        self._result: StoredEvaluation | None = None

    @property
    def running(self) -> bool:
        """True while an evaluation runs."""
        return self.task is not None

    def start(self, dataset: str, model_id: str) -> bool:
        """Evaluate ``model_id`` on ``dataset``; False when one is already running."""
        if self.running:
            return False
        self._result = None

        def work(task: Task) -> None:
            stored = self._workbench.evaluate(
                dataset, model_id, on_stage=lambda text: task.item(("stage", text)),
                on_progress=task.progress, cancel=task.cancel_event)
            task.item(("result", stored))

        self._strip.show("Starting the evaluation…")
        self._on_running(True)
        self.task = self._runner.start(work, name="evaluate", on_item=self._item,
                                       on_progress=lambda d, t: self._strip.show(None, d, t),
                                       on_done=self._done)
        return True

    def cancel(self) -> None:
        """Stop after the current batch of images."""
        if self.task is not None:
            self.task.cancel()
            self._strip.show("Cancelling after the current batch…")

    def _item(self, message: tuple[str, Any]) -> None:
        kind, value = message
        if kind == "stage":
            self._strip.show(str(value))
        else:
            self._result = value

    def _done(self, ok: bool, error: BaseException | None) -> None:
        cancelled = self.task is not None and self.task.cancelled
        self.task = None
        self._strip.bar.stop()
        self._on_running(False)
        if not ok:
            self._on_finished(EvaluationOutcome(None, error=error))
        else:
            self._on_finished(EvaluationOutcome(self._result,
                                                cancelled=cancelled and self._result is None))
