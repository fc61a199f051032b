"""The evaluation report as a PDF (reportlab), figures from :mod:`.figures`.

Every page carries the decision-support disclaimer and "page X of Y" in
its footer: pages of a printed report get separated.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from skindesk import DISCLAIMER
from skindesk.core.errors import UserError
from skindesk.core.evaluation.figures import all_figures
from skindesk.core.evaluation.tables import failed_rows, key_metric_rows, meta_rows, per_class_rows

_MARGIN = 50  # points
_FOOTER_FONT = ("Helvetica", 7)
MAX_FAILED_LISTED = 200


def _numbered_canvas_class() -> type:
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        """Defers pages until the end so each footer can say "page X of Y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(len(self._pages))
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _ = self._pagesize
            self.setFont(*_FOOTER_FONT)
            self.setFillGray(0.3)
            lines = simpleSplit(DISCLAIMER, _FOOTER_FONT[0], _FOOTER_FONT[1], width - 2 * _MARGIN - 60)
            for i, line in enumerate(lines):
                self.drawString(_MARGIN, 30 - i * 9 + 9 * (len(lines) - 1), line)
            self.drawRightString(width - _MARGIN, 30, f"page {self._pageNumber} of {total}")

    return NumberedCanvas


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
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.platypus import SimpleDocTemplate
    except ImportError:
        raise UserError("PDF reports need reportlab: pip install reportlab") from None

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN,
        bottomMargin=_MARGIN + 20, title="SkinDesk model evaluation",
        author="SkinDesk", subject=f"Evaluation of {report['model']['id']}",
    )
    story = _story(report, _styles(), document.width)
    document.build(story, canvasmaker=_numbered_canvas_class())
    return path
