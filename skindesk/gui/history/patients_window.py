"""The Patients window: find a patient, see their record, create, edit, delete, export.

Left, the search (:class:`PatientSearch`: identifier, name or date of birth,
as the user types); right, the chosen patient's record (:class:`PatientView`).
"""

from __future__ import annotations

import re
import tkinter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from tkinter import filedialog
from typing import Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.history.access import HistoryAccess
from skindesk.gui.history.delete_dialog import DeletePatientDialog
from skindesk.gui.history.patient_dialog import PatientDialog
from skindesk.gui.history.patient_report import PatientReportExport
from skindesk.gui.history.patient_search import PatientSearch
from skindesk.gui.history.patient_view import THUMBNAIL, PatientView
from skindesk.gui.units import px


class PatientsWindow(ttk.Toplevel):
    """The patient list and the chosen patient's record.

    Args:
        master: The main window.
        access: The history.
        class_name: Turns a class id into its name (the current model's card).
        on_open: Reopens an analysis in the main window: ``(patient id, analysis id)``.
        on_followup: Shows a lesion's follow-up (lesion id, the window to place it over).
        on_deleted: Told the internal id of each patient deleted here.
    """

    def __init__(self, master: tkinter.Misc, access: HistoryAccess,
                 class_name: Callable[[str], str], on_open: Callable[[int, int], None],
                 on_followup: Callable[[int, tkinter.Misc], object],
                 on_deleted: Callable[[int], None] | None = None) -> None:
        super().__init__(title="Patients — SkinDesk", master=master.winfo_toplevel(),
                         minsize=(960, 600))
        self.geometry("1360x820")
        self.access, self.class_name, self._on_deleted = access, class_name, on_deleted
        self.dialog: tkinter.Toplevel | None = None  # the open New/Edit/Delete dialog
        self._notice = ""  # shown instead of the patient count after the next search
        self.ask_directory: Callable[..., str] = filedialog.askdirectory
        self.status = ttk.Label(self, padding=(px(10), px(4)), anchor="w")
        self.status.pack(side="bottom", fill="x")
        panes = ttk.Panedwindow(self, orient="horizontal")
        panes.pack(fill="both", expand=True)
        self.view = PatientView(panes, lambda analysis: on_open(self.view.record.patient.id,
                                                                analysis),
                                lambda lesion: on_followup(lesion, self), self._load_thumbnail)
        panes.add(self._list_pane(panes), weight=0)
        panes.add(self.view, weight=1)
        self.report = PatientReportExport(self)
        self.bind("<Escape>", lambda _e: self.destroy())

    def _list_pane(self, master: tkinter.Misc) -> ttk.Frame:
        pane = ttk.Frame(master, padding=(px(10), px(8)))
        ttk.Label(pane, text="Search: identifier, name or date of birth").pack(anchor="w")
        buttons = ttk.Frame(pane)
        buttons.pack(side="bottom", fill="x", pady=(px(6), 0))
        self.search = PatientSearch(pane, self.access, self._patient_selected, height=20,
                                    on_listed=self._listed)
        self.search.pack(fill="both", expand=True, pady=(px(2), 0))
        self.new_button = ttk.Button(buttons, text="New…", bootstyle="primary",
                                     command=self.new_patient)
        self.edit_button = ttk.Button(buttons, text="Edit…", bootstyle="secondary",
                                      command=self.edit_patient)
        self.export_button = ttk.Button(buttons, text="Export…", bootstyle="secondary",
                                        command=self.export_patient)
        self.delete_button = ttk.Button(buttons, text="Delete…", bootstyle="danger-outline",
                                        command=self.delete_patient)
        for button in (self.new_button, self.edit_button, self.export_button):
            button.pack(side="left", padx=(0, px(6)))
        self.delete_button.pack(side="right")
        return pane

    def _listed(self, count: int) -> None:
        if self._notice:  # what was just done matters more than the count
            self.say(self._notice)
            self._notice = ""
            return
        where = "found" if self.search.query.get().strip() else "in the history"
        self.say(f"{count} patient{'s' * (count != 1)} {where}")

    # The chosen patient ----------------------------------------------------------------
    @property
    def selected_patient(self) -> Any:
        """The chosen :class:`~skindesk.core.history.Patient`, or None."""
        return self.search.patient

    @property
    def selected_patient_id(self) -> int | None:
        """The chosen patient's internal id, or None."""
        patient = self.search.patient
        return patient.id if patient is not None else None

    def _patient_selected(self, patient: Any) -> None:
        for button in (self.edit_button, self.export_button, self.delete_button):
            button.configure(state="normal" if patient is not None else "disabled")
        if patient is None:
            self.view.clear("Choose a patient on the left, or create one with New…")
            return
        self.reload_record()

    def reload_record(self) -> None:
        """Read the chosen patient's record again (after a save elsewhere)."""
        patient_id = self.selected_patient_id
        if patient_id is None:
            return
        self.access.run(lambda service: service.get_patient_record(patient_id),
                        self._show_record, "Reading the patient's record failed: ",
                        self._show_error)

    def _show_record(self, record: Any) -> None:
        if self.winfo_exists() and record.patient.id == self.selected_patient_id:
            self.view.show(record, self.class_name)

    def _load_thumbnail(self, image_id: int, callback: Callable[[Any], None]) -> None:
        record = self.view.record
        image = next((i for i in record.images if i.id == image_id), None) if record else None
        if image is None:
            return

        def work(service: Any) -> Any:
            from PIL import Image

            with Image.open(service.store.thumbnail(image.sha256, THUMBNAIL)) as picture:
                return picture.convert("RGB")

        self.access.run(work, callback, "Showing the image failed: ", self._show_error)

    # Actions ----------------------------------------------------------------------------
    def new_patient(self) -> PatientDialog:
        """New…: the patient form, empty; the new patient is shown once saved."""
        self.dialog = PatientDialog(self, self.access, self._saved)
        return self.dialog

    def edit_patient(self) -> PatientDialog | None:
        """Edit…: the chosen patient's form."""
        if self.selected_patient is None:
            return None
        self.dialog = PatientDialog(self, self.access, self._saved, self.selected_patient)
        return self.dialog

    def _saved(self, patient: Any) -> None:
        if self.winfo_exists():
            self._notice = f"Saved patient {patient.identifier}."
            self.search.show_saved(patient)

    def delete_patient(self) -> DeletePatientDialog | None:
        """Delete…: asks for the identifier, then deletes everything of the patient."""
        record = self.view.record
        if record is None or record.patient.id != self.selected_patient_id:
            return None
        counts = {"visits": len(record.visits), "lesions": len(record.lesions),
                  "analyses": len(record.analyses), "images": len(record.images)}
        self.dialog = DeletePatientDialog(self, self.access, record.patient, counts,
                                          self._deleted)
        return self.dialog

    def _deleted(self, patient: Any) -> None:
        if self._on_deleted is not None:
            self._on_deleted(patient.id)
        if self.winfo_exists():
            self._notice = f"Deleted patient {patient.identifier} and their images."
            self.search.tree.selection_set(())
            self.search.search()

    def export_patient(self) -> None:
        """Export…: the record (JSON), images and a CSV into a new folder in a chosen one."""
        patient = self.selected_patient
        if patient is None:
            return
        folder = self.ask_directory(parent=self, title="Export the patient's record into…",
                                    mustexist=True)
        if not folder:
            return
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", patient.identifier)[:40] or "patient"
        out = Path(folder) / f"skindesk-{safe}-{datetime.now():%Y%m%d-%H%M%S}"
        self.access.run(lambda service: service.export_patient(patient.id, out),
                        lambda path: self.say(f"Exported to {path.parent}"),
                        "Export failed: ", self._show_error)

    def say(self, text: str, error: bool = False) -> None:
        """Show a line in the window's status bar (red for an error)."""
        if self.winfo_exists():
            self.status.configure(text=text, bootstyle="danger" if error else "default")

    def _show_error(self, error: BaseException) -> bool:
        if isinstance(error, UserError) and self.winfo_exists():
            self.say(str(error), error=True)
            return True
        return False  # an internal error: the window's reporter logs it
