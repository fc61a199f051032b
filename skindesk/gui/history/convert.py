"""Between the main window's records and the history's (no Tk).

The main window speaks :class:`~skindesk.gui.documents.PatientFields`,
:class:`~skindesk.gui.documents.Assessment` and ``FileResult``; the history
speaks :class:`~skindesk.core.history.Analysis` and its assessments
(:mod:`.stored` rebuilds a stored analysis's result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skindesk.gui.documents import Assessment, PatientFields


@dataclass(frozen=True)
class SavedRef:
    """Where an open image's current result is stored in the history.

    Attributes:
        patient_id, identifier: The patient (internal id, clinic identifier).
        analysis_id: The stored analysis.
        result: The result object it was saved from or rebuilt as; a new
            analysis of the image replaces it, which makes the reference stale.
    """

    patient_id: int
    identifier: str
    analysis_id: int
    result: Any


def age_text(age: float | None) -> str:
    """63.0 -> '63'; 63.5 -> '63.5'; None -> '' (as the patient form shows it)."""
    if age is None:
        return ""
    return f"{age:g}"


def fields_from_metadata(identifier: str, metadata: dict[str, Any] | None) -> PatientFields:
    """The patient form as it was when the stored analysis ran."""
    meta = metadata or {}
    return PatientFields(identifier=identifier, age=age_text(meta.get("age")),
                         sex=meta.get("sex") or "", site=meta.get("site") or "")


def gui_assessment(stored: Any, class_ids: set[str]) -> Assessment:
    """The main window's assessment from a stored one (None: not assessed).

    A diagnosis typed elsewhere (e.g. on the command line) that is not one of
    the model's class ids shows as 'other'; its text stays in the history.
    """
    if stored is None:
        return Assessment()
    diagnosis = stored.diagnosis
    if diagnosis and diagnosis not in class_ids and diagnosis != "other":
        diagnosis = "other"
    return Assessment(agreement=stored.verdict or "", diagnosis=diagnosis, note=stored.note,
                      updated_at=stored.updated_at)


def assessment_values(assessment: Assessment, previous: Any = None) -> dict[str, Any]:
    """Arguments of ``HistoryService.set_assessment`` for the main window's assessment.

    The history keeps more than the form shows (histopathology, a free-text
    diagnosis), so what the form cannot express is carried over from
    ``previous``, the stored assessment, rather than erased.
    """
    diagnosis = assessment.diagnosis
    if previous is not None and diagnosis == "other" and previous.diagnosis:
        diagnosis = previous.diagnosis
    return {
        "verdict": assessment.agreement or None,
        "diagnosis": diagnosis,
        "note": assessment.note,
        "histopathology": previous.histopathology if previous is not None else "",
        "histopathology_date": previous.histopathology_date if previous is not None else None,
    }
