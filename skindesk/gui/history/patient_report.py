"""Export PDF report… in the Patients window: the patient's record, or one visit's.

With a visit row selected in the timeline the report covers that visit
(follow-up up to it); otherwise the whole record. The core's
:func:`~skindesk.core.reports.patient.write_patient_report` builds the PDF
in a worker (the window's history access runs it on its TaskRunner), never
on the Tk thread; problems are shown as a plain line in the status bar.
"""

from __future__ import annotations

import re
from pathlib import Path
from tkinter import filedialog
from typing import TYPE_CHECKING, Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.units import px

if TYPE_CHECKING:
    from skindesk.gui.history.patients_window import PatientsWindow


def write_report(service: Any, path: str | Path, identifier: str, visit_id: int | None) -> Path:
    """Write the patient (or visit) PDF at ``path`` (worker thread); returns the path."""
    from skindesk.core.reports.patient import write_patient_report
    from skindesk.gui.report_header import report_settings

    return write_patient_report(path, service, identifier, visit_id, report_settings())


class PatientReportExport:
    """The patient view's "Export PDF report…" button and what it does.

    ``ask_save_path(initial_name)`` asks where to save; tests replace it.
    """

    def __init__(self, window: PatientsWindow) -> None:
        self.window = window
        self.ask_save_path = self._ask_save_path
        self.busy = False
        self.last_saved: Path | None = None
        self.button = ttk.Button(window.view.actions, text="Export PDF report…",
                                 bootstyle="secondary", command=self.export)
        self.button.pack(side="left", pady=(px(6), 0))

    @property
    def selected_visit(self) -> int | None:
        """The visit whose row is selected in the timeline, if any."""
        chosen = self.window.view.tree.selection()
        match = re.fullmatch(r"visit(\d+)", chosen[0]) if chosen else None
        return int(match.group(1)) if match else None

    def export(self, path: str | None = None) -> bool:
        """Write the report of the shown patient (or selected visit); False if not started."""
        window, record = self.window, self.window.view.record
        if record is None:
            window.say("Choose a patient first: the report shows their record.", error=True)
            return False
        if self.busy:
            window.bell()
            return False
        identifier, visit_id = record.patient.identifier, self.selected_visit
        suffix = f"-visit{visit_id}" if visit_id is not None else ""
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", identifier)[:40] or "patient"
        path = path or self.ask_save_path(f"{safe}{suffix}-report.pdf")
        if not path:
            return False
        self.busy = True
        window.say(f"Writing {Path(path).name}…")
        window.access.run(lambda service: write_report(service, path, identifier, visit_id),
                          self._written, "Report not written: ", self._failed)
        return True

    def _written(self, path: Path) -> None:
        self.busy = False
        self.last_saved = path
        self.window.say(f"Report saved: {path}")

    def _failed(self, error: BaseException) -> bool:
        self.busy = False
        if isinstance(error, UserError):
            self.window.say(f"Report not written: {error}", error=True)
            return True
        self.window.say("Report not written: internal error (details in the log).", error=True)
        return False  # the window's error reporter logs it

    def _ask_save_path(self, initial_name: str) -> str:
        chosen = filedialog.asksaveasfilename(
            parent=self.window, title="Export PDF report", defaultextension=".pdf",
            initialfile=initial_name, filetypes=[("PDF report", "*.pdf"), ("All files", "*")])
        return str(chosen) if chosen else ""
