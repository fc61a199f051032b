"""Showing one image document across the viewer, the list, the result tab and the status bar."""

from __future__ import annotations

from typing import Any

from skindesk.core.card_text import metadata_fields
from skindesk.gui import presenters
from skindesk.gui.analysis import AnalysisController
from skindesk.gui.backend import ModelLoader
from skindesk.gui.documents import ImageDocument, PatientFields
from skindesk.gui.layout import MainLayout

EMPTY_HINT = "Open an image to begin: File ▸ Open (Ctrl+O), or drag image files here."
NOT_ANALYSED = ("Not analysed yet. Fill in the patient details you know, "
                "then press Analyse (Ctrl+Enter).")
STALE = "\nPatient details changed since: analyse again to update."


class DocumentView:
    """Puts a document's state on screen; it never changes the document."""

    def __init__(self, ui: MainLayout, model: ModelLoader, analysis: AnalysisController) -> None:
        self.ui = ui
        self.model = model
        self.analysis = analysis

    def show(self, doc: ImageDocument | None) -> None:
        """The picture (or why there is none), its patient details and its result."""
        view, status = self.ui.image_view, self.ui.status
        if doc is None:
            view.set_image(None, EMPTY_HINT)
            status.set_zoom(None)
            status.set_image_info("")
        elif doc.image is not None:
            view.set_image(doc.image)
            status.set_image_info(
                f"{doc.name} · {doc.image.width}×{doc.image.height} {doc.image.format}")
        elif doc.load_error:
            view.show_message(f"Cannot open {doc.name}\n\n{doc.load_error}", error=True)
            status.set_image_info(doc.name)
        else:
            view.set_image(None, f"Loading {doc.name}…")
        if doc is not None:
            self.ui.patient_form.set_values(doc.patient)
        self.show_result(doc)

    def show_result(self, doc: ImageDocument | None) -> None:
        """The result tab for ``doc``: its result, or why there is none."""
        panel = self.ui.result_panel
        if doc is None:
            panel.show_message(EMPTY_HINT)
        elif doc.load_error:
            panel.show_message(f"This file cannot be analysed: {doc.load_error}", error=True)
        elif doc.id in self.analysis.pending:
            panel.show_message("Analysing…")
        elif doc.result is None:
            panel.show_message("Loading image…" if doc.loading else NOT_ANALYSED)
        elif doc.prediction is None:
            panel.show_message(f"Analysis failed: {doc.result.error}", error=True)
        elif self.model.card is None and getattr(doc.result, "card", None) is None:
            panel.show_message("Reading the model card…")
        else:
            # A result reopened from the history carries its own model's card.
            card = getattr(doc.result, "card", None) or self.model.card
            summary = presenters.summarise(doc.prediction, card, doc.result.warnings)
            sent = doc.analysed_patient or doc.patient
            context = presenters.patient_line(sent, card)
            if model_inputs(sent, card) != model_inputs(doc.patient, card):
                context += STALE
            context += "\n" + presenters.preprocessing_line(
                getattr(doc.result, "preprocessing", None))
            if getattr(doc.result, "origin", ""):
                context += "\n" + doc.result.origin
            panel.show_result(summary, context, doc.assessment)

    def show_list_status(self, doc: ImageDocument) -> None:
        """The second line of ``doc`` in the image list."""
        strip = self.ui.filmstrip
        if doc.load_error:
            strip.set_status(doc.id, "Cannot be opened", "error")
            strip.mark_unreadable(doc.id)
        elif doc.prediction is not None:
            card = self.model.card
            name = card.class_name(doc.prediction.top_class) if card else ""
            flagged = doc.prediction.flagged
            text = f"{'⚑ Flagged' if flagged else 'Not flagged'} · {name}"
            strip.set_status(doc.id, text, "flagged" if flagged else "normal")
        elif doc.result is not None:
            strip.set_status(doc.id, "Analysis failed", "error")
        elif doc.loading:
            strip.set_status(doc.id, "Loading…", "busy")
        else:
            strip.set_status(doc.id, "Not analysed", "normal")


def model_inputs(fields: PatientFields, card: Any) -> tuple[str, ...]:
    """The patient details ``card``'s model reads (none for an image-only model)."""
    return tuple(getattr(fields, name) for name in metadata_fields(card))
