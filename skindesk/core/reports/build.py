"""Running one analysis with everything the single report shows."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from skindesk.core.imageio import load_image
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.reports.single import AnalysisReport
from skindesk.core.service import SkinDeskService

log = logging.getLogger(__name__)


def analyse_for_report(
    service: SkinDeskService,
    path: str | Path,
    metadata: PatientMetadata = UNKNOWN,
    method: str | None = "gradcam",
    model_id: str | None = None,
    patient: dict[str, Any] | None = None,
) -> AnalysisReport:
    """Predict, segment and explain one image for :func:`write_single_report`.

    Args:
        service: The analysis service.
        path: The image file.
        metadata: Age, sex and site given to the model.
        method: Explanation method name, or None for no overlay.
        model_id: Model to use (None: the default).
        patient: Readable patient/lesion fields to print.

    Raises:
        UserError: When the image cannot be read (ImageLoadError).
    """
    image = load_image(path)
    result = next(iter(service.predict_files([path], metadata, model_id, segment=True)))
    if result.prediction is None:
        from skindesk.core.errors import UserError

        raise UserError(f"{path}: {result.error}")
    lesion = service.segment(image.rgb)
    mask = lesion["_mask"] if lesion.get("found") else None
    overlay = None
    if method:
        explanation = service.explain(image.rgb, method, result.prediction.top_class, metadata,
                                      model_id)
        overlay = explanation.overlay(image.rgb)
    return AnalysisReport(result=result, card=service.engine(model_id).card, rgb=image.rgb,
                          overlay=overlay, method=method or "", mask=mask,
                          patient=dict(patient or {}))
