"""Printing patient-history records for ``skindesk history``.

Stored text is shown with control and bidirectional-override characters
escaped: a patient name must not be able to move the cursor, recolour the
terminal or reverse the text around it.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from typing import Any, TextIO

from skindesk.commands._output import print_table
from skindesk.core.history.models import Patient, PatientRecord

MAX_CELL = 60
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def safe(text: object, limit: int | None = MAX_CELL) -> str:
    """Text fit for a terminal: controls escaped, cut to ``limit`` characters."""
    out = []
    for char in "" if text is None else str(text):
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            out.append(ascii(char)[1:-1])
        else:
            out.append(char)
    shown = "".join(out)
    return shown if limit is None or len(shown) <= limit else shown[: limit - 1] + "…"


def print_json(data: Any, stream: TextIO | None = None) -> None:
    """JSON with every non-ASCII character escaped (safe on any terminal)."""
    out = stream or sys.stdout
    out.write(json.dumps(data, ensure_ascii=True, indent=2) + "\n")
    out.flush()


def print_patients(patients: list[Patient]) -> None:
    """The patient list as a table."""
    rows = [[safe(p.identifier), safe(p.name), p.birth_date or "", p.sex or ""] for p in patients]
    print_table(rows, ["identifier", "name", "born", "sex"])
    print(f"\n{len(patients)} patient(s)")


def print_record(record: PatientRecord) -> None:
    """A patient's chart: details, visits, lesions and analyses."""
    p = record.patient
    print(f"Patient {safe(p.identifier)}: {safe(p.name) or '(no name)'}")
    print(f"  born {p.birth_date or 'unknown'}, sex {p.sex or 'unknown'}")
    if p.notes:
        print(f"  notes: {safe(p.notes, 200)}")
    visits = {v.id: v for v in record.visits}
    lesions = {lesion.id: lesion for lesion in record.lesions}
    images = {i.id: i for i in record.images}
    print(f"\nVisits ({len(record.visits)})")
    for v in record.visits:
        print(f"  {v.visit_at}  {safe(v.clinician)}  {safe(v.reason)}".rstrip())
    print(f"\nLesions ({len(record.lesions)})")
    for item in record.lesions:
        print(f"  {safe(item.label)}  {item.site or 'site unknown'}  "
              f"first seen {item.first_seen}")  # fmt: skip
    print(f"\nAnalyses ({len(record.analyses)})")
    rows = []
    for a in record.analyses:
        visit = visits.get(a.visit_id) if a.visit_id is not None else None
        lesion = lesions.get(a.lesion_id) if a.lesion_id is not None else None
        assessment = record.assessments.get(a.id)
        rows.append([
            str(a.id), (visit.visit_at if visit else a.created_at)[:16],
            safe(lesion.label) if lesion else "", safe(images[a.image_id].original_name, 30),
            safe(a.top_class), f"{a.malignant_probability:.3f}", "REVIEW" if a.flagged else "-",
            safe(assessment.verdict or "") if assessment else "",
        ])  # fmt: skip
    if rows:
        print_table(
            rows, ["id", "date", "lesion", "image", "top", "P(malignant)", "flag", "clinician"]
        )
