"""The lesion sections of the patient report: every analysis of each lesion.

Thumbnails come from the image store's cache (small PNGs, read by
reportlab only when it draws them), never from the full images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skindesk.core.history.models import Analysis, Assessment, Lesion
from skindesk.core.reports.fonts import escape, markup
from skindesk.core.reports.layout import grid_table, styles
from skindesk.core.reports.patient_data import PatientReportData

THUMB = 64.0  # points


def lesion_sections(data: PatientReportData, width: float) -> list[Any]:
    """One section per lesion, then the analyses not assigned to a lesion."""
    from reportlab.platypus import Paragraph

    s = styles()
    story: list[Any] = []
    for lesion in data.lesions():
        analyses = [a for a in data.analyses if a.lesion_id == lesion.id]
        facts = [lesion.site or "site not recorded", f"first seen {_first_seen(data, lesion)}"]
        story.append(Paragraph(f"Lesion {markup(lesion.label)}", s["Heading"]))
        story.append(Paragraph(escape(", ".join(facts)), s["Cell"]))
        story.append(analysis_table(data, analyses, width))
    loose = [a for a in data.analyses if a.lesion_id is None]
    if loose:
        story += [Paragraph("Images not assigned to a lesion", s["Heading"]),
                  analysis_table(data, loose, width)]  # fmt: skip
    if not data.analyses:
        story.append(Paragraph("No analyses recorded.", s["Body"]))
    return story


def _first_seen(data: PatientReportData, lesion: Lesion) -> str:
    """The lesion's recorded first sighting, or its earliest analysis if that is older."""
    dates = [data.when(a)[:10] for a in data.record.analyses if a.lesion_id == lesion.id]
    return min([lesion.first_seen, *dates])


def analysis_table(data: PatientReportData, analyses: list[Analysis], width: float) -> Any:
    """A table row per analysis: thumbnail, date and file, model result, clinician."""
    s = styles()
    cell = s["Cell"]
    from reportlab.platypus import Paragraph

    rows: list[list[Any]] = [["Image", "Date, file", "Model result", "Clinician's assessment"]]
    for analysis in analyses:
        when = data.when(analysis)[:16].replace("T", " ")
        rows.append([
            thumbnail_flowable(data.thumbnail(analysis), THUMB),
            Paragraph(f"{escape(when)}<br/>{markup(data.image_name(analysis))}", cell),
            Paragraph(result_markup(data, analysis), cell),
            Paragraph(assessment_markup(data.record.assessments.get(analysis.id)), cell),
        ])  # fmt: skip
    widths = [THUMB + 8, width * 0.2, width * 0.38]
    widths.append(width - sum(widths))
    return grid_table(rows, widths)


def result_markup(data: PatientReportData, analysis: Analysis) -> str:
    """Top class, P(malignant) against the threshold, flag and warnings, as cell mark-up."""
    card = data.cards.get(analysis.model_id)
    name = card.class_name(analysis.top_class) if card else analysis.top_class
    top_p = analysis.probabilities.get(analysis.top_class)
    top = f"<b>{markup(name)}</b> [{markup(analysis.top_class)}]"
    if isinstance(top_p, (int, float)):
        top += f" {top_p:.2f}"
    p, t = analysis.malignant_probability, analysis.threshold
    relation = "≥" if p >= t else "<"
    flag = ('<font color="#c0392b"><b>FLAGGED for review</b></font>' if analysis.flagged
            else "not flagged")  # fmt: skip
    lines = [top, f"P(malignant) {p:.3f} {relation} threshold {t:.3f}: {flag}",
             f"model {markup(analysis.model_id)}"]  # fmt: skip
    for warning in analysis.warnings:
        text = _warning_text(warning)
        lines.append(f'<font color="#8a5a00">⚠ {markup(text)}</font>')
    return "<br/>".join(lines)


def _warning_text(warning: Any) -> str:
    if isinstance(warning, dict):
        return str(warning.get("message") or warning.get("code") or "")
    return str(warning)


def assessment_markup(assessment: Assessment | None) -> str:
    """The clinician's verdict, diagnosis, note and histopathology, or a dash."""
    if assessment is None:
        return "–"
    parts = []
    if assessment.verdict:
        parts.append(f"<b>{escape(assessment.verdict)}</b> with the model")
    for label, value in (("Diagnosis", assessment.diagnosis), ("Note", assessment.note),
                         ("Histopathology", assessment.histopathology)):  # fmt: skip
        if value:
            parts.append(f"{label}: {markup(value)}")
    if assessment.histopathology_date:
        parts.append(f"(pathology dated {escape(assessment.histopathology_date[:10])})")
    return "<br/>".join(parts) or "–"


def thumbnail_flowable(path: Path | None, box: float) -> Any:
    """A stored thumbnail fitted in a ``box``-point square, or a note when missing."""
    from PIL import Image as PILImage
    from reportlab.platypus import Image, Paragraph

    if path is None:
        return Paragraph("image missing", styles()["Cell"])
    with PILImage.open(path) as image:
        width, height = image.size
    scale = min(box / width, box / height)
    return Image(str(path), width=width * scale, height=height * scale)
