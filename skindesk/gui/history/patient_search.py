"""Finding a patient: a search box over the matching patients, and New patient….

Used by the Patients window (a long list with headings) and by the Save to
patient dialog (a short one). The search runs as the user types (after a
short pause, in a worker) on identifier, name and date of birth, every word
having to match with case and accents ignored; only the newest answer is
shown. When it finds one patient, or an exact identifier, that patient is
chosen, so an identifier typed in the main window needs no click.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.history.access import HistoryAccess
from skindesk.gui.history.patient_dialog import PatientDialog
from skindesk.gui.units import px

SEARCH_DELAY_MS = 150  # wait for a pause in typing before asking the database
COLUMNS = (("name", "Name", 130), ("born", "Born", 92), ("sex", "Sex", 62))


class PatientSearch(ttk.Frame):
    """A search box and the patients it finds.

    Args:
        master: Parent widget.
        access: The history.
        on_change: Called with the chosen patient (or None) whenever it changes.
        text: The first search text.
        height: Rows of the list.
        new_button: Put a New patient… button next to the search box.
        on_listed: Called with the number of patients found after each search.
    """

    def __init__(self, master: tkinter.Misc, access: HistoryAccess,
                 on_change: Callable[[Any], None], text: str = "", height: int = 4,
                 new_button: bool = False, on_listed: Callable[[int], None] | None = None) -> None:
        super().__init__(master)
        self.access, self._on_change, self._on_listed = access, on_change, on_listed
        self.patients: dict[str, Any] = {}  # tree item id -> Patient
        self.dialog: PatientDialog | None = None
        self._seq = 0
        self._after: str | None = None
        self._chosen_id: int | None = None
        self.query = tkinter.StringVar(self, text)
        row = ttk.Frame(self)
        row.pack(fill="x")
        self.entry = ttk.Entry(row, textvariable=self.query)
        self.entry.pack(side="left", fill="x", expand=True)
        if new_button:
            ttk.Button(row, text="New patient…", bootstyle="secondary",
                       command=self.new_patient).pack(side="left", padx=(px(6), 0))
        self.tree = self._tree(height)
        self.query.trace_add("write", lambda *_a: self._schedule())
        self.search()

    def _tree(self, height: int) -> ttk.Treeview:
        frame = ttk.Frame(self)
        frame.pack(fill="both", expand=True, pady=(px(4), 0))
        tree = ttk.Treeview(frame, columns=[c[0] for c in COLUMNS], height=height,
                            selectmode="browse")
        tree.heading("#0", text="Identifier", anchor="w")
        tree.column("#0", width=90, stretch=False)
        for name, text, width in COLUMNS:
            tree.heading(name, text=text, anchor="w")
            tree.column(name, width=width, stretch=name == "name")
        scroll = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
        tree.configure(yscrollcommand=scroll.set)
        tree.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        tree.bind("<<TreeviewSelect>>", lambda _e: self._selected())
        return tree

    @property
    def patient(self) -> Any:
        """The chosen :class:`~skindesk.core.history.Patient`, or None."""
        chosen = self.tree.selection()
        return self.patients.get(chosen[0]) if chosen else None

    @property
    def searching(self) -> bool:
        """True while typing has not been searched yet."""
        return self._after is not None

    def _schedule(self) -> None:
        if self._after is not None:
            self.after_cancel(self._after)
        self._after = self.after(SEARCH_DELAY_MS, self.search)

    def search(self, select: int | None = None) -> None:
        """List the patients matching the search text, choosing ``select`` when listed."""
        if self._after is not None:
            self.after_cancel(self._after)
            self._after = None
        self._seq += 1
        seq, text = self._seq, self.query.get().strip()
        self.access.run(lambda service: service.find_patients(text),
                        lambda found: self._show(seq, found, select), "Searching patients failed: ")

    def _show(self, seq: int, found: list[Any], select: int | None) -> None:
        if seq != self._seq or not self.winfo_exists():
            return  # an older search, overtaken by typing
        keep = select if select is not None else self._chosen_id
        self.tree.delete(*self.tree.get_children())
        self.patients = {f"p{p.id}": p for p in found}
        for iid, p in self.patients.items():
            self.tree.insert("", "end", iid=iid, text=p.identifier,
                             values=(p.name, p.birth_date or "", p.sex or ""))
        if keep is not None and self.tree.exists(f"p{keep}"):
            self.tree.selection_set(f"p{keep}")
            self.tree.see(f"p{keep}")
        elif len(found) == 1 or (found and found[0].identifier == self.query.get().strip()):
            self.tree.selection_set(f"p{found[0].id}")  # an exact identifier comes first
        if self._on_listed is not None:
            self._on_listed(len(found))
        self._selected(force=True)

    def _selected(self, force: bool = False) -> None:
        patient = self.patient
        new_id = patient.id if patient is not None else None
        if force or new_id != self._chosen_id:
            self._chosen_id = new_id
            self._on_change(patient)

    def new_patient(self) -> PatientDialog:
        """New patient…: the patient form (the search text as identifier); chosen once saved."""
        self.dialog = PatientDialog(self, self.access, self.show_saved,
                                    identifier=self.query.get().strip())
        return self.dialog

    def show_saved(self, patient: Any) -> None:
        """A patient was created or changed: list and choose them."""
        if self.winfo_exists():
            self.query.set(patient.identifier)
            self.search(select=patient.id)
