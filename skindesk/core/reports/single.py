"""The one-analysis PDF: what the model said about one lesion image, and why.

The report states P(malignant) against the model's threshold in plain
words, shows the Grad-CAM overlay beside the image, and ends with the
model card's provenance and a line for the clinician's signature.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.modelcard import ModelCard
from skindesk.core.reports.charts import probability_chart
from skindesk.core.reports.layout import (
    ReportSettings,
    build_pdf,
    content_width,
    escape,
    image_flowable,
    key_value_table,
    styles,
)  # fmt: skip
from skindesk.core.reports.model_section import model_section
from skindesk.core.service import FileResult


@dataclass
class AnalysisReport:
    """Everything the single-analysis report shows; only filled-in fields print.

    Attributes:
        result: The service's result for the image (must have a prediction).
        card: The card of the model that produced it.
        rgb: The image as analysed (H×W×3 uint8).
        overlay: Grad-CAM (or other method) overlay of the same size, if any.
        method: Name of the explanation method, for the caption.
        mask: Lesion mask (non-zero inside) for the outline, if segmented.
        patient: Readable patient and lesion fields, e.g. {"Name": ..., "Lesion": ...}.
        assessment: The clinician's assessment, if recorded.
        note: The clinician's note, if any.
        when: Date and time of the analysis.
    """

    result: FileResult
    card: ModelCard
    rgb: np.ndarray
    overlay: np.ndarray | None = None
    method: str = "gradcam"
    mask: np.ndarray | None = None
    patient: dict[str, Any] = field(default_factory=dict)
    assessment: str = ""
    note: str = ""
    when: dt.datetime = field(default_factory=dt.datetime.now)


def threshold_sentence(probability: float, threshold: float) -> str:
    """P(malignant) against the model's threshold, in plain words."""
    if probability >= threshold:
        relation = "is at or above" if probability == threshold else "is above"
        tail = "at which this model flags lesions for review"
    else:
        relation, tail = "is below", "at which this model would flag the lesion for review"
    return f"P(malignant) {probability:.2f} {relation} the threshold {threshold:.2f} {tail}."


def outline_image(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The image with the lesion's outline drawn in green."""
    import cv2

    binary = (np.asarray(mask) > 0).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    out = np.ascontiguousarray(rgb.copy())
    thickness = max(1, round(max(rgb.shape[:2]) / 150))
    cv2.drawContours(out, contours, -1, (0, 200, 0), thickness)
    return out


def write_single_report(path: str | Path, report: AnalysisReport,
                        settings: ReportSettings | None = None) -> Path:
    """Write the one-analysis PDF at ``path`` and return the path."""
    settings = settings or ReportSettings()
    if report.result.prediction is None:
        raise ValueError(f"no prediction to report for {report.result.path}: {report.result.error}")
    story = _story(report, content_width(settings))
    return build_pdf(path, story, settings, title="SkinDesk analysis report")


def _story(report: AnalysisReport, width: float) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = styles()
    story: list[Any] = [Paragraph("Skin lesion analysis", s["Title"])]
    story.append(key_value_table(_details_rows(report), width))
    story += _images(report, width)
    story += _result_section(report, width)
    story += _lesion_section(report, width)
    story += _warnings_section(report.result.warnings)
    story += _assessment_section(report, width)
    story += model_section(report.card, width, "Model")
    story += _signature(width)
    return story


def _details_rows(report: AnalysisReport) -> list[tuple[str, Any]]:
    rows = [(k, v) for k, v in report.patient.items() if v not in (None, "")]
    meta = report.result.metadata
    for label, value in (("Age", meta.age), ("Sex", meta.sex), ("Site", meta.site)):
        if value is not None:
            rows.append((label, f"{value:g}" if isinstance(value, float) else value))
    rows.append(("Date", report.when.strftime("%Y-%m-%d %H:%M")))
    rows.append(("Image", Path(report.result.path).name))
    return rows


def _images(report: AnalysisReport, width: float) -> list[Any]:
    from reportlab.platypus import Paragraph, Table

    s = styles()
    panels = [("Image", report.rgb)]
    if report.mask is not None:
        panels[0] = ("Image with lesion outline", outline_image(report.rgb, report.mask))
    if report.overlay is not None:
        panels.append((f"Explanation ({report.method}) for the top class", report.overlay))
    cell_width = width / 2 - 8
    cells = [[image_flowable(img, cell_width, 200), Paragraph(cap, s["Caption"])]
             for cap, img in panels]
    return [Paragraph("Images", s["Heading"]), Table([cells], colWidths=[width / 2] * len(cells))]


def _result_section(report: AnalysisReport, width: float) -> list[Any]:
    from reportlab.platypus import Image, Paragraph

    s = styles()
    prediction, card = report.result.prediction, report.card
    assert prediction is not None  # checked by write_single_report
    top = f"{card.class_name(prediction.top_class)} [{prediction.top_class}]"
    verdict = "FLAGGED for review" if prediction.flagged else "not flagged"
    text = (f"<b>{escape(threshold_sentence(prediction.malignant_probability, prediction.threshold))}"
            f"</b><br/>Result: {verdict}. Most probable class: {escape(top)} "
            f"({prediction.probabilities[prediction.top_class]:.2f}).")
    chart = Image(io.BytesIO(probability_chart(prediction, card)))
    scale = min(width * 0.8 / chart.drawWidth, 1.0)
    chart.drawWidth, chart.drawHeight = chart.drawWidth * scale, chart.drawHeight * scale
    return [Paragraph("Model result", s["Heading"]), Paragraph(text, s["Callout"]), chart,
            Paragraph("Class probabilities (malignant classes in red)", s["Caption"])]


def _lesion_section(report: AnalysisReport, width: float) -> list[Any]:
    from reportlab.platypus import Paragraph

    rows: list[tuple[str, Any]] = []
    lesion = report.result.lesion or {}
    if lesion.get("box"):
        rows.append(("Outline box", ", ".join(str(v) for v in lesion["box"]) + " (px)"))
    rows += _measurement_rows(lesion.get("measurements") or {})
    pre = report.result.preprocessing or {}
    rows.append(("Preprocessing", pre.get("description") if pre.get("applied") else "none"))
    return [Paragraph("Lesion and image processing", styles()["Heading"]),
            key_value_table(rows, width)]


def _measurement_rows(m: dict[str, Any]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    if m.get("max_diameter_mm") is not None:
        rows.append(("Max diameter", f"{m['max_diameter_mm']:.1f} mm"))
    if m.get("area_mm2") is not None:
        rows.append(("Area", f"{m['area_mm2']:.1f} mm²"))
    if m.get("area_px") is not None and m.get("area_mm2") is None:
        rows.append(("Area", f"{m['area_px']} px (max diameter {m['max_diameter_px']:.0f} px)"))
    if m.get("asymmetry_score") is not None:
        rows.append(("Asymmetric axes", m["asymmetry_score"]))
    if m.get("colours"):
        rows.append(("Colours", ", ".join(m["colours"])))
    if m.get("tds_range"):
        low, high = m["tds_range"]
        rows.append(("Heuristic TDS", f"{low:.2f}–{high:.2f} (not validated; D not measured)"))
    return rows


def _warnings_section(warnings: list[dict[str, Any]]) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = styles()
    if not warnings:
        return [Paragraph("Image quality", s["Heading"]),
                Paragraph("No image-quality warnings.", s["Body"])]
    return [Paragraph("Image-quality warnings", s["Heading"])] + [
        Paragraph("• " + escape(w.get("message", w.get("code", ""))), s["Body"]) for w in warnings
    ]


def _assessment_section(report: AnalysisReport, width: float) -> list[Any]:
    from reportlab.platypus import Paragraph

    rows = [("Assessment", report.assessment), ("Note", report.note)]
    rows = [(k, v) for k, v in rows if v]
    if not rows:
        return []
    return [Paragraph("Clinician's assessment", styles()["Heading"]), key_value_table(rows, width)]


def _signature(width: float) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer, Table

    line = "_" * 38
    cells = [[Paragraph(f"{line}<br/>Clinician's signature", styles()["Body"]),
              Paragraph(f"{line}<br/>Date", styles()["Body"])]]
    return [Spacer(1, 28), Table(cells, colWidths=[width * 0.6, width * 0.4])]
