"""What a patient or visit report shows, read from the history in one snapshot.

A visit report covers the analyses of that visit, and its follow-up pages
look back only as far as that visit: printed again next year, it still
shows what was known on the day.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from skindesk.core.history import HistoryService, NotFoundError
from skindesk.core.history.followup import FollowUp, build_followup
from skindesk.core.history.models import Analysis, Lesion, PatientRecord, Visit
from skindesk.core.history.store import ImageStore
from skindesk.core.modelcard import ModelCard

THUMBNAIL_PIXELS = 256


@dataclass
class PatientReportData:
    """A patient's record, the analyses a report covers and the cards of their models.

    Attributes:
        record: The patient's record, up to the chosen visit for a visit report.
        visit: The chosen visit, or None for the whole record.
        analyses: The analyses the report lists (the visit's, or all), oldest first.
        cards: Model id → its installed card (None when no longer installed).
        store: The image store, for thumbnails.
    """

    record: PatientRecord
    visit: Visit | None
    analyses: list[Analysis]
    cards: dict[str, ModelCard | None]
    store: ImageStore

    def when(self, analysis: Analysis) -> str:
        """When an analysis was made: its visit's time, else when it was saved."""
        visits = {v.id: v.visit_at for v in self.record.visits}
        return visits.get(analysis.visit_id or -1) or analysis.created_at

    def image_name(self, analysis: Analysis) -> str:
        """The analysed file's original name."""
        return next((i.original_name for i in self.record.images if i.id == analysis.image_id), "")

    def thumbnail(self, analysis: Analysis) -> Path | None:
        """A cached PNG thumbnail of the analysed image, or None when it is missing."""
        image = next((i for i in self.record.images if i.id == analysis.image_id), None)
        if image is None:
            return None
        try:
            return self.store.thumbnail(image.sha256, THUMBNAIL_PIXELS)
        except Exception:  # noqa: BLE001 - a damaged store must not stop the report
            return None

    def lesions(self) -> list[Lesion]:
        """The lesions that have analyses in the report, in the order they were added."""
        used = {a.lesion_id for a in self.analyses}
        return [lesion for lesion in self.record.lesions if lesion.id in used]

    def followups(self) -> list[FollowUp]:
        """The report's lesions that were analysed on two or more days, with their history."""
        out = []
        for lesion in self.lesions():
            followup = build_followup(self.record, lesion)
            if len({p.when[:10] for p in followup.points}) >= 2:
                out.append(followup)
        return out


def load_report_data(history: HistoryService, patient_identifier: str,
                     visit_id: int | None = None) -> PatientReportData:  # fmt: skip
    """Read what the report of a patient (or of one of their visits) needs.

    Raises:
        NotFoundError: No such patient, or the visit is not one of theirs.
    """
    patient = history.patient_by_identifier(patient_identifier)
    record = history.get_patient_record(patient.id)
    visit = None
    if visit_id is not None:
        visit = next((v for v in record.visits if v.id == visit_id), None)
        if visit is None:
            raise NotFoundError(f"patient {patient_identifier} has no visit with id {visit_id}")
        record = _up_to(record, visit)
    analyses = [a for a in record.analyses if visit is None or a.visit_id == visit.id]
    return PatientReportData(record, visit, analyses, _cards(analyses), history.store)


def _up_to(record: PatientRecord, visit: Visit) -> PatientRecord:
    """The record as it stood at the end of ``visit``."""
    limit = _time(visit.visit_at)
    visits = [v for v in record.visits if _time(v.visit_at) <= limit]
    kept = {v.id for v in visits}

    def known(analysis: Analysis) -> bool:
        if analysis.visit_id is not None:
            return analysis.visit_id in kept
        return _time(analysis.created_at) <= limit

    analyses = [a for a in record.analyses if known(a)]
    return dataclasses.replace(record, visits=visits, analyses=analyses)


def _time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone().replace(tzinfo=None) if parsed.tzinfo else parsed


def _cards(analyses: list[Analysis]) -> dict[str, ModelCard | None]:
    """The installed card of each model the analyses used (None if gone)."""
    from skindesk.core.errors import ModelError
    from skindesk.core.registry import ModelRegistry

    registry = ModelRegistry()
    cards: dict[str, Any] = {}
    for model_id in dict.fromkeys(a.model_id for a in analyses):
        try:
            cards[model_id] = registry.get(model_id)
        except ModelError:
            cards[model_id] = None
    return cards
