"""The patient form: identifier, age, sex, anatomical site and the clinical question.

Age, sex and site go to the model (many models use them); the identifier
and question are kept with the result for the clinician (and, later, the
patient history). Everything may stay empty: unknown is a valid answer.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import TYPE_CHECKING

import ttkbootstrap as ttk

from skindesk.gui.documents import PatientFields
from skindesk.gui.units import px

if TYPE_CHECKING:
    from skindesk.core.metadata import PatientMetadata

UNKNOWN = "unknown"
SEX_CHOICES = (UNKNOWN, "female", "male")


def site_choices() -> tuple[str, ...]:
    """'unknown' and the engine's anatomical sites (imported on first use)."""
    from skindesk.core.metadata import SITES

    return (UNKNOWN, *SITES)


class PatientForm(ttk.Labelframe):
    """Entry fields for the patient context of the current image.

    Args:
        master: Parent widget.
        on_change: Called with the new :class:`PatientFields` after each edit.
    """

    def __init__(self, master: tkinter.Misc, on_change: Callable[[PatientFields], None]) -> None:
        super().__init__(master, text="Patient", padding=(px(10), px(6)))
        self._on_change = on_change
        self._quiet = False
        self.identifier = tkinter.StringVar(self)
        self.age = tkinter.StringVar(self)
        self.sex = tkinter.StringVar(self, UNKNOWN)
        self.site = tkinter.StringVar(self, UNKNOWN)
        self.question = tkinter.StringVar(self)
        self.columnconfigure(1, weight=1)
        self.identifier_entry = self._row(0, "Patient ID",
                                          ttk.Entry(self, textvariable=self.identifier, width=12))
        self.age_entry = ttk.Spinbox(self, from_=0, to=120, width=6, textvariable=self.age)
        self._row(1, "Age (years)", self.age_entry, sticky="w")
        self.sex_box = ttk.Combobox(self, textvariable=self.sex, values=SEX_CHOICES,
                                    state="readonly", width=10)
        self._row(2, "Sex", self.sex_box)
        self.site_box = ttk.Combobox(self, textvariable=self.site, state="readonly", width=10,
                                     values=(UNKNOWN,), postcommand=self._fill_sites, height=12)
        self._row(3, "Site", self.site_box)
        self.question_entry = self._row(4, "Question",
                                        ttk.Entry(self, textvariable=self.question, width=12))
        for var in (self.identifier, self.age, self.sex, self.site, self.question):
            var.trace_add("write", self._changed)

    def _row(self, row: int, label: str, widget: tkinter.Widget, sticky: str = "ew"
             ) -> tkinter.Widget:
        ttk.Label(self, text=label).grid(row=row, column=0, sticky="w", padx=(0, px(8)),
                                         pady=px(2))
        widget.grid(row=row, column=1, sticky=sticky, pady=px(2))
        return widget

    def _fill_sites(self) -> None:
        if len(self.site_box.cget("values")) <= 1:
            self.site_box.configure(values=site_choices())

    def _changed(self, *_args: object) -> None:
        if not self._quiet:
            self._on_change(self.values())

    def values(self) -> PatientFields:
        """The form's current content."""
        return PatientFields(
            identifier=self.identifier.get().strip(),
            age=self.age.get().strip(),
            sex="" if self.sex.get() == UNKNOWN else self.sex.get(),
            site="" if self.site.get() == UNKNOWN else self.site.get(),
            question=self.question.get().strip(),
        )

    def set_values(self, fields: PatientFields) -> None:
        """Show ``fields`` (without reporting them as an edit)."""
        self._quiet = True
        try:
            self.identifier.set(fields.identifier)
            self.age.set(fields.age)
            self.sex.set(fields.sex or UNKNOWN)
            self.site.set(fields.site or UNKNOWN)
            self.question.set(fields.question)
        finally:
            self._quiet = False


def to_metadata(fields: PatientFields) -> PatientMetadata:
    """The model's metadata from the form's text.

    Raises:
        SettingsError: e.g. an age that is not a number of years (a UserError).
    """
    from skindesk.core.metadata import PatientMetadata

    return PatientMetadata.create(age=fields.age or None, sex=fields.sex or None,
                                  site=fields.site or None)
