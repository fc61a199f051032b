"""Follow-up pages of the patient report: a lesion's images and measures over time.

One page (or more) per lesion analysed on two or more days: its images side
by side, a table of P(malignant), size and colour count at each analysis
with the change from the first to the last, and a small plot of
P(malignant) over time against the threshold
(:func:`skindesk.core.history.followup.plot_followup`).
"""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from skindesk.core.history.followup import FollowUp, FollowUpPoint, plot_followup
from skindesk.core.reports.fonts import FONT_BOLD, escape, markup
from skindesk.core.reports.layout import grid_table, styles
from skindesk.core.reports.patient_data import PatientReportData
from skindesk.core.reports.patient_lesions import thumbnail_flowable

MAX_IMAGES = 4  # side by side: the first and the latest three
_MIXED = ("<b>Caution:</b> different models produced these analyses; their P(malignant) "
          "values are not comparable.")  # fmt: skip
_NO_SIZES = ("Sizes need measurements in millimetres: analyse with segmentation and the "
             "image's pixel spacing.")  # fmt: skip


def followup_pages(data: PatientReportData, width: float) -> list[Any]:
    """The follow-up pages of every lesion of the report seen on several days."""
    from reportlab.platypus import PageBreak

    story: list[Any] = []
    for followup in data.followups():
        story += [PageBreak(), *followup_page(data, followup, width)]
    return story


def followup_page(data: PatientReportData, followup: FollowUp, width: float) -> list[Any]:
    """Heading, images over time, the change table and the P(malignant) plot."""
    from reportlab.platypus import Paragraph

    s = styles()
    lesion, points = followup.lesion, followup.points
    story: list[Any] = [Paragraph(f"Follow-up of lesion {markup(lesion.label)}", s["Title"])]
    facts = (f"{lesion.site or 'site not recorded'}; {len(points)} analyses from "
             f"{_day(points[0])} to {_day(points[-1])}")  # fmt: skip
    story.append(Paragraph(escape(facts), s["Body"]))
    if followup.mixed_models:
        story.append(Paragraph(_MIXED, s["Callout"]))
    story += [Paragraph("Images over time", s["Heading"]), _images(data, points, width)]
    story += [Paragraph("Change over time", s["Heading"]), _change_table(followup, width)]
    if all(p.diameter_mm is None and p.area_mm2 is None for p in points):
        story.append(Paragraph(_NO_SIZES, s["Cell"]))
    story += [Paragraph("P(malignant) over time", s["Heading"]), _plot(followup, width)]
    return story


def _day(point: FollowUpPoint) -> str:
    return point.when[:10]


def _images(data: PatientReportData, points: list[FollowUpPoint], width: float) -> Any:
    """Thumbnails of the first and latest analyses side by side, captioned."""
    from reportlab.platypus import Paragraph, Table

    shown = points if len(points) <= MAX_IMAGES else [points[0], *points[-(MAX_IMAGES - 1):]]
    analyses = {a.id: a for a in data.record.analyses}
    column = width / MAX_IMAGES
    cells = []
    for point in shown:
        caption = f"{_day(point)}<br/>P(malignant) {point.malignant_probability:.3f}"
        if point.flagged:
            caption += ' <font color="#c0392b">flagged</font>'
        thumb = thumbnail_flowable(data.thumbnail(analyses[point.analysis_id]), column - 12)
        cells.append([thumb, Paragraph(caption, styles()["Caption"])])
    table = Table([cells], colWidths=[column] * len(cells), hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
    return table


def _change_table(followup: FollowUp, width: float) -> Any:
    """One row per analysis, then the change from the first to the last."""
    header = ["Date", "P(malignant)", "Change", "Review", "Diameter (mm)", "Area (mm²)",
              "Colours"]  # fmt: skip
    rows: list[list[Any]] = [header]
    previous: FollowUpPoint | None = None
    for point in followup.points:
        p = point.malignant_probability
        step = None if previous is None else p - previous.malignant_probability
        rows.append([_day(point), f"{p:.3f}", _signed(step), "FLAGGED" if point.flagged else "",
                     _value(point.diameter_mm, "{:.1f}"), _value(point.area_mm2, "{:.1f}"),
                     _value(point.colour_count, "{}")])  # fmt: skip
        previous = point
    change = followup.change()
    first, last = (date.fromisoformat(_day(p)) for p in (followup.points[0], followup.points[-1]))
    days = (last - first).days  # calendar days: a year apart reads 365, not 364 and some hours
    rows.append([f"first → last ({days} days)", "",
                 _signed(change["malignant_probability"]), "",
                 _signed(change["diameter_mm"], "{:+.1f}"), _signed(change["area_mm2"], "{:+.1f}"),
                 _signed(change["colour_count"], "{:+d}")])  # fmt: skip
    widths = [width * 0.21, width * 0.14, width * 0.1, width * 0.1, width * 0.16, width * 0.15]
    table = grid_table(rows, [*widths, width - sum(widths)])
    table.setStyle([("FONT", (0, len(rows) - 1), (-1, -1), FONT_BOLD, 8)])
    return table


def _signed(value: float | None, pattern: str = "{:+.3f}") -> str:
    return "–" if value is None else pattern.format(value)


def _value(value: float | None, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


def _plot(followup: FollowUp, width: float) -> Any:
    """The history module's P(malignant) plot, embedded at three quarters of the width."""
    from reportlab.platypus import Image

    with tempfile.TemporaryDirectory(prefix="skindesk-plot-") as folder:
        png = Path(plot_followup(followup, Path(folder) / "followup.png")).read_bytes()
    image = Image(io.BytesIO(png))
    scale = width * 0.75 / image.drawWidth
    image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
    return image
