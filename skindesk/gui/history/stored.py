"""A stored analysis as the main window shows results: a ``FileResult`` rebuilt from the record.

Nothing is recomputed: probabilities, threshold, flag, warnings, the
preprocessing record, the model's patient inputs and the measurements are
the saved ones. Imports the engine's result types, so only workers import
this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skindesk.core.history import Analysis
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.prediction import Prediction
from skindesk.core.service import FileResult


@dataclass
class StoredResult(FileResult):
    """A result read back from the history.

    Attributes:
        analysis_id: The stored analysis.
        origin: One line saying where and when it was saved (shown under the result).
        card: The card of the analysis's model when it is installed, else None
            (the window's current card is used for class names).
    """

    analysis_id: int = 0
    origin: str = ""
    card: Any = None


def stored_result(analysis: Analysis, image_path: str, origin: str,
                  card: Any = None) -> StoredResult:
    """The ``FileResult`` of a stored analysis, its image in the managed store."""
    prediction = Prediction(
        probabilities=dict(analysis.probabilities), top_class=analysis.top_class,
        malignant_probability=analysis.malignant_probability, flagged=analysis.flagged,
        threshold=analysis.threshold, model_id=analysis.model_id,
        model_sha256=analysis.model_sha256)
    meta = analysis.metadata
    metadata = (PatientMetadata(meta.get("age"), meta.get("sex"), meta.get("site"))
                if meta else UNKNOWN)
    measurements = analysis.measurements
    return StoredResult(
        path=image_path, prediction=prediction, warnings=[_warning(w) for w in analysis.warnings],
        metadata=metadata, preprocessing=dict(analysis.preprocessing),
        lesion={"measurements": measurements} if measurements is not None else None,
        analysis_id=analysis.id, origin=origin, card=card)


def _warning(warning: Any) -> dict[str, Any]:
    # The result panel reads warning dicts; a record written by other means may hold text.
    return dict(warning) if isinstance(warning, dict) else {"message": str(warning)}
