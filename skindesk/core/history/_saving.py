"""Turning a model result into the fields of a new analysis row."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from skindesk import __version__
from skindesk.core.errors import SettingsError
from skindesk.core.history import _validate
from skindesk.core.history.errors import HistoryError
from skindesk.core.history.models import AnalysisInput
from skindesk.core.metadata import PatientMetadata


def now_utc() -> str:
    """The current time as ISO 8601 UTC text, which sorts as time does."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def now_local() -> str:
    """The current local time with its UTC offset (for visits, as a clinician reads them)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def from_file_result(result: Any) -> AnalysisInput:
    """The model-result fields of a :class:`~skindesk.core.service.FileResult`.

    Raises:
        HistoryError: the file was not analysed (it has no prediction).
    """
    prediction = getattr(result, "prediction", None)
    if prediction is None:
        raise HistoryError(f"{getattr(result, 'path', 'the image')} has no result to save")
    return AnalysisInput(
        model_id=prediction.model_id,
        model_sha256=prediction.model_sha256,
        probabilities=dict(prediction.probabilities),
        top_class=prediction.top_class,
        malignant_probability=prediction.malignant_probability,
        threshold=prediction.threshold,
        flagged=prediction.flagged,
        warnings=list(result.warnings),
        metadata=_metadata_dict(getattr(result, "metadata", None)),
    )


def _metadata_dict(metadata: Any) -> dict[str, Any] | None:
    """A FileResult's PatientMetadata (or a dict of it) as checked JSON-ready values."""
    if metadata is None:
        return None
    values = metadata.to_dict() if hasattr(metadata, "to_dict") else dict(metadata)
    unknown = set(values) - {"age", "sex", "site"}
    if unknown:
        raise HistoryError(f"unknown model input(s): {', '.join(sorted(unknown))}")
    try:
        checked = PatientMetadata.create(values.get("age"), values.get("sex"), values.get("site"))
    except SettingsError as error:
        raise HistoryError(str(error)) from None
    return checked.to_dict()


def analysis_values(
    result: Any, preprocessing: dict[str, Any] | None, measurements: dict[str, Any] | None
) -> dict[str, Any]:
    """The analysis columns except image, visit and lesion; validated.

    Args:
        result: an :class:`AnalysisInput` or a FileResult.
        preprocessing: the pipeline record (``{"applied": bool, ...}``); taken
            from a FileResult when None.
        measurements: lesion measurements (e.g. ``LesionMeasurements.to_dict()``);
            a FileResult's own (``result.lesion["measurements"]``) when None.
    """
    fields = result if isinstance(result, AnalysisInput) else from_file_result(result)
    if preprocessing is None:
        preprocessing = getattr(result, "preprocessing", None) or {"applied": False}
    if measurements is None:
        # A FileResult analysed with segmentation carries its lesion's measurements.
        measurements = (getattr(result, "lesion", None) or {}).get("measurements")
    probabilities = {
        _validate.text(k, "class id"): _validate.fraction(v, f"P({k})")
        for k, v in fields.probabilities.items()
    }
    threshold = float(fields.threshold)
    if not math.isfinite(threshold):
        raise HistoryError(f"threshold must be a finite number, not {fields.threshold!r}")
    return {
        "model_id": _validate.text(fields.model_id, "model id"),
        "model_sha256": _validate.text(fields.model_sha256, "model sha256"),
        "preprocessing": dict(preprocessing),
        "preprocessing_applied": bool(preprocessing.get("applied", False)),
        "probabilities": probabilities,
        "top_class": _validate.text(fields.top_class, "top class"),
        "malignant_probability": _validate.fraction(fields.malignant_probability, "P(malignant)"),
        "threshold": threshold,
        "flagged": bool(fields.flagged),
        "warnings": list(fields.warnings),
        "measurements": dict(measurements) if measurements is not None else None,
        "app_version": __version__,
        "created_at": now_utc(),
        "metadata": _metadata_dict(fields.metadata),
    }
