"""The page template shared by SkinDesk's clinical PDF reports.

Every page carries the practice's header (name and optional logo), the
decision-support disclaimer and "page N of M" in its footer, because the
pages of a printed report get separated. Text is set in embedded
TrueType fonts (see :mod:`.fonts`) so that patients' names survive.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skindesk import DISCLAIMER, __version__
from skindesk.core.errors import UserError
from skindesk.core.reports.fonts import FONT, FONT_BOLD, escape, markup, register_fonts

PAGE_SIZES = ("A4", "Letter")
MARGIN = 45  # points
_HEADER_HEIGHT = 34
_FOOTER_SIZE = 7


@dataclass(frozen=True)
class ReportSettings:
    """How reports look at this practice.

    Attributes:
        clinic_name: Printed in every page's header.
        logo_path: Optional image drawn at the header's left; ignored if unreadable.
        page_size: ``"A4"`` or ``"Letter"``.
    """

    clinic_name: str = ""
    logo_path: str | None = None
    page_size: str = "A4"

    def __post_init__(self) -> None:
        if self.page_size not in PAGE_SIZES:
            raise UserError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {self.page_size!r}")

    def pagesize(self) -> tuple[float, float]:
        """The page size in points."""
        from reportlab.lib.pagesizes import A4, letter

        return A4 if self.page_size == "A4" else letter


@functools.cache
def styles() -> Any:
    """Paragraph styles in the embedded font."""
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    base = ParagraphStyle("Body", fontName=FONT, fontSize=9, leading=12)
    return {
        "Body": base,
        "Title": ParagraphStyle("Title", base, fontName=FONT_BOLD, fontSize=16, leading=20,
                                spaceAfter=6),
        "Heading": ParagraphStyle("Heading", base, fontName=FONT_BOLD, fontSize=11, leading=14,
                                  spaceBefore=8, spaceAfter=4, textColor="#1f3a5f",
                                  keepWithNext=1),
        "Cell": ParagraphStyle("Cell", base, fontSize=8, leading=10),
        "Caption": ParagraphStyle("Caption", base, fontSize=8, textColor="#555555", alignment=1),
        "Callout": ParagraphStyle("Callout", base, fontSize=10, leading=14, backColor="#f4f7fb",
                                  borderPadding=6, spaceBefore=4, spaceAfter=8),
    }


def key_value_table(rows: list[tuple[str, Any]], width: float, key_width: float = 110) -> Any:
    """A two-column table of labels and wrapped values."""
    from reportlab.platypus import Paragraph

    cell = styles()["Cell"]
    data = [[Paragraph(f"<b>{escape(k)}</b>", cell), Paragraph(markup(v), cell)] for k, v in rows]
    return grid_table(data, [key_width, width - key_width], header=False)


def grid_table(data: list[list[Any]], widths: list[float], header: bool = True) -> Any:
    """A plain table with light rules and, optionally, a shaded header row."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style += [("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6"))]
    table.setStyle(TableStyle(style))
    return table


def image_flowable(rgb: np.ndarray, max_width: float, max_height: float) -> Any:
    """An RGB uint8 array as a reportlab image scaled to fit the box."""
    from PIL import Image as PILImage
    from reportlab.platypus import Image

    buffer = io.BytesIO()
    PILImage.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="PNG")
    buffer.seek(0)
    height, width = rgb.shape[:2]
    scale = min(max_width / width, max_height / height)
    return Image(buffer, width=width * scale, height=height * scale)


def _numbered_canvas_class(settings: ReportSettings) -> type:
    from reportlab.lib.utils import ImageReader, simpleSplit
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        """Defers pages until the end so each footer can say "page N of M"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(len(self._pages))
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            top = height - MARGIN + 10
            x = MARGIN
            logo = _readable_logo(settings.logo_path, ImageReader)
            if logo is not None:
                w, h = logo.getSize()
                scale = _HEADER_HEIGHT * 0.8 / h
                self.drawImage(logo, x, top - _HEADER_HEIGHT * 0.8 + 14, w * scale,
                               _HEADER_HEIGHT * 0.8, mask="auto")
                x += w * scale + 8
            self.setFont(FONT_BOLD, 11)
            self.drawString(x, top, settings.clinic_name or "SkinDesk")
            self.setFont(FONT, 7)
            self.setFillGray(0.4)
            self.drawRightString(width - MARGIN, top, f"SkinDesk {__version__}")
            self.setStrokeGray(0.7)
            self.line(MARGIN, top - 8 - (10 if logo else 0), width - MARGIN, top - 8 - (10 if logo else 0))
            lines = simpleSplit(DISCLAIMER, FONT, _FOOTER_SIZE, width - 2 * MARGIN - 70)
            for i, line in enumerate(lines):
                self.drawString(MARGIN, 22 + 9 * (len(lines) - 1 - i), line)
            self.drawRightString(width - MARGIN, 22, f"page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def _readable_logo(path: str | None, reader: Any) -> Any:
    """The logo image, or None: a missing logo must not stop a report."""
    if not path:
        return None
    try:
        return reader(str(path))
    except Exception:  # noqa: BLE001 - any unreadable file just means no logo
        return None


def build_pdf(path: str | Path, story: list[Any], settings: ReportSettings, title: str) -> Path:
    """Lay ``story`` out on the practice's page template and write the PDF.

    Args:
        path: Where to write; parent folders are created.
        story: reportlab flowables.
        settings: Header, logo and page size.
        title: The PDF's document title.

    Returns:
        The path written.
    """
    try:
        from reportlab import rl_config
        from reportlab.platypus import SimpleDocTemplate
    except ImportError:
        raise UserError("PDF reports need reportlab: pip install reportlab") from None
    # Binary image streams: ASCII85 makes them a quarter bigger and, without
    # reportlab's optional C accelerator, costs pure-Python time per image.
    rl_config.useA85 = 0
    register_fonts()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = SimpleDocTemplate(
        str(path), pagesize=settings.pagesize(), leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + _HEADER_HEIGHT, bottomMargin=MARGIN + 20, title=title,
        author=settings.clinic_name or "SkinDesk", creator=f"SkinDesk {__version__}",
    )
    document.build(story, canvasmaker=_numbered_canvas_class(settings))
    return path


def content_width(settings: ReportSettings) -> float:
    """Usable width of a page between the margins, in points."""
    return settings.pagesize()[0] - 2 * MARGIN
