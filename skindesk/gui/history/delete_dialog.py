"""Deleting a patient: confirmed by typing their identifier.

Deletion removes every visit, lesion, analysis and stored image of the
patient and cannot be undone, so a click is not enough: the Delete button
only works once the identifier is typed exactly.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.history.access import HistoryAccess
from skindesk.gui.units import px

SINGULAR = {"visits": "visit", "lesions": "lesion", "analyses": "analysis", "images": "image"}


class DeletePatientDialog(ttk.Toplevel):
    """Asks for the patient's identifier, then deletes them through the history.

    Args:
        master: The window it belongs to.
        access: The history.
        patient: The patient to delete.
        counts: What will go, e.g. {"analyses": 3, "images": 2}.
        on_deleted: Called with the patient once they are deleted.
    """

    def __init__(self, master: tkinter.Misc, access: HistoryAccess, patient: Any,
                 counts: dict[str, int], on_deleted: Callable[[Any], None]) -> None:
        parent = master.winfo_toplevel()
        super().__init__(title="Delete patient", transient=parent, master=parent,
                         resizable=(False, False))
        self.access, self.patient, self._on_deleted = access, patient, on_deleted
        body = ttk.Frame(self, padding=(px(16), px(14)))
        body.pack(fill="both", expand=True)
        what = ", ".join(f"{n} {SINGULAR.get(name, name) if n == 1 else name}"
                         for name, n in counts.items())
        ttk.Label(body, wraplength=440, justify="left", text=(
            f"Delete {patient.name or 'this patient'} ({patient.identifier}) with all their "
            f"data ({what})? Their images are removed from SkinDesk's store. "
            "This cannot be undone.")).pack(anchor="w")
        ttk.Label(body, text="Type the identifier to confirm:").pack(anchor="w", pady=(px(10), 0))
        self.typed = tkinter.StringVar(self)
        self.entry = ttk.Entry(body, textvariable=self.typed, width=30)
        self.entry.pack(anchor="w", fill="x", pady=px(4))
        self.message = ttk.Label(body, bootstyle="danger", wraplength=440)
        self.message.pack(anchor="w")
        buttons = ttk.Frame(body)
        buttons.pack(anchor="e", pady=(px(10), 0))
        self.delete_button = ttk.Button(buttons, text="Delete", bootstyle="danger",
                                        command=self.confirm, state="disabled")
        self.delete_button.pack(side="right")
        ttk.Button(buttons, text="Cancel", bootstyle="secondary",
                   command=self.destroy).pack(side="right", padx=(0, px(8)))
        self.typed.trace_add("write", lambda *_a: self._typed())
        self.bind("<Escape>", lambda _e: self.destroy())
        self.entry.focus_set()

    @property
    def confirmed(self) -> bool:
        """True when the identifier was typed exactly."""
        return self.typed.get() == self.patient.identifier

    def _typed(self) -> None:
        self.delete_button.configure(state="normal" if self.confirmed else "disabled")
        self.message.configure(text="")

    def confirm(self) -> None:
        """Delete (only when the identifier was typed)."""
        if not self.confirmed:
            self.message.configure(text="The identifier does not match; nothing was deleted.")
            return
        self.delete_button.configure(state="disabled")
        self.message.configure(text="Deleting…", bootstyle="secondary")
        patient = self.patient
        self.access.run(lambda service: service.delete_patient(patient.id), self._deleted,
                        "Deleting the patient failed: ", self._failed)

    def _deleted(self, _value: Any) -> None:
        self._on_deleted(self.patient)
        if self.winfo_exists():
            self.destroy()

    def _failed(self, _error: BaseException) -> bool:
        if self.winfo_exists():
            self.message.configure(text="")
            self.delete_button.configure(state="normal" if self.confirmed else "disabled")
        return False  # the window's reporter shows it
