"""A patient's record as the patient view shows it: rows of text (no Tk).

Analyses are grouped by visit, newest visit first; analyses saved without a
visit form their own group, dated by when they were saved. P(malignant) is
read through :mod:`skindesk.gui.presenters`, as in the result panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from skindesk.gui.presenters import preprocessing_line, probability_text

NO_VISIT = "Saved without a visit"
VERDICT_WORDS = {"agree": "agrees", "disagree": "disagrees", "unsure": "unsure"}


@dataclass(frozen=True)
class AnalysisRow:
    """One analysis in the timeline (columns of the patient view)."""

    analysis_id: int
    image: str
    lesion: str
    top_class: str
    p_malignant: str
    flagged: bool
    model: str
    assessment: str


@dataclass(frozen=True)
class VisitGroup:
    """A visit (or the analyses without one) and its analyses."""

    key: str
    title: str
    details: str
    rows: list[AnalysisRow]


@dataclass(frozen=True)
class LesionRow:
    """One lesion with how often and when it was analysed."""

    lesion_id: int
    label: str
    site: str
    first_seen: str
    analyses: int
    last_p: str


def when_text(iso: str | None) -> str:
    """'2024-03-01T10:00:00+01:00' -> '2024-03-01 10:00' in local time; '' for None."""
    if not iso:
        return ""
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone()
    if len(iso) == 10:
        return parsed.strftime("%Y-%m-%d")
    return parsed.strftime("%Y-%m-%d %H:%M")


def patient_title(patient: Any) -> str:
    """'Anna Berg · MRN-1 · born 1970-05-31 · female'."""
    parts = [patient.name or "(no name)", patient.identifier]
    if patient.birth_date:
        parts.append(f"born {patient.birth_date}")
    if patient.sex:
        parts.append(patient.sex)
    return " · ".join(parts)


def assessment_text(assessment: Any) -> str:
    """'disagrees: dysplastic naevus' / 'not assessed'; histopathology when known."""
    if assessment is None or not (assessment.verdict or assessment.diagnosis or assessment.note):
        text = "not assessed"
    else:
        text = VERDICT_WORDS.get(assessment.verdict or "", "no verdict")
        if assessment.diagnosis:
            text += f": {assessment.diagnosis}"
    if assessment is not None and assessment.histopathology:
        text += f" · histo: {assessment.histopathology}"
    return text


def visit_groups(record: Any, class_name: Callable[[str], str]) -> list[VisitGroup]:
    """The record's analyses grouped by visit, newest visit first."""
    lesions = {lesion.id: lesion for lesion in record.lesions}
    images = {image.id: image.original_name for image in record.images}
    by_visit: dict[int | None, list[AnalysisRow]] = {}
    for a in record.analyses:
        lesion = lesions.get(a.lesion_id) if a.lesion_id is not None else None
        where = f"{lesion.label} · {lesion.site or 'site unknown'}" if lesion else "—"
        row = AnalysisRow(a.id, images.get(a.image_id) or "image", where, class_name(a.top_class),
                          probability_text(a.malignant_probability), a.flagged, a.model_id,
                          assessment_text(record.assessments.get(a.id)))
        by_visit.setdefault(a.visit_id, []).append(row)
    groups = []
    for visit in sorted(record.visits, key=lambda v: _sort_key(v.visit_at), reverse=True):
        rows = by_visit.pop(visit.id, [])
        extra = [x for x in (visit.clinician, visit.reason) if x]
        title = f"{when_text(visit.visit_at)} · {_count(len(rows))}"
        details = " · ".join([f"Visit {when_text(visit.visit_at)}", *extra])
        groups.append(VisitGroup(f"visit{visit.id}", title, details, rows))
    orphans = [row for rows in by_visit.values() for row in rows]
    if orphans:
        groups.append(VisitGroup("novisit", NO_VISIT, f"{NO_VISIT}: {_count(len(orphans))}",
                                 orphans))
    return groups


def _count(n: int) -> str:
    return f"{n} analys{'is' if n == 1 else 'es'}"


def lesion_rows(record: Any) -> list[LesionRow]:
    """The record's lesions by label, with their number of analyses and latest P(malignant)."""
    rows = []
    for lesion in sorted(record.lesions, key=lambda item: item.label):
        analyses = [a for a in record.analyses if a.lesion_id == lesion.id]
        last = probability_text(analyses[-1].malignant_probability) if analyses else "—"
        rows.append(LesionRow(lesion.id, lesion.label, lesion.site or "unknown",
                              lesion.first_seen, len(analyses), last))
    return rows


def analysis_details(record: Any, analysis_id: int, class_name: Callable[[str], str]) -> str:
    """Everything stored about one analysis, as lines for the detail pane."""
    a = next(x for x in record.analyses if x.id == analysis_id)
    image = next((i for i in record.images if i.id == a.image_id), None)
    lines = [f"Saved {when_text(a.created_at)} · SkinDesk {a.app_version}",
             f"Image: {image.original_name if image else '?'}",
             f"Model: {a.model_id}" + (f" ({a.model_sha256[:12]}…)" if a.model_sha256 else ""),
             f"Most likely: {class_name(a.top_class)}",
             (f"P(malignant) {probability_text(a.malignant_probability)} · threshold "
              f"{probability_text(a.threshold)} · {'flagged' if a.flagged else 'not flagged'}"),
             preprocessing_line(a.preprocessing)]
    lines += [f"⚠ {w.get('message', w) if isinstance(w, dict) else w}" for w in a.warnings]
    assessment = record.assessments.get(a.id)
    lines.append("Assessment: " + assessment_text(assessment))
    if assessment is not None and assessment.note:
        lines.append(f"Note: {assessment.note}")
    return "\n".join(lines)


def _sort_key(iso: str) -> datetime:
    parsed = datetime.fromisoformat(iso)
    return parsed.astimezone().replace(tzinfo=None) if parsed.tzinfo else parsed
