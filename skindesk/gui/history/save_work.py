"""What "Save to patient…" saves, and the worker-side saving itself (no Tk).

The dialog collects a :class:`SaveChoice`; :func:`save` then makes or finds
the visit and lesion and hands image, result, measurements and assessment
to the history service, which stores them in one transaction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skindesk.core.errors import UserError
from skindesk.gui.documents import Assessment
from skindesk.gui.history.convert import assessment_values

#: Measures the lesion in an image file: (path, mm per pixel or None) -> measurements or None.
Measure = Callable[[str, "float | None"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class SaveRequest:
    """The analysis to save, as the main window has it.

    Attributes:
        image_path: The analysed file.
        original_name: Its name as the user knows it.
        result: The ``FileResult``.
        assessment: The clinician's assessment so far.
        identifier: The patient identifier typed in the main window's form.
        site: The site chosen in the form ('' for unknown).
        summary: One line describing the analysis, for the dialog's title.
    """

    image_path: str
    original_name: str
    result: Any
    assessment: Assessment
    identifier: str = ""
    site: str = ""
    summary: str = ""


@dataclass(frozen=True)
class SaveChoice:
    """Where to save: patient, visit (None: today's), lesion label ('' for none), measuring."""

    patient_id: int
    identifier: str
    visit_id: int | None
    lesion_label: str
    site: str | None
    measure: bool
    pixel_spacing: float | None


@dataclass(frozen=True)
class Saved:
    """What was saved: the stored patient, visit, lesion and analysis."""

    patient: Any
    visit: Any
    lesion: Any
    analysis: Any
    result: Any
    measured: bool


def parse_spacing(text: str) -> float | None:
    """'0.02' -> 0.02 mm per pixel; '' -> None (unknown)."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"mm per pixel must be a number such as 0.02, not '{text}'") from None
    if not math.isfinite(value) or value <= 0:
        raise UserError(f"mm per pixel must be a positive number, not '{text}'")
    return value


def next_label(lesions: list[Any]) -> str:
    """The next free label 'L<n>' after the patient's highest 'L<n>'."""
    numbers = [int(m.group(1)) for item in lesions if (m := re.fullmatch(r"L(\d+)", item.label))]
    return f"L{max(numbers, default=0) + 1}"


def save(service: Any, request: SaveRequest, choice: SaveChoice, measure: Measure | None) -> Saved:
    """Save the analysis into the history (worker thread)."""
    pid = choice.patient_id
    visit = (service.get_visit(choice.visit_id) if choice.visit_id is not None
             else service.visit_for_today(pid))
    lesion = (service.add_or_get_lesion(pid, choice.lesion_label, choice.site)
              if choice.lesion_label else None)
    measurements = measure(request.image_path, choice.pixel_spacing) if measure else None
    details: dict[str, Any] = {"original_name": request.original_name}
    if choice.pixel_spacing is not None:
        details["pixel_spacing_mm"] = choice.pixel_spacing
    analysis = service.save_analysis(
        pid, request.image_path, request.result, visit_id=visit.id,
        lesion_id=lesion.id if lesion is not None else None, measurements=measurements,
        image_details=details)
    if not request.assessment.empty:
        service.set_assessment(analysis.id, **assessment_values(request.assessment))
    return Saved(service.get_patient(pid), visit, lesion, analysis, request.result,
                 measurements is not None)


def update_assessment(service: Any, patient_id: int, analysis_id: int,
                      assessment: Assessment) -> Any:
    """Replace a stored analysis's assessment, keeping what the form cannot show (worker)."""
    previous = service.get_patient_record(patient_id).assessments.get(analysis_id)
    return service.set_assessment(analysis_id, **assessment_values(assessment, previous))
