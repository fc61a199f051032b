"""The images open in the window and what is known about each (no Tk here).

An :class:`ImageDocument` holds one file's decoded picture, the patient
details typed for it, the latest analysis and the clinician's assessment.
Everything stays in memory for now; :meth:`ImageDocument.to_dict` is the
form a history store will save later.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_ids = itertools.count(1)

AGREEMENTS = ("agree", "disagree", "unsure")


@dataclass(frozen=True)
class PatientFields:
    """The patient form as typed (text, validated only when analysing)."""

    identifier: str = ""
    age: str = ""
    sex: str = ""  # "", "female" or "male"
    site: str = ""  # "" or one of skindesk.core.metadata.SITES
    question: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Assessment:
    """The clinician's reading of a result.

    Attributes:
        agreement: "agree", "disagree", "unsure" or "" (not given).
        diagnosis: A class id of the model, "other", or "" (not given).
        note: Free text.
        updated_at: ISO time of the last change.
    """

    agreement: str = ""
    diagnosis: str = ""
    note: str = ""
    updated_at: str = ""

    @property
    def empty(self) -> bool:
        """True when nothing was entered."""
        return not (self.agreement or self.diagnosis or self.note.strip())

    def stamped(self) -> Assessment:
        """A copy with ``updated_at`` set to now."""
        return replace(self, updated_at=datetime.now(UTC).isoformat(timespec="seconds"))

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return asdict(self)


@dataclass
class ImageDocument:
    """One open image file.

    Attributes:
        path: The file.
        id: Unique within the process (Tk item ids, task routing).
        image: The decoded picture for display (a ``DisplayImage``), once loaded.
        load_error: Why the file could not be shown, if it could not.
        patient: The patient form's values for this image.
        result: The latest ``FileResult`` of the service, if analysed.
        analysed_patient: The patient fields the result was computed with.
        assessment: The clinician's reading of the result.
        title: The name to show instead of the file's (e.g. for an image
            reopened from the patient history, whose stored file is named by hash).
    """

    path: str
    id: str = field(default_factory=lambda: f"doc{next(_ids)}")
    image: Any = None
    load_error: str | None = None
    patient: PatientFields = field(default_factory=PatientFields)
    result: Any = None
    analysed_patient: PatientFields | None = None
    assessment: Assessment = field(default_factory=Assessment)
    title: str = ""

    @property
    def name(self) -> str:
        """The name shown in lists: the title if any, else the file name."""
        return self.title or Path(self.path).name

    @property
    def loading(self) -> bool:
        """True while the picture is being decoded."""
        return self.image is None and self.load_error is None

    @property
    def analysable(self) -> bool:
        """True when the file could be read (analysis re-reads it in the engine)."""
        return self.image is not None

    @property
    def prediction(self) -> Any:
        """The result's ``Prediction``, or None."""
        return getattr(self.result, "prediction", None)

    def to_dict(self) -> dict[str, Any]:
        """The image, patient details, model output and assessment, JSON-ready."""
        return {
            "path": self.path,
            "patient": self.patient.to_dict(),
            "result": self.result.to_dict() if self.result is not None else None,
            "analysed_with": self.analysed_patient.to_dict() if self.analysed_patient else None,
            "assessment": self.assessment.to_dict(),
        }
