"""Reading a stored analysis back for the main window (worker side, no Tk).

The main window then shows it like any result: the image from the managed
store, the stored probabilities, threshold and warnings, the patient details
and preprocessing the model was given, and the clinician's assessment.
Nothing runs the model again; Grad-CAM is computed only when its tab asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skindesk.gui.documents import PatientFields
from skindesk.gui.history.convert import fields_from_metadata
from skindesk.gui.history.timeline import when_text


@dataclass(frozen=True)
class Reopened:
    """A stored analysis ready to open as an image document.

    Attributes:
        patient: The stored patient.
        analysis_id: The analysis.
        image_path: The image's file in the managed store.
        title: The name to list it under (original file name and date).
        fields: The patient form as it was for the analysis.
        result: The rebuilt ``FileResult`` (a ``StoredResult``).
        assessment: The stored assessment, or None.
    """

    patient: Any
    analysis_id: int
    image_path: str
    title: str
    fields: PatientFields
    result: Any
    assessment: Any


def load_reopened(history: Any, models: Any, patient_id: int, analysis_id: int) -> Reopened:
    """Read one stored analysis (worker thread).

    Args:
        history: The history service.
        models: The analysis service, for the analysis's model card; None if unavailable.
        patient_id, analysis_id: What to read.
    """
    from skindesk.gui.history.stored import stored_result

    record = history.get_patient_record(patient_id)
    analysis = next((a for a in record.analyses if a.id == analysis_id), None)
    if analysis is None:
        from skindesk.core.history import NotFoundError

        raise NotFoundError(f"the patient has no analysis with id {analysis_id}")
    image = next(i for i in record.images if i.id == analysis.image_id)
    card, current = _cards(models, analysis.model_id)
    path = str(history.store.path_of(image.store_path))
    origin = _origin(record, analysis, current)
    result = stored_result(analysis, path, origin, card)
    title = f"{image.original_name or image.sha256[:12]} ({when_text(analysis.created_at)[:10]})"
    return Reopened(record.patient, analysis.id, path, title,
                    fields_from_metadata(record.patient.identifier, analysis.metadata),
                    result, record.assessments.get(analysis.id))


def _cards(models: Any, model_id: str) -> tuple[Any, Any]:
    """The analysis's model card (None when not installed) and the current default card."""
    if models is None:
        return None, None
    try:
        current = models.card()
    except Exception:  # noqa: BLE001 - without a card the window's own is used
        current = None
    if current is not None and current.id == model_id:
        return current, current
    try:
        return models.card(model_id), current
    except Exception:  # noqa: BLE001 - a model no longer installed still shows its numbers
        return None, current


def _origin(record: Any, analysis: Any, current_card: Any) -> str:
    """The line under a reopened result saying where it comes from."""
    visits = {v.id: v for v in record.visits}
    lesions = {item.id: item for item in record.lesions}
    saved = when_text(analysis.created_at)
    parts = [f"Reopened from {record.patient.identifier}'s record (saved {saved}; not recomputed)"]
    if analysis.visit_id in visits:
        parts.append(f"visit {when_text(visits[analysis.visit_id].visit_at)}")
    if analysis.lesion_id in lesions:
        parts.append(f"lesion {lesions[analysis.lesion_id].label}")
    lines = [" · ".join(parts)]
    if analysis.metadata is None:
        lines.append("The patient details given to the model were not recorded.")
    if current_card is not None and current_card.id != analysis.model_id:
        lines.append(f"Saved with model {analysis.model_id}; Grad-CAM uses the current model "
                     f"({current_card.id}).")
    return "\n".join(lines)
