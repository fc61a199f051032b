"""The patient (or visit) PDF: a cover, one section per lesion, follow-up pages.

The cover has the patient's details, the decision-support disclaimer and
the validated performance of every model used, from its card. Each lesion
section lists its analyses (thumbnail, top class, P(malignant) against the
threshold, flag, the clinician's assessment); lesions analysed on several
days get follow-up pages (:mod:`.followup_pages`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from skindesk import DISCLAIMER
from skindesk.core.history import HistoryService
from skindesk.core.modelcard import ModelCard
from skindesk.core.reports.fonts import escape, markup
from skindesk.core.reports.layout import (
    ReportSettings,
    build_pdf,
    content_width,
    key_value_table,
    styles,
)  # fmt: skip
from skindesk.core.reports.model_section import model_section
from skindesk.core.reports.patient_data import PatientReportData, load_report_data

_HOW_TO_READ = (" P(malignant) is compared with each model's operating threshold; lesions at "
                "or above it are flagged for review. The clinicians' assessments are their own.")


def write_patient_report(path: str | Path, history: HistoryService, patient_identifier: str,
                         visit_id: int | None = None,
                         settings: ReportSettings | None = None) -> Path:  # fmt: skip
    """Write the report of a patient, or of one of their visits, and return its path.

    Args:
        path: Where to write the PDF.
        history: The patient history.
        patient_identifier: The clinic's identifier of the patient.
        visit_id: Report only this visit (follow-up up to it); None: the whole record.
        settings: Header and page size.

    Raises:
        NotFoundError: No such patient or visit.
    """
    from reportlab.platypus import PageBreak

    from skindesk.core.reports.followup_pages import followup_pages
    from skindesk.core.reports.patient_lesions import lesion_sections

    settings = settings or ReportSettings()
    width = content_width(settings)
    data = load_report_data(history, patient_identifier, visit_id)
    story = cover(data, width) + [PageBreak()] + lesion_sections(data, width)
    story += followup_pages(data, width)
    title = "SkinDesk visit report" if data.visit else "SkinDesk patient report"
    return build_pdf(path, story, settings, title=title)


def cover(data: PatientReportData, width: float) -> list[Any]:
    """Title, patient (and visit) details, totals, disclaimer, model performance."""
    from reportlab.platypus import Paragraph

    s = styles()
    title = "Visit report" if data.visit else "Patient report"
    story: list[Any] = [Paragraph(title, s["Title"]),
                        key_value_table(_patient_rows(data), width)]  # fmt: skip
    story += [Paragraph("Summary", s["Heading"]), key_value_table(_totals(data), width)]
    story += [Paragraph("Decision support, not a diagnosis", s["Heading"]),
              Paragraph(escape(DISCLAIMER + _HOW_TO_READ), s["Callout"])]
    for model_id, card in data.cards.items():
        story += model_performance(model_id, card, width)
    return story


def _patient_rows(data: PatientReportData) -> list[tuple[str, Any]]:
    p = data.record.patient
    rows: list[tuple[str, Any]] = [("Patient ID", p.identifier), ("Name", p.name),
                                   ("Date of birth", p.birth_date), ("Sex", p.sex),
                                   ("Notes", p.notes)]  # fmt: skip
    visits = data.record.visits
    if data.visit is not None:
        v = data.visit
        rows += [("Visit", v.visit_at[:16].replace("T", " ")), ("Clinician", v.clinician),
                 ("Reason", v.reason)]  # fmt: skip
    elif visits:
        span = f"{visits[0].visit_at[:10]} to {visits[-1].visit_at[:10]}"
        rows.append(("Visits", f"{len(visits)} ({span})"))
    rows.append(("Report date", dt.datetime.now().strftime("%Y-%m-%d %H:%M")))
    return [(k, v) for k, v in rows if v not in (None, "")]


def _totals(data: PatientReportData) -> list[tuple[str, Any]]:
    flagged = sum(a.flagged for a in data.analyses)
    followed = [f.lesion.label for f in data.followups()]
    return [("Lesions", len(data.lesions())), ("Analyses", len(data.analyses)),
            ("Flagged for review", flagged),
            ("Followed over several visits", ", ".join(followed) or "none")]  # fmt: skip


def model_performance(model_id: str, card: ModelCard | None, width: float) -> list[Any]:
    """A model's identity, reported performance, threshold and limits, from its card."""
    from reportlab.platypus import Paragraph

    heading = f"Model {model_id}: validated performance"
    if card is None:
        note = "This model is not installed on this workstation; its card cannot be shown."
        return [Paragraph(markup(heading), styles()["Heading"]), Paragraph(note, styles()["Body"])]
    return model_section(card, width, heading)
