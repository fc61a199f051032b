"""What the follow-up window shows, gathered in a worker (no Tk).

The lesion's points come from :func:`HistoryService.lesion_followup`, the
plot from :func:`~skindesk.core.history.followup.plot_followup` (matplotlib's
Agg canvas, drawn to a PNG that is read back and deleted), the pictures from
the managed image store.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from skindesk.gui.history.timeline import when_text
from skindesk.gui.presenters import probability_text

PICTURE_BOX = (440, 330)  # every picture is fitted into this box, so pictures line up


@dataclass(frozen=True)
class FollowUpData:
    """A lesion's follow-up, ready to show.

    Attributes:
        followup: The core's :class:`~skindesk.core.history.followup.FollowUp`.
        pictures: Per analysis id, its image fitted into :data:`PICTURE_BOX`
            (letterboxed, so two pictures can be flickered or split).
        plot: P(malignant) over time, or None with fewer than two points.
    """

    followup: Any
    pictures: dict[int, Image.Image]
    plot: Image.Image | None


def load_followup(service: Any, lesion_id: int) -> FollowUpData:
    """Everything the window needs for one lesion (worker thread)."""
    followup = service.lesion_followup(lesion_id)
    record = service.get_patient_record(followup.lesion.patient_id)
    image_of = {a.id: a.image_id for a in record.analyses}
    stored = {i.id: i for i in record.images}
    pictures = {}
    for point in followup.points:
        image = stored[image_of[point.analysis_id]]
        # The store's cached thumbnail: a follow-up of many large images stays quick.
        pictures[point.analysis_id] = fitted(service.store.thumbnail(image.sha256,
                                                                     max(PICTURE_BOX)))
    plot = _plot(followup) if len(followup.points) >= 2 else None
    return FollowUpData(followup, pictures, plot)


def fitted(path: Path, box: tuple[int, int] = PICTURE_BOX) -> Image.Image:
    """The image at ``path`` scaled into ``box`` and centred on a dark background."""
    with Image.open(path) as source:
        picture = source.convert("RGB")
    picture.thumbnail(box, Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", box, (40, 40, 40))
    canvas.paste(picture, ((box[0] - picture.width) // 2, (box[1] - picture.height) // 2))
    return canvas


def _plot(followup: Any) -> Image.Image:
    from skindesk.core.history.followup import plot_followup

    fd, name = tempfile.mkstemp(prefix="skindesk-followup-", suffix=".png")
    os.close(fd)
    try:
        plot_followup(followup, name)
        with Image.open(name) as png:
            return png.convert("RGB")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def point_label(point: Any) -> str:
    """'2024-03-01 10:00 · P 0.63 ⚑' for the pair choosers."""
    flag = " ⚑" if point.flagged else ""
    return f"{when_text(point.when)} · P {probability_text(point.malignant_probability)}{flag}"


def change_rows(first: Any, last: Any, change: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, earlier, later, change) rows for the changes table."""
    def number(value: Any, unit: str, digits: int) -> str:
        return "—" if value is None else f"{value:.{digits}f}{unit}"

    def signed(value: Any, unit: str, digits: int) -> str:
        return "—" if value is None else f"{value:+.{digits}f}{unit}"

    rows = [("P(malignant)", probability_text(first.malignant_probability),
             probability_text(last.malignant_probability),
             signed(change.get("malignant_probability"), "", 2))]
    for name, label, unit, digits in (("diameter_mm", "Diameter", " mm", 1),
                                      ("area_mm2", "Area", " mm²", 1),
                                      ("colour_count", "Colours", "", 0)):
        rows.append((label, number(getattr(first, name), unit, digits),
                     number(getattr(last, name), unit, digits),
                     signed(change.get(name), unit, digits)))
    rows.append(("Flagged", "yes" if first.flagged else "no", "yes" if last.flagged else "no", ""))
    rows.append(("Days between", "", "", str(change.get("days", "—"))))
    return rows
