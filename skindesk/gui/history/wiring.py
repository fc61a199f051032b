"""The patient history's place in the main window: its actions, buttons and windows.

:func:`install_history` gives the main window a :class:`HistoryActions`:
Patients… (the Patients window), Save to patient… (the save dialog, or, for
a result already in a record, updating its assessment there in one click),
reopening a stored analysis as an image document, and lesion follow-up.
"""

from __future__ import annotations

import tkinter
from typing import TYPE_CHECKING, Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.documents import ImageDocument
from skindesk.gui.history import save_work
from skindesk.gui.history.access import HistoryAccess
from skindesk.gui.history.convert import SavedRef, gui_assessment
from skindesk.gui.history.followup_window import FollowUpWindow
from skindesk.gui.history.patients_window import PatientsWindow
from skindesk.gui.history.reopen import Reopened, load_reopened
from skindesk.gui.history.save_dialog import SaveToPatientDialog
from skindesk.gui.history.timeline import when_text
from skindesk.gui.units import px

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow

NOTHING_TO_SAVE = ("There is no result to save: open an image and analyse it (Ctrl+Enter), "
                   "then save it to the patient's record.")
SAVE_LABEL, SAVE_KEYS = "Save to patient…", "Ctrl+R"
PATIENTS_LABEL, PATIENTS_KEYS = "Patients…", "Ctrl+Shift+R"


def install_history(window: MainWindow) -> HistoryActions:
    """Create the history actions of ``window`` and its Save to patient buttons."""
    return HistoryActions(window)


class HistoryActions:
    """The main window's patient-history actions (menu, shortcuts and buttons call these)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.access = HistoryAccess(window.runner, window.errors)
        self.patients_window: PatientsWindow | None = None
        self.save_dialog: SaveToPatientDialog | None = None
        self.followups: list[FollowUpWindow] = []
        self.saved: dict[str, SavedRef] = {}  # document id -> where its result is stored
        panel_actions = window.ui.result_panel.actions
        self.panel_button = ttk.Button(panel_actions, text=SAVE_LABEL, bootstyle="primary-outline",
                                       command=self.save_current)
        self.panel_button.pack(side="left", padx=(px(6), 0))
        toolbar = window.ui.toolbar
        ttk.Separator(toolbar, orient="vertical").pack(side="left", fill="y", padx=px(10))
        self.toolbar_button = ttk.Button(toolbar, text=SAVE_LABEL, bootstyle="secondary",
                                         command=self.save_current)
        self.toolbar_button.pack(side="left")
        ttk.Button(toolbar, text="Patients…", bootstyle="secondary",
                   command=self.show_patients).pack(side="left", padx=(px(6), 0))
        window.bind("<Destroy>", self._destroyed, add="+")

    def _destroyed(self, event: tkinter.Event) -> None:
        if event.widget is self.window:
            self.access.close()

    # Patients window ---------------------------------------------------------------------
    def show_patients(self) -> PatientsWindow:
        """Patients… (Ctrl+Shift+R): the patient list and records, raised if open."""
        if self.patients_window is not None and self.patients_window.winfo_exists():
            self.patients_window.deiconify()
            self.patients_window.lift()
            return self.patients_window
        self.patients_window = PatientsWindow(self.window, self.access, self._class_name,
                                              self.open_analysis, self.show_followup,
                                              self._patient_deleted)
        return self.patients_window

    def _patient_deleted(self, patient_id: int) -> None:
        # Open images of a deleted patient are no longer in any record: saving one
        # again asks where to, instead of updating an analysis that is gone.
        self.saved = {d: ref for d, ref in self.saved.items() if ref.patient_id != patient_id}

    def show_followup(self, lesion_id: int, over: tkinter.Misc | None = None) -> FollowUpWindow:
        """The follow-up window of one lesion."""
        window = FollowUpWindow(over or self.window, self.access, lesion_id, self.open_analysis)
        self.followups = [w for w in self.followups if w.winfo_exists()] + [window]
        return window

    def _class_name(self, class_id: str) -> str:
        card = self.window.model.card
        return card.class_name(class_id) if card is not None else class_id

    # Saving ---------------------------------------------------------------------------------
    def save_current(self) -> SaveToPatientDialog | None:
        """Save to patient… (Ctrl+R) for the shown image's result.

        A result already in a record (saved or reopened) has its assessment
        updated there; any other result opens the save dialog.
        """
        doc = self.window.current
        if doc is None or doc.prediction is None:
            self.window.errors.report(UserError(NOTHING_TO_SAVE))
            return None
        ref = self.saved.get(doc.id)
        if ref is not None and ref.result is doc.result:
            self._update_assessment(doc, ref)
            return None
        if self.save_dialog is not None and self.save_dialog.winfo_exists():
            self.save_dialog.destroy()
        self.save_dialog = SaveToPatientDialog(self.window, self.access, self._request(doc),
                                               self._measure_function(), self._saved_for(doc))
        return self.save_dialog

    def _request(self, doc: ImageDocument) -> save_work.SaveRequest:
        top = self._class_name(doc.prediction.top_class)
        summary = (f"Save {doc.name} — most likely {top}, P(malignant) "
                   f"{doc.prediction.malignant_probability:.2f} — to a patient's record")
        form = doc.analysed_patient or doc.patient
        return save_work.SaveRequest(doc.path, doc.name, doc.result, doc.assessment,
                                     doc.patient.identifier, form.site, summary)

    def _measure_function(self) -> save_work.Measure | None:
        model = self.window.model
        if model.service is not None and getattr(model.service, "segment", None) is None:
            return None

        def measure(path: str, spacing: float | None) -> dict[str, Any] | None:
            from skindesk.core.imageio import load_image

            segment = getattr(model.wait_for_service(), "segment", None)
            if segment is None:
                return None  # this service cannot outline lesions
            rgb = load_image(path).rgb
            report = segment(rgb) if spacing is None else segment(rgb, spacing)
            return report.get("measurements")  # type: ignore[no-any-return]

        return measure

    def _saved_for(self, doc: ImageDocument) -> Any:
        def saved(outcome: save_work.Saved) -> None:
            self.saved[doc.id] = SavedRef(outcome.patient.id, outcome.patient.identifier,
                                          outcome.analysis.id, outcome.result)
            where = [outcome.patient.identifier, f"visit {when_text(outcome.visit.visit_at)}"]
            if outcome.lesion is not None:
                where.append(f"lesion {outcome.lesion.label}")
            measured = "" if outcome.measured else " (lesion not measured)"
            self.window.ui.status.set_message(f"Saved to {', '.join(where)}{measured}.")
            self._refresh_patients(outcome.patient.id)

        return saved

    def _update_assessment(self, doc: ImageDocument, ref: SavedRef) -> None:
        assessment = doc.assessment
        self.access.run(
            lambda service: save_work.update_assessment(service, ref.patient_id,
                                                        ref.analysis_id, assessment),
            lambda _stored: self._assessment_updated(ref), "Updating the assessment failed: ")

    def _assessment_updated(self, ref: SavedRef) -> None:
        self.window.ui.status.set_message(f"Assessment updated in {ref.identifier}'s record.")
        self._refresh_patients(ref.patient_id)

    def _refresh_patients(self, patient_id: int) -> None:
        pw = self.patients_window
        if pw is not None and pw.winfo_exists() and pw.selected_patient_id == patient_id:
            pw.reload_record()

    # Reopening ------------------------------------------------------------------------------
    def open_analysis(self, patient_id: int, analysis_id: int) -> None:
        """Show a stored analysis in the main window exactly as it was saved."""
        for doc_id, ref in self.saved.items():
            doc = self.window.documents.get(doc_id)
            if doc is not None and ref.analysis_id == analysis_id and ref.result is doc.result:
                self._bring_forward(doc)
                return
        model = self.window.model
        self.access.run(
            lambda service: load_reopened(service, _service_or_none(model), patient_id,
                                          analysis_id),
            self._show_reopened, "Reopening the analysis failed: ")

    def _show_reopened(self, reopened: Reopened) -> None:
        window = self.window
        card = reopened.result.card or window.model.card
        class_ids = {c.id for c in card.classes} if card is not None else set()
        doc = ImageDocument(path=reopened.image_path, patient=reopened.fields,
                            title=reopened.title, result=reopened.result,
                            analysed_patient=reopened.fields,
                            assessment=gui_assessment(reopened.assessment, class_ids))
        window.documents[doc.id] = doc
        window.ui.filmstrip.add(doc.id, doc.name)
        window.opener.decode([(doc.id, doc.path)])
        self.saved[doc.id] = SavedRef(reopened.patient.id, reopened.patient.identifier,
                                      reopened.analysis_id, reopened.result)
        self._bring_forward(doc)

    def _bring_forward(self, doc: ImageDocument) -> None:
        self.window.ui.filmstrip.select(doc.id)
        self.window.update_actions()
        self.window.root.lift()
        self.window.ui.notebook.select(0)  # the Result tab


def _service_or_none(model: Any) -> Any:
    """The analysis service for model cards, or None when it could not start (worker)."""
    try:
        return model.wait_for_service(timeout=30)
    except Exception:  # noqa: BLE001 - a reopened result still shows without its own card
        return None
