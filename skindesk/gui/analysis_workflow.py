"""The main window's Analyse / Analyse all / Cancel actions and how results reach the screen.

Collects the images and their patient details, starts the
:class:`~skindesk.gui.analysis.AnalysisController` (with the preprocessing
pipeline when "Analyse the preprocessed image" is on) and shows progress,
results and the end of the job in the toolbar, list and result tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skindesk.core.errors import UserError
from skindesk.gui.analysis import AnalysisController, AnalysisItem, AnalysisListener
from skindesk.gui.documents import ImageDocument, PatientFields
from skindesk.gui.patient_form import to_metadata

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow


class AnalysisWorkflow:
    """Runs analyses for the window ``window``."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.controller = AnalysisController(window.runner, window.model, AnalysisListener(
            self._result, self._progress, self._finished))
        self._submitted: dict[str, PatientFields] = {}  # patient details sent per document

    def analyse(self, docs: list[ImageDocument]) -> bool:
        """Analyse ``docs``; False when nothing was started."""
        window = self.window
        if self.controller.running:
            window.ui.status.set_message("An analysis is already running.")
            window.root.bell()
            return False
        items = []
        for doc in docs:
            try:
                items.append(AnalysisItem(doc.id, doc.path, to_metadata(doc.patient)))
            except UserError as error:
                window.errors.report(error, context=f"{doc.name}: ")
                return False
        started = self.controller.start(items, self._preprocessing())
        self._submitted = {doc.id: doc.patient for doc in docs}
        if started:
            waiting = window.model.status.state != "ready"
            window.ui.toolbar.show_progress("Waiting for the model…" if waiting else "Analysing…")
            for doc in docs:
                window.ui.filmstrip.set_status(doc.id, "Analysing…", "busy")
            window.refresh_result()
            window.update_actions()
        return started

    def cancel(self) -> None:
        """Stop the running analysis after its current batch."""
        self.controller.cancel()
        self.window.ui.toolbar.show_progress("Cancelling…")

    def _preprocessing(self) -> Any:
        """A worker-side factory for the chosen pipeline (a snapshot of the settings now)."""
        settings = self.window.settings
        if not settings.analyse_preprocessed:
            return None
        preset, data = settings.preprocessing_preset, dict(settings.preprocessing)

        def build() -> Any:
            from skindesk.gui.pipeline_editor import pipeline_from_settings

            return pipeline_from_settings(preset, data)

        return build

    def _progress(self, done: int, total: int) -> None:
        if done or self.window.model.status.state == "ready":
            self.window.ui.toolbar.show_progress(
                f"Analysing {min(done + 1, total)} of {total}…", done, total)

    def _result(self, doc_id: str, result: Any) -> None:
        window = self.window
        doc = window.documents.get(doc_id)
        if doc is None:
            return  # closed while it was analysed
        doc.result = result
        doc.analysed_patient = self._submitted.pop(doc_id, doc.patient)
        window.view.show_list_status(doc)
        if doc is window.current:
            window.refresh_result()

    def _finished(self, ok: bool, error: BaseException | None, cancelled: bool) -> None:
        window = self.window
        window.ui.toolbar.hide_progress()
        for doc in window.documents.values():
            if doc.analysable:
                window.view.show_list_status(doc)
        if error is not None:
            window.errors.report(error, context="Analysis failed: ")
        window.ui.status.set_message("Analysis cancelled." if cancelled else
                                     "Analysis finished." if ok else "Analysis failed.")
        window.refresh_result()
        window.update_actions()
