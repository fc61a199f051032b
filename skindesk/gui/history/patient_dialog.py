"""Creating and editing a patient: a small form whose checks are the history's own.

Nothing is validated twice: the values go to the history service as typed,
and when it refuses them (a duplicate identifier, a date of birth that is
not a date...) its message appears in the dialog, which stays open.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.history.access import HistoryAccess
from skindesk.gui.units import px

SEXES = ("unknown", "female", "male")


class PatientDialog(ttk.Toplevel):
    """New patient (``patient`` None) or Edit patient.

    Args:
        master: The window it belongs to.
        access: The history.
        on_saved: Called with the saved :class:`~skindesk.core.history.Patient`.
        patient: The patient to edit, or None for a new one.
        identifier: A first value for the identifier of a new patient.
    """

    def __init__(self, master: tkinter.Misc, access: HistoryAccess,
                 on_saved: Callable[[Any], None], patient: Any = None,
                 identifier: str = "") -> None:
        parent = master.winfo_toplevel()
        title = "Edit patient" if patient is not None else "New patient"
        super().__init__(title=title, transient=parent, master=parent, resizable=(True, False))
        self.access = access
        self.patient = patient
        self._on_saved = on_saved
        self.saving = False
        body = ttk.Frame(self, padding=(px(16), px(14)))
        body.pack(fill="both", expand=True)
        body.columnconfigure(1, weight=1)
        self.identifier = self._entry(body, 0, "Identifier (MRN) *",
                                      patient.identifier if patient else identifier)
        self.name = self._entry(body, 1, "Name", patient.name if patient else "")
        self.birth_date = self._entry(body, 2, "Date of birth (YYYY-MM-DD)",
                                      patient.birth_date or "" if patient else "")
        self.sex = tkinter.StringVar(self, (patient.sex if patient else None) or "unknown")
        ttk.Label(body, text="Sex").grid(row=3, column=0, sticky="w", pady=px(3))
        self.sex_box = ttk.Combobox(body, textvariable=self.sex, values=SEXES, state="readonly",
                                    width=10)
        self.sex_box.grid(row=3, column=1, sticky="w", pady=px(3))
        ttk.Label(body, text="Notes").grid(row=4, column=0, sticky="nw", pady=px(3))
        self.notes = ttk.Text(body, height=4, width=40, wrap="word", undo=True)
        self.notes.insert("1.0", patient.notes if patient else "")
        self.notes.grid(row=4, column=1, sticky="ew", pady=px(3))
        self.message = ttk.Label(body, bootstyle="danger", wraplength=420, justify="left")
        self.message.grid(row=5, column=0, columnspan=2, sticky="w", pady=(px(6), 0))
        buttons = ttk.Frame(body)
        buttons.grid(row=6, column=0, columnspan=2, sticky="e", pady=(px(10), 0))
        self.save_button = ttk.Button(buttons, text="Save", bootstyle="primary", command=self.save)
        self.save_button.pack(side="right")
        ttk.Button(buttons, text="Cancel", bootstyle="secondary",
                   command=self.destroy).pack(side="right", padx=(0, px(8)))
        self.bind("<Return>", lambda _e: self.save())
        self.bind("<Escape>", lambda _e: self.destroy())
        self.identifier_entry.focus_set()

    def _entry(self, body: ttk.Frame, row: int, label: str, value: str) -> tkinter.StringVar:
        ttk.Label(body, text=label).grid(row=row, column=0, sticky="w", padx=(0, px(10)),
                                         pady=px(3))
        var = tkinter.StringVar(self, value)
        entry = ttk.Entry(body, textvariable=var, width=32)
        entry.grid(row=row, column=1, sticky="ew", pady=px(3))
        if row == 0:
            self.identifier_entry = entry
        return var

    def values(self) -> dict[str, Any]:
        """The form as the history service takes it."""
        sex = self.sex.get()
        return {"identifier": self.identifier.get(), "name": self.name.get().strip(),
                "birth_date": self.birth_date.get().strip() or None,
                "sex": None if sex == "unknown" else sex,
                "notes": self.notes.get("1.0", "end-1c")}

    def save(self) -> None:
        """Save through the history; close when it accepts, else show why not."""
        if self.saving:
            return
        values = self.values()
        if not values["identifier"].strip():
            self._refused(UserError("Enter the patient's identifier (e.g. the record number)."))
            return
        self.saving = True
        self.save_button.configure(state="disabled")
        self.message.configure(text="Saving…", bootstyle="secondary")
        patient_id = self.patient.id if self.patient is not None else None

        def work(service: Any) -> Any:
            if patient_id is None:
                return service.add_patient(**values)
            return service.update_patient(patient_id, **values)

        self.access.run(work, self._saved, "Saving the patient failed: ", self._refused)

    def _saved(self, patient: Any) -> None:
        self._on_saved(patient)
        if self.winfo_exists():
            self.destroy()

    def _refused(self, error: BaseException) -> bool:
        self.saving = False
        if not self.winfo_exists():
            return False
        self.save_button.configure(state="normal")
        if isinstance(error, UserError):
            self.message.configure(text=str(error), bootstyle="danger")
            return True
        self.message.configure(text="")
        return False
