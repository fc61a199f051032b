"""Which image is current, and what the image list and side forms change on it.

Selecting a row of the image list makes that image current: the viewer,
forms and result show it and the window's document listeners (the tool
tabs) follow. Edits in the patient form and the clinician's assessment are
written onto the current image at once, so each image keeps its own details
while the user switches between them; changing a detail the model uses
marks an existing result as older than the change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skindesk.gui.documents import Assessment, ImageDocument, PatientFields

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow


class DocumentSelection:
    """Keeps ``window.current`` and the screen in step with the user's choice and edits."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def show(self, doc: ImageDocument | None) -> None:
        """Make ``doc`` the current image (None: none) and let the listeners follow."""
        window = self.window
        window.current = doc
        window.view.show(doc)
        window.update_actions()
        for listener in window.document_listeners:
            listener(doc)

    def select(self, doc_id: str | None) -> None:
        """The list's selection changed to ``doc_id`` (None: nothing selected)."""
        self.show(self.window.documents.get(doc_id) if doc_id else None)

    def patient_changed(self, fields: PatientFields) -> None:
        """The patient form now reads ``fields``: store them on the current image."""
        doc = self.window.current
        if doc is not None:
            details_changed = _details(doc.patient) != _details(fields)
            doc.patient = fields
            if doc.result is not None and details_changed:
                self.window.refresh_result()  # it says whether the result predates the change

    def assessment_changed(self, assessment: Assessment) -> None:
        """The assessment form changed: store it, time-stamped, on the current image."""
        if self.window.current is not None:
            self.window.current.assessment = assessment.stamped()


def _details(fields: PatientFields) -> tuple[str, str, str]:
    """The patient details a model may read."""
    return fields.age, fields.sex, fields.site
