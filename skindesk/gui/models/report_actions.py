"""Open PDF report / Save PDF report…: draw a stored evaluation's PDF off the Tk thread."""

from __future__ import annotations

import os
import subprocess
import sys
import tkinter
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog

from skindesk.core.errors import UserError
from skindesk.core.evaluation.store import StoredEvaluation
from skindesk.gui.models.feedback import MessageLine
from skindesk.gui.models.workbench import ModelWorkbench
from skindesk.gui.tasks import Outcome, TaskRunner


def open_with_system_viewer(path: Path) -> None:
    """Open ``path`` in the desktop's default application (a PDF viewer).

    Raises:
        UserError: No way to open files is known on this system.
    """
    if sys.platform.startswith("win"):
        os.startfile(str(path))  # type: ignore[attr-defined]  # Windows only
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as error:
        raise UserError(f"cannot open {path} ({opener}: {error}); it is saved there") from None


class ReportActions:
    """Writes PDF reports in workers and reports in the dialog's message line.

    Args:
        parent: For the file dialog.
        runner: Where PDFs are drawn.
        workbench: Draws them.
        message: Where success and errors are shown.
        viewer: Opens a written PDF (the desktop's viewer by default; tests record it).
    """

    def __init__(self, parent: tkinter.Misc, runner: TaskRunner, workbench: ModelWorkbench,
                 message: MessageLine, viewer: Callable[[Path], None] | None = None) -> None:
        self._parent, self._runner, self._workbench = parent, runner, workbench
        self._message = message
        self.viewer = viewer or open_with_system_viewer
        self.last_written: Path | None = None

    def open_pdf(self, stored: StoredEvaluation | None) -> None:
        """Draw the report into the cache and open it."""
        if stored is not None:
            self._write(stored, None, then_open=True)

    def save_pdf(self, stored: StoredEvaluation | None) -> None:
        """Ask where, then draw the report there."""
        if stored is None:
            return
        name = f"evaluation-{stored.model_id}-{stored.path.stem}.pdf"
        target = filedialog.asksaveasfilename(parent=self._parent, title="Save PDF report",
                                              initialfile=name, defaultextension=".pdf",
                                              filetypes=[("PDF", "*.pdf")])
        if target:
            self._write(stored, Path(target), then_open=False)

    def _write(self, stored: StoredEvaluation, target: Path | None, then_open: bool) -> None:
        self._message.show("Drawing the PDF report…", "info")

        def done(outcome: Outcome[Path]) -> None:
            if not outcome.ok or outcome.value is None:
                assert outcome.error is not None
                self._message.show_error(outcome.error, "writing the PDF report")
                return
            self.last_written = outcome.value
            if then_open:
                try:
                    self.viewer(outcome.value)
                except Exception as error:  # noqa: BLE001 - shown in the dialog
                    self._message.show_error(error, "opening the PDF report")
                    return
            verb = "Opened" if then_open else "Saved"
            self._message.show(f"{verb} the PDF report: {outcome.value}", "ok")

        self._runner.run_in_thread(lambda: self._workbench.write_pdf(stored, target), done,
                                   "evaluation-pdf")
