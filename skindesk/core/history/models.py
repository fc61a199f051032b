"""Plain records of the patient history, as the service hands them out.

Times are ISO 8601 text (UTC with offset for times the app records; the
clinician's local time as entered for visits), dates ``YYYY-MM-DD``. JSON
columns are decoded: ``Analysis.probabilities`` is a dict, not text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

VERDICTS = ("agree", "disagree", "unsure")


@dataclass(frozen=True)
class Patient:
    """A patient; ``identifier`` is the clinic's own (e.g. the MRN), unique."""

    id: int
    identifier: str
    name: str
    birth_date: str | None
    sex: str | None
    notes: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Visit:
    """One consultation: when, with whom, why."""

    id: int
    patient_id: int
    visit_at: str
    clinician: str
    reason: str


@dataclass(frozen=True)
class Lesion:
    """A lesion followed over time; ``label`` (e.g. "L3") is unique per patient.

    ``body_map_x`` / ``body_map_y`` are fractions (0-1) of the body map's size.
    """

    id: int
    patient_id: int
    label: str
    site: str | None
    first_seen: str
    body_map_x: float | None = None
    body_map_y: float | None = None


@dataclass(frozen=True)
class StoredImage:
    """An image copied into the store; ``store_path`` is relative to the store root."""

    id: int
    patient_id: int
    sha256: str
    store_path: str
    original_name: str
    acquired_at: str | None
    device: str
    pixel_spacing_mm: float | None
    created_at: str


@dataclass(frozen=True)
class Analysis:
    """One model result on one image, with everything needed to reproduce it.

    ``metadata`` is the patient context the model was given (``age``, ``sex``,
    ``site``; None for unknown), or None for analyses saved before it was kept.
    """

    id: int
    image_id: int
    visit_id: int | None
    lesion_id: int | None
    model_id: str
    model_sha256: str
    preprocessing: dict[str, Any]
    preprocessing_applied: bool
    probabilities: dict[str, float]
    top_class: str
    malignant_probability: float
    threshold: float
    flagged: bool
    warnings: list[Any]
    measurements: dict[str, Any] | None
    app_version: str
    created_at: str
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class Assessment:
    """The clinician's view of an analysis, and histopathology when known later."""

    id: int
    analysis_id: int
    verdict: str | None
    diagnosis: str
    note: str
    updated_at: str
    histopathology: str = ""
    histopathology_date: str | None = None


@dataclass(frozen=True)
class AnalysisInput:
    """The model-result fields of a new analysis, when not taken from a FileResult."""

    model_id: str
    probabilities: dict[str, float]
    top_class: str
    malignant_probability: float
    threshold: float
    flagged: bool
    model_sha256: str = ""
    warnings: list[Any] = field(default_factory=list)
    metadata: dict[str, Any] | None = None  # the model's patient inputs: age, sex, site


@dataclass(frozen=True)
class PatientRecord:
    """Everything about one patient, as a chart view needs it."""

    patient: Patient
    visits: list[Visit]
    lesions: list[Lesion]
    images: list[StoredImage]
    analyses: list[Analysis]
    assessments: dict[int, Assessment]  # by analysis id

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (assessments keyed by analysis id as text)."""
        data = asdict(self)
        data["assessments"] = {str(k): v for k, v in data["assessments"].items()}
        return data
