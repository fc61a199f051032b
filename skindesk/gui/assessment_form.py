"""The clinician's assessment of a result: agree / disagree / unsure, own diagnosis, note.

Changes are kept at once (no Save button to forget); the form reports each
edit as an :class:`~skindesk.gui.documents.Assessment`.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable, Sequence

import ttkbootstrap as ttk

from skindesk.gui.documents import AGREEMENTS, Assessment
from skindesk.gui.units import px

OTHER = "other"
NOT_GIVEN = "—"


class AssessmentForm(ttk.Labelframe):
    """Radio buttons, a diagnosis box and a note.

    Args:
        master: Parent widget.
        on_change: Called with the new :class:`Assessment` after each edit.
    """

    def __init__(self, master: tkinter.Misc, on_change: Callable[[Assessment], None]) -> None:
        super().__init__(master, text="Your assessment", padding=(px(10), px(6)))
        self._on_change = on_change
        self._quiet = False
        self._choices: dict[str, str] = {}  # shown name -> class id
        self.agreement = tkinter.StringVar(self, "")
        self.diagnosis = tkinter.StringVar(self, NOT_GIVEN)
        self.columnconfigure(1, weight=1)
        radios = ttk.Frame(self)
        for value, label in zip(AGREEMENTS, ("Agree", "Disagree", "Unsure")):
            ttk.Radiobutton(radios, text=label, value=value, variable=self.agreement).pack(
                side="left", padx=(0, px(14)))
        radios.grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, px(4)))
        ttk.Label(self, text="Diagnosis").grid(row=1, column=0, sticky="w", padx=(0, px(8)))
        self.diagnosis_box = ttk.Combobox(self, textvariable=self.diagnosis, state="readonly")
        self.diagnosis_box.grid(row=1, column=1, sticky="ew", pady=px(2))
        ttk.Label(self, text="Note").grid(row=2, column=0, sticky="nw", padx=(0, px(8)),
                                          pady=px(2))
        self.note = ttk.Text(self, height=3, width=30, wrap="word", undo=True)
        self.note.grid(row=2, column=1, sticky="ew", pady=px(2))
        self.agreement.trace_add("write", self._changed)
        self.diagnosis.trace_add("write", self._changed)
        self.note.bind("<<Modified>>", self._note_modified)

    def set_classes(self, classes: Sequence[tuple[str, str]]) -> None:
        """Offer the model's classes as (id, name) pairs, plus 'Other'."""
        self._choices = {name: cid for cid, name in classes}
        self._choices["Other (not in this model)"] = OTHER
        self.diagnosis_box.configure(values=(NOT_GIVEN, *self._choices))

    def value(self) -> Assessment:
        """The assessment as entered (without a time stamp)."""
        shown = self.diagnosis.get()
        return Assessment(
            agreement=self.agreement.get(),
            diagnosis=self._choices.get(shown, ""),
            note=self.note.get("1.0", "end-1c").strip(),
        )

    def set_value(self, assessment: Assessment) -> None:
        """Show ``assessment`` (without reporting it as an edit)."""
        self._quiet = True
        try:
            self.agreement.set(assessment.agreement)
            names = {cid: name for name, cid in self._choices.items()}
            self.diagnosis.set(names.get(assessment.diagnosis, NOT_GIVEN))
            self.note.delete("1.0", "end")
            self.note.insert("1.0", assessment.note)
            self.note.edit_modified(False)
        finally:
            self._quiet = False

    def choose_diagnosis(self, class_id: str) -> None:
        """Select the diagnosis for a class id (or 'other')."""
        names = {cid: name for name, cid in self._choices.items()}
        self.diagnosis.set(names.get(class_id, NOT_GIVEN))

    def _note_modified(self, _event: tkinter.Event) -> None:
        if self.note.edit_modified():
            self.note.edit_modified(False)
            self._changed()

    def _changed(self, *_args: object) -> None:
        if not self._quiet:
            self._on_change(self.value())
