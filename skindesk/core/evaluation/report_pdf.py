"""The evaluation report as a PDF (reportlab), figures from :mod:`.figures`.

Every page carries the decision-support disclaimer and "page X of Y" in
its footer: pages of a printed report get separated.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from skindesk.core.evaluation.figures import all_figures
from skindesk.core.evaluation.tables import failed_rows, key_metric_rows, meta_rows, per_class_rows

MAX_FAILED_LISTED = 200


def _table(rows: list[list[str]], widths: list[float], header: bool = True) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style += [("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6"))]
    else:
        style += [("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8)]
    table.setStyle(TableStyle(style))
    return table


def _paragraph_rows(rows: list[list[str]], style: Any) -> list[list[Any]]:
    from reportlab.platypus import Paragraph

    # Long cells (paths, hashes) must wrap instead of overflowing the page.
    return [[Paragraph(_escape(cell), style) for cell in row] for row in rows]


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _figure_cell(caption: str, png: bytes, width: float, styles: Any) -> list[Any]:
    from reportlab.platypus import Image, Paragraph

    image = Image(io.BytesIO(png))
    scale = min(width / image.drawWidth, 200 / image.drawHeight)
    image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
    return [image, Paragraph(caption, styles["Caption"])]


def _figure_flowables(report: dict[str, Any], styles: Any, width: float) -> list[Any]:
    """Figures two to a row, each row kept with the heading above it."""
    from reportlab.platypus import KeepTogether, Paragraph, Table

    figures = all_figures(report)
    heading = Paragraph("Figures", styles["Heading2"])
    flowables: list[Any] = []
    for start in range(0, len(figures), 2):
        pair = figures[start : start + 2]
        cells = [_figure_cell(caption, png, width / 2 - 12, styles) for caption, png in pair]
        row = Table([cells], colWidths=[width / 2] * len(cells))
        flowables.append(KeepTogether([heading, row] if start == 0 else [row]))
    return flowables or [heading]


def _styles() -> Any:
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    styles = getSampleStyleSheet()
    styles.add(ParagraphStyle("Cell", parent=styles["BodyText"], fontSize=8, leading=10))
    styles.add(ParagraphStyle("Caption", parent=styles["BodyText"], fontSize=8,
                              textColor="#555555", alignment=1))
    styles.add(ParagraphStyle("Summary", parent=styles["BodyText"], fontSize=10, leading=14,
                              backColor="#f4f7fb", borderPadding=6, spaceAfter=10))
    return styles


def _story(report: dict[str, Any], styles: Any, width: float) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    story: list[Any] = [Paragraph("SkinDesk model evaluation", styles["Title"])]
    story.append(_table(_paragraph_rows(meta_rows(report), styles["Cell"]), [90, width - 90],
                        header=False))
    story += [Spacer(1, 10), Paragraph("Summary", styles["Heading2"]),
              Paragraph(_escape(report["summary"]), styles["Summary"])]
    story += [Paragraph("Key figures", styles["Heading2"]),
              _table(_paragraph_rows(key_metric_rows(report), styles["Cell"]),
                     [150, 120, width - 270])]
    if report.get("notes"):
        story.append(Paragraph("Notes", styles["Heading2"]))
        story += [Paragraph("• " + _escape(note), styles["Cell"]) for note in report["notes"]]
    story += _figure_flowables(report, styles, width)
    per_class = per_class_rows(report)
    if len(per_class) > 1:
        story += [Paragraph("Per class (top class vs true class)", styles["Heading2"]),
                  _table(per_class, [150, 70, 70, 70, 70])]
    failed = failed_rows(report, MAX_FAILED_LISTED)
    if len(failed) > 1:
        story += [Paragraph("Files that could not be analysed", styles["Heading2"]),
                  _table(_paragraph_rows(failed, styles["Cell"]), [width * 0.65, width * 0.35])]
    return story


def write_pdf_report(report: dict[str, Any], path: str | Path) -> Path:
    """Write the report as a PDF at ``path``; return the path."""
    from skindesk.core.reports.layout import ReportSettings, build_pdf, content_width

    settings = ReportSettings()
    story = _story(report, _styles(), content_width(settings))
    return build_pdf(path, story, settings, title="SkinDesk model evaluation")
