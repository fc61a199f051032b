"""What the scan window does with a running scan's messages, and its export buttons.

:class:`ScanProgressView` turns the job's messages into rows, summary
counts and progress text (the summary is redrawn at most a few times a
second, however fast results come). :class:`ExportActions` writes the shown
scan as CSV, JSON Lines or a PDF report in a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog
from typing import TYPE_CHECKING, Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.batch.exports import EXPORT_KINDS, EXPORTERS
from skindesk.gui.batch.job import ScanStarted
from skindesk.gui.batch.progress import finished_text
from skindesk.gui.batch.rows import ResultRow
from skindesk.gui.tasks import Outcome
from skindesk.gui.units import px

if TYPE_CHECKING:
    from skindesk.gui.batch.scan_window import BatchScanWindow

_SUMMARY_MS = 200
RESUME_HINT = ("An earlier scan of this folder with these settings did not finish: Resume "
               "continues it without analysing its finished files again.")


class ScanProgressView:
    """Shows a scan's messages in the window ``win``."""

    def __init__(self, win: BatchScanWindow) -> None:
        self.win = win
        self.summary: Any = None  # the core's ScanSummary, filled on the Tk side
        self.total: int | None = None
        self._count = 0
        self._refresh_id: str | None = None

    def reset(self, resume: bool) -> None:
        """A scan is about to start: empty table and summary."""
        win = self.win
        win.scan, self.summary, self.total, self._count = None, None, None, 0
        win.table.clear()
        win.summary.clear()
        win.filter_bar.show_count(0, 0)
        win.show_message("")
        waiting = win.window.model.status.state != "ready"
        win.progress.starting("Waiting for the model…" if waiting
                              else "Resuming…" if resume else "Starting…")

    def started(self, scan: ScanStarted) -> None:
        """The worker set the scan up."""
        from skindesk.core.batch import ScanSummary  # imported by the worker already

        self.win.scan, self.summary = scan, ScanSummary()
        self.win.model_label.configure(text=f"Model: {scan.card.name}")
        self.win.progress.starting("Looking at the files…")

    def item(self, item: Any) -> None:
        """One file's result: a row in its sorted place, counted in the summary."""
        self._count += 1
        assert self.win.scan is not None and self.summary is not None
        self.win.table.add(ResultRow.from_item(f"r{self._count}", item, self.win.scan.card))
        self.summary.add(item)
        if self._refresh_id is None:
            self._refresh_id = self.win.after(_SUMMARY_MS, self.refresh)

    def progress_update(self, progress: Any) -> None:
        """Counts, rate and time left."""
        self.total = progress.total
        self.win.progress.update_progress(progress)
        self.refresh()  # once per batch: the summary agrees with the count beside the bar

    def refresh(self) -> None:
        """Redraw the summary and the row count."""
        if self._refresh_id is not None:
            self.win.after_cancel(self._refresh_id)
            self._refresh_id = None
        if self.summary is not None and self.win.scan is not None:
            self.win.summary.show(self.summary, self.win.scan.card)
        self.win.filter_bar.show_count(len(self.win.table.shown_rows()), self.win.table.total)

    def finished(self, ok: bool, error: BaseException | None, cancelled: bool) -> None:
        """The scan ended, was cancelled, or could not run."""
        win = self.win
        self.refresh()
        if self.summary is not None:
            self.summary.finish()
            text = finished_text(self.summary, cancelled, self.total)
            win.progress.finish(text, self.summary.total, self.total)
        else:
            win.progress.finish("Not started.", 0, None)
        if error is not None:
            started = self.summary is not None
            self.show_error(error, "The scan stopped: " if started else "The scan did not start: ")
        elif cancelled:
            win.show_message("The results so far are kept: Resume continues where the scan "
                             "stopped, without analysing finished files again.", "info")
        win.update_actions()

    def unfinished_answer(self, unfinished: bool) -> None:
        """Whether Resume would continue an earlier run (said while idle only)."""
        if self.win.job.running:
            return
        if unfinished:
            self.win.show_message(RESUME_HINT, "info")
        elif str(self.win.message.cget("text")) == RESUME_HINT:
            self.win.show_message("")

    def show_error(self, error: BaseException, context: str) -> None:
        """A user error as its message; anything else logged and reported as internal."""
        if isinstance(error, UserError):
            self.win.show_message(f"{context}{error}", "danger")
        else:
            self.win.show_message(f"{context}internal error (details in the log).", "danger")
            self.win.window.errors.report(error, context="in the folder scan")


class ExportActions(ttk.Frame):
    """Export buttons for the shown scan; the file is written in a worker.

    ``ask_save_path(description, suffix, initial_name)`` asks where to save;
    tests replace it to skip the dialog.
    """

    def __init__(self, win: BatchScanWindow) -> None:
        super().__init__(win, padding=(px(10), px(6)))
        self.win = win
        self.ask_save_path: Callable[[str, str, str], str] = self._ask_save_path
        self.last_saved: Path | None = None
        self.exporting = False
        ttk.Label(self, text="Export results:").pack(side="left", padx=(0, px(8)))
        self.buttons: dict[str, ttk.Button] = {}
        for kind, (label, _, _) in EXPORT_KINDS.items():
            button = ttk.Button(self, text=label, bootstyle="secondary",
                                command=lambda k=kind: self.export(k))
            button.pack(side="left", padx=(0, px(6)))
            self.buttons[kind] = button

    def set_enabled(self, enabled: bool) -> None:
        """Exports need a scan that is not running."""
        for button in self.buttons.values():
            button.configure(state="normal" if enabled and not self.exporting else "disabled")

    def export(self, kind: str, path: str | None = None) -> bool:
        """Write the scan as ``kind`` ("csv", "jsonl", "pdf"); False when nothing started."""
        scan = self.win.scan
        if scan is None or self.exporting:
            return False
        _, description, suffix = EXPORT_KINDS[kind]
        path = path or self.ask_save_path(description, suffix,
                                          f"{Path(scan.folder).name}-scan{suffix}")
        if not path:
            return False
        self.exporting = True
        self.set_enabled(False)
        self.win.show_message(f"Writing {Path(path).name}…")
        self.win.runner.run_in_thread(lambda: EXPORTERS[kind](scan, path), self._written,
                                      name=f"batch-export-{kind}")
        return True

    def _written(self, outcome: Outcome[Path]) -> None:
        self.exporting = False
        self.win.update_actions()
        if outcome.ok and outcome.value is not None:
            self.last_saved = outcome.value
            self.win.show_message(f"Saved {outcome.value}", "success")
        elif outcome.error is not None:
            self.win.view.show_error(outcome.error, "Export failed: ")

    def _ask_save_path(self, description: str, suffix: str, initial_name: str) -> str:
        scan = self.win.scan
        chosen = filedialog.asksaveasfilename(
            parent=self.win, title=f"Export {description}", defaultextension=suffix,
            initialfile=initial_name, initialdir=scan.folder if scan else None,
            filetypes=[(description, f"*{suffix}"), ("All files", "*")])
        return str(chosen) if chosen else ""
