"""Save results to patient: a folder scan's results saved into a patient's history.

The worker looks the patient up before the model loads or any file is read
(an unknown identifier stops the scan before it starts), then saves each
analysed result through the core's
:class:`~skindesk.core.batch.attach.ScanAttacher` as it comes, never on the
Tk thread. After each result it posts an :class:`Attached` snapshot of the
totals, which the summary panel shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skindesk.core.errors import UserError

GROUP_CHOICES = (("file", "One lesion per image"), ("name-prefix", "Group by file-name prefix"))


@dataclass(frozen=True)
class AttachRequest:
    """Whose history the results go to, and how images become lesions.

    Attributes:
        patient: The clinic's identifier of the patient.
        group_by: ``"file"`` or ``"name-prefix"`` (see the core's ``lesion_label``).
        history: Returns the history service (called in the worker).
    """

    patient: str
    group_by: str
    history: Callable[[], Any]


@dataclass(frozen=True)
class Attached:
    """The totals saved so far into ``patient``'s history."""

    patient: str
    visit_id: int | None
    saved: int
    duplicates: int
    not_saved: int


def find_patient(request: AttachRequest) -> Any:
    """The patient (worker thread); a clear UserError when there is none."""
    from skindesk.core.history import NotFoundError

    try:
        return request.history().patient_by_identifier(request.patient)
    except NotFoundError:
        raise UserError(f"no patient with identifier {request.patient!r} in the history: "
                        "create them in Patients… first, or clear 'Save results to patient'."
                        ) from None


def make_attacher(request: AttachRequest, scan: Any) -> Any:
    """The core's attacher for ``scan`` (worker thread)."""
    from skindesk.core.batch.attach import ScanAttacher
    from skindesk.core.service import preprocessing_record

    return ScanAttacher(request.history(), request.patient, visit="today",
                        group_by=request.group_by, metadata=scan.metadata,
                        preprocessing=preprocessing_record(scan.preprocessing))


def snapshot(attacher: Any) -> Attached:
    """The attacher's totals now, to hand to the Tk thread."""
    summary = attacher.summary
    return Attached(attacher.patient.identifier, summary.visit_id, summary.saved,
                    summary.duplicates, len(summary.not_analysed) + len(summary.save_failures))


def attached_text(attached: Attached | None) -> str:
    """The summary panel's line about the patient's history ('' when not saving)."""
    if attached is None:
        return ""
    visit = f", visit {attached.visit_id}" if attached.visit_id is not None else ""
    text = f"Saved to patient {attached.patient}{visit}: {attached.saved:,}"
    if attached.duplicates:
        text += f" (already saved: {attached.duplicates:,})"
    if attached.not_saved:
        text += f"; not saved: {attached.not_saved:,}"
    return text
