"""Save to patient…: the current analysis into a patient's visit and lesion.

Two clicks in the usual case: the patient is found from the identifier in
the main window's patient form, the visit is today's (created when there is
none), the lesion is a new label with the form's site, or one of the
patient's lesions picked from the list. The image, the result (with its
preprocessing and model inputs), optional lesion measurements and the
clinician's assessment are saved in one go by the history service.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.history import save_work
from skindesk.gui.history.access import HistoryAccess
from skindesk.gui.history.patient_search import PatientSearch
from skindesk.gui.history.timeline import when_text
from skindesk.gui.patient_form import UNKNOWN, site_choices
from skindesk.gui.units import px

TODAY = "Today's visit (created if there is none)"


class SaveToPatientDialog(ttk.Toplevel):
    """Pick patient, visit and lesion; save.

    Args:
        master: The main window.
        access: The history.
        request: What to save (image, result, assessment, form values).
        measure: Measures the lesion in a worker, or None when the service cannot.
        on_saved: Called with the :class:`save_work.Saved` outcome.
    """

    def __init__(self, master: tkinter.Misc, access: HistoryAccess,
                 request: save_work.SaveRequest, measure: save_work.Measure | None,
                 on_saved: Callable[[save_work.Saved], None]) -> None:
        super().__init__(title="Save to patient — SkinDesk", master=master.winfo_toplevel(),
                         transient=master.winfo_toplevel(), resizable=(True, False))
        self.access, self.request, self._measure, self._on_saved = access, request, measure, on_saved
        self.record: Any = None
        self.saving = False
        body = ttk.Frame(self, padding=(px(16), px(12)))
        body.pack(fill="both", expand=True)
        body.columnconfigure(1, weight=1)
        ttk.Label(body, text=request.summary, wraplength=480, justify="left",
                  font="TkHeadingFont").grid(row=0, column=0, columnspan=2, sticky="w")
        self._label(body, 1, "Patient")
        self.picker = PatientSearch(body, access, self._patient_changed, request.identifier,
                                    height=4, new_button=True)
        self.picker.grid(row=1, column=1, sticky="ew", pady=px(3))
        self._label(body, 2, "Visit")
        self.visit = tkinter.StringVar(self, TODAY)
        self.visit_box = ttk.Combobox(body, textvariable=self.visit, state="readonly",
                                      values=(TODAY,))
        self.visit_box.grid(row=2, column=1, sticky="ew", pady=px(3))
        self._label(body, 3, "Lesion")
        self.lesion = tkinter.StringVar(self, "L1")
        self.lesion_box = ttk.Combobox(body, textvariable=self.lesion)
        self.lesion_box.grid(row=3, column=1, sticky="ew", pady=px(3))
        self._label(body, 4, "Site (new lesion)")
        self.site = tkinter.StringVar(self, request.site or UNKNOWN)
        self.site_box = ttk.Combobox(body, textvariable=self.site, state="readonly",
                                     values=site_choices(), height=12)
        self.site_box.grid(row=4, column=1, sticky="w", pady=px(3))
        self._measure_row(body, 5)
        self.message = ttk.Label(body, bootstyle="danger", wraplength=480, justify="left")
        self.message.grid(row=6, column=0, columnspan=2, sticky="w", pady=(px(6), 0))
        buttons = ttk.Frame(body)
        buttons.grid(row=7, column=0, columnspan=2, sticky="e", pady=(px(10), 0))
        self.save_button = ttk.Button(buttons, text="Save", bootstyle="primary",
                                      command=self.save, state="disabled")
        self.save_button.pack(side="right")
        ttk.Button(buttons, text="Cancel", bootstyle="secondary",
                   command=self.destroy).pack(side="right", padx=(0, px(8)))
        self.bind("<Escape>", lambda _e: self.destroy())

    def _label(self, body: ttk.Frame, row: int, text: str) -> None:
        ttk.Label(body, text=text).grid(row=row, column=0, sticky="nw", padx=(0, px(10)),
                                        pady=px(6))

    def _measure_row(self, body: ttk.Frame, row: int) -> None:
        self.measure = tkinter.BooleanVar(self, self._measure is not None)
        self.spacing = tkinter.StringVar(self, "")
        frame = ttk.Frame(body)
        frame.grid(row=row, column=1, sticky="w", pady=px(3))
        ttk.Checkbutton(frame, text="Measure the lesion (outline, size, colours)",
                        variable=self.measure,
                        state="normal" if self._measure else "disabled").pack(side="left")
        ttk.Label(frame, text="mm per pixel").pack(side="left", padx=(px(12), px(4)))
        ttk.Entry(frame, textvariable=self.spacing, width=8).pack(side="left")

    # The patient's visits and lesions ------------------------------------------------
    def _patient_changed(self, patient: Any) -> None:
        self.record = None
        self.save_button.configure(state="disabled")
        if patient is None:
            self.message.configure(text="Choose a patient, or create one with New patient…",
                                   bootstyle="secondary")
            return
        self.message.configure(text="")
        self.access.run(lambda service: service.get_patient_record(patient.id),
                        self._record_loaded, "Reading the patient's record failed: ")

    def _record_loaded(self, record: Any) -> None:
        chosen = self.picker.patient
        if not self.winfo_exists() or chosen is None or record.patient.id != chosen.id:
            return
        self.record = record
        visits = sorted(record.visits, key=lambda v: v.visit_at, reverse=True)
        self.visit_box.configure(values=(TODAY, *(_visit_label(v) for v in visits)))
        self.visit.set(TODAY)
        lesions = sorted(record.lesions, key=lambda item: item.label)
        self.lesion_box.configure(values=[_lesion_label(item) for item in lesions])
        self.lesion.set(save_work.next_label(record.lesions))
        self.save_button.configure(state="normal")

    def choose_lesion(self, label: str) -> None:
        """Pick one of the patient's lesions by its label (e.g. 'L1')."""
        lesion = next(item for item in self.record.lesions if item.label == label)
        self.lesion.set(_lesion_label(lesion))

    # Saving --------------------------------------------------------------------------------
    def choice(self) -> save_work.SaveChoice:
        """Patient, visit, lesion and measuring as chosen (raises UserError when invalid)."""
        if self.record is None:
            raise UserError("Choose a patient first.")
        visits = {_visit_label(v): v.id for v in self.record.visits}
        lesions = {_lesion_label(item): item.label for item in self.record.lesions}
        typed = self.lesion.get().strip()
        site = self.site.get()
        return save_work.SaveChoice(
            patient_id=self.record.patient.id, identifier=self.record.patient.identifier,
            visit_id=visits.get(self.visit.get()), lesion_label=lesions.get(typed, typed),
            site=None if site == UNKNOWN else site, measure=bool(self.measure.get()),
            pixel_spacing=save_work.parse_spacing(self.spacing.get()))

    def save(self) -> None:
        """Save the analysis with the choices made."""
        if self.saving:
            return
        try:
            choice = self.choice()
        except UserError as error:
            self.message.configure(text=str(error), bootstyle="danger")
            return
        self.saving = True
        self.save_button.configure(state="disabled")
        self.message.configure(text="Saving…", bootstyle="secondary")
        request, measure = self.request, self._measure if choice.measure else None
        self.access.run(lambda service: save_work.save(service, request, choice, measure),
                        self._saved, "Saving to the patient's record failed: ", self._refused)

    def _saved(self, saved: save_work.Saved) -> None:
        self._on_saved(saved)
        if self.winfo_exists():
            self.destroy()

    def _refused(self, error: BaseException) -> bool:
        self.saving = False
        if not self.winfo_exists():
            return False
        self.save_button.configure(state="normal")
        self.message.configure(text=str(error) if isinstance(error, UserError) else "")
        return isinstance(error, UserError)


def _visit_label(visit: Any) -> str:
    extra = " · ".join(x for x in (visit.clinician, visit.reason) if x)
    return f"{when_text(visit.visit_at)}" + (f" · {extra}" if extra else "") + f"  [#{visit.id}]"


def _lesion_label(lesion: Any) -> str:
    return f"{lesion.label} · {lesion.site or 'site unknown'}"
