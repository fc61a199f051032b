"""File ▸ Scan folder…: analyse a whole folder and browse the results.

::

    ┌ Folder [..........] Browse…  ☐ sub-folders  Only files matching [...]   ┐
    │ ☐ Preprocess as in the Preprocessing tab · Model: …                      │
    │ [Start] [Resume] [Cancel]  ▓▓▓▓░░░░  120 of 1,000 files · 7.9 images/s … │
    │ message line (hints, errors, exports)                                    │
    ├ Filter [....] ☐ Flagged only ☐ Failed only ────────────┬ Summary ────────┤
    │ results table (thumbnails, sortable)                   │ totals, classes │
    │                                                        │ failures        │
    ├ Export: [CSV…] [JSON Lines…] [PDF report…] ────────────┴─────────────────┤
    │ decision-support disclaimer                                              │
    └──────────────────────────────────────────────────────────────────────────┘

The scan runs in a worker (:mod:`.job`); the window only shows what it
posts. Results are journaled by the core as they come, so Cancel (or
closing the window) keeps them and Resume continues.
"""

from __future__ import annotations

import tkinter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ttkbootstrap as ttk

from skindesk.gui.batch.attach import AttachRequest
from skindesk.gui.batch.forms import FilterBar, ScanOptionsForm
from skindesk.gui.batch.job import ScanJob, ScanListener, ScanRequest, ScanStarted
from skindesk.gui.batch.progress import ProgressStrip
from skindesk.gui.batch.results_table import ResultsTable
from skindesk.gui.batch.scan_actions import ExportActions, ScanProgressView
from skindesk.gui.batch.summary_panel import SummaryPanel
from skindesk.gui.statusbar import DisclaimerBar
from skindesk.gui.tasks import TaskRunner
from skindesk.gui.themes import palette
from skindesk.gui.units import px

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow

_CHECK_DELAY_MS = 400  # look for an unfinished earlier run once typing pauses


class BatchScanWindow(ttk.Toplevel):
    """The batch-scan window of ``window`` (its model, settings and image opening)."""

    def __init__(self, window: MainWindow) -> None:
        root = window.root
        super().__init__(title="Scan folder — SkinDesk", master=root, minsize=(900, 560))
        self.window = window
        self.runner = TaskRunner(self)
        self.scan: ScanStarted | None = None  # the scan shown (exports read its journal)
        self._check_id: str | None = None
        scale = float(root.tk.call("tk", "scaling")) / (96 / 72)
        settings = window.settings
        self.options = ScanOptionsForm(self, settings.last_folder, settings.analyse_preprocessed,
                                       f"preset: {settings.preprocessing_preset}"
                                       + (", edited" if settings.preprocessing else ""),
                                       self._options_changed)
        self.options.pack(side="top", fill="x")
        self._build_actions()
        self.disclaimer = DisclaimerBar(self)
        self.disclaimer.pack(side="bottom", fill="x")
        self.exports = ExportActions(self)
        self.exports.pack(side="bottom", fill="x")
        panes = tkinter.PanedWindow(self, orient="horizontal", sashwidth=round(6 * scale),
                                    borderwidth=0, opaqueresize=True)
        self.panes = panes
        panes.pack(side="top", fill="both", expand=True, padx=px(10))
        left = ttk.Frame(panes)
        self.filter_bar = FilterBar(left, self._filter_changed)
        self.filter_bar.pack(side="top", fill="x")
        self.table = ResultsTable(left, self.runner, round(36 * scale), self.open_image)
        self.table.pack(side="top", fill="both", expand=True)
        self.summary = SummaryPanel(panes)
        panes.add(left, minsize=round(480 * scale), stretch="always")
        panes.add(self.summary, minsize=round(260 * scale), width=round(330 * scale),
                  stretch="never")
        self.view = ScanProgressView(self)
        self.job = ScanJob(self.runner, window.model, ScanListener(
            self.view.started, self.view.item, self.view.progress_update, self.view.finished,
            self.summary.show_attached))
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<<ThemeChanged>>", lambda _e: self.apply_palette())
        self.geometry(f"{round(1240 * scale)}x{round(780 * scale)}")
        self.apply_palette()
        self.update_actions()
        self._options_changed()

    def _build_actions(self) -> None:
        row = ttk.Frame(self, padding=(px(10), px(4), px(10), 0))
        row.pack(side="top", fill="x")
        self.start_button = ttk.Button(row, text="Start", bootstyle="primary",
                                       command=lambda: self.start(resume=False))
        self.resume_button = ttk.Button(row, text="Resume", bootstyle="secondary",
                                        command=lambda: self.start(resume=True))
        self.cancel_button = ttk.Button(row, text="Cancel", bootstyle="danger-outline",
                                        command=self.cancel)
        for button in (self.start_button, self.resume_button, self.cancel_button):
            button.pack(side="left", padx=(0, px(6)))
        self.progress = ProgressStrip(row)
        self.progress.pack(side="left", fill="x", expand=True, padx=(px(10), 0))
        self.message = ttk.Label(self, padding=(px(10), px(4)), justify="left")
        self.message.pack(side="top", fill="x")
        model = self.window.model.card
        self.model_label = ttk.Label(row, text=f"Model: {model.name}" if model else "",
                                     bootstyle="secondary")
        self.model_label.pack(side="right")

    # Actions ------------------------------------------------------------------------
    def request(self, resume: bool = False) -> ScanRequest:
        """The scan the options describe (with the main window's model and pipeline)."""
        card, patient = self.window.model.card, self.options.patient.get().strip()
        attach = AttachRequest(patient, self.options.group_by.get(),
                               self.window.history.access.service) if patient else None
        return ScanRequest(self.options.folder.get().strip(), self.options.recursive.get(),
                           self.options.patterns, card.id if card is not None else None,
                           self._pipeline_factory(), resume, attach)

    def start(self, resume: bool = False) -> bool:
        """Start (or with ``resume``, continue) the scan; False when nothing started."""
        request = self.request(resume)
        if not request.folder or self.job.running:
            self.bell()
            return False
        self.window.settings.last_folder = request.folder
        self.view.reset(resume)
        started = self.job.start(request)
        self.update_actions()
        return started

    def cancel(self) -> None:
        """Stop after the current batch; the results so far stay and Resume continues."""
        self.job.cancel()
        self.progress.starting("Cancelling after the current batch…")

    def open_image(self, path: str) -> None:
        """Open ``path`` in the main window's analysis view (a double-click on a row)."""
        self.window.open_paths([path])
        self.window.root.lift()
        self.window.root.focus_force()

    def close(self) -> None:
        """Close the window; a running scan stops and stays resumable."""
        self.job.cancel()
        self.destroy()

    def destroy(self) -> None:
        """Stop the workers, timers and animations before the widgets go."""
        self.runner.close()
        self.progress.stop()
        if self._check_id is not None:
            self.after_cancel(self._check_id)
        super().destroy()

    # State --------------------------------------------------------------------------
    def update_actions(self) -> None:
        """Enable what makes sense: Start/Resume when idle with a folder, Cancel while running."""
        running = self.job.running
        idle = "disabled" if running or not self.options.folder.get().strip() else "normal"
        self.start_button.configure(state=idle)
        self.resume_button.configure(state=idle)
        self.cancel_button.configure(state="normal" if running else "disabled")
        self.options.set_enabled(not running)
        self.exports.set_enabled(self.scan is not None and not running)

    def show_message(self, text: str, kind: str = "default") -> None:
        """A line under the buttons: a hint, an error ('danger') or an export result."""
        self.message.configure(text=text, bootstyle=kind)

    def apply_palette(self) -> None:
        """Colour the parts the theme does not reach."""
        colours = palette(self.window.root.style)  # type: ignore[attr-defined]
        self.table.apply_palette(colours)
        self.panes.configure(background=colours.track)
        self.disclaimer.apply_palette(colours)

    def _filter_changed(self, row_filter: Any) -> None:
        self.table.set_filter(row_filter)
        self.filter_bar.show_count(len(self.table.shown_rows()), self.table.total)

    def _options_changed(self) -> None:
        """Options changed: ask (in a worker, once typing pauses) whether Resume has work."""
        self.update_actions()
        if self._check_id is not None:
            self.after_cancel(self._check_id)
        self._check_id = self.after(_CHECK_DELAY_MS, self._check_unfinished)

    def _check_unfinished(self) -> None:
        self._check_id = None
        request = self.request(resume=True)
        if request.folder and Path(request.folder).is_dir() and not self.job.running:
            self.job.check_unfinished(request, self.view.unfinished_answer)

    def _pipeline_factory(self) -> Any:
        """A worker-side factory for the Preprocessing tab's pipeline (a snapshot of now)."""
        if not self.options.preprocess.get():
            return None
        settings = self.window.settings
        preset, data = settings.preprocessing_preset, dict(settings.preprocessing)

        def build() -> Any:
            from skindesk.gui.pipeline_editor import pipeline_from_settings

            return pipeline_from_settings(preset, data)

        return build
