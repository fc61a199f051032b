"""Optional per-image pages of the batch PDF: one page per analysed image.

Each page is one :class:`ImagePage` flowable that keeps only its report row
until reportlab draws it; only then is the image read, shrunk to a small
JPEG thumbnail and drawn, and the probability bars are drawn as vector
graphics rather than as a picture. Memory therefore does not grow with the
size or number of the images, only with the PDF itself (tens of kB a page,
mostly the thumbnail).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.platypus import Flowable, Paragraph

from skindesk.core.modelcard import ModelCard
from skindesk.core.reports.fonts import FONT, FONT_BOLD, escape, markup
from skindesk.core.reports.layout import styles
from skindesk.core.reports.single import threshold_sentence

if TYPE_CHECKING:
    from skindesk.core.reports.batch import BatchRow

PAGE_HEIGHT = 600.0  # points; fits an A4 and a Letter frame, so each page starts a new one
THUMBNAIL_PIXELS = 400  # longest side of the embedded JPEG
_IMAGE_HEIGHT = 250.0
_RED, _BLUE = "#c0392b", "#4a78a8"


def image_pages(rows: list[BatchRow], card: ModelCard) -> list[Any]:
    """One page per analysed row, highest P(malignant) first (the table's order)."""
    ok = sorted((r for r in rows if r.status == "ok"), key=lambda r: -(r.p_malignant or 0.0))
    return [ImagePage(row, card, rank, len(ok)) for rank, row in enumerate(ok, start=1)]


def thumbnail_jpeg(path: str, pixels: int = THUMBNAIL_PIXELS) -> tuple[bytes, int, int] | None:
    """The image as a small JPEG (longest side ``pixels``) with its width and height,
    or None when it cannot be read."""
    from PIL import Image

    from skindesk.core.imageio import load_image

    try:
        image = Image.fromarray(load_image(path, max_side=pixels).rgb)
    except Exception:  # noqa: BLE001 - a moved or damaged file must not stop the report
        return None
    image.thumbnail((pixels, pixels))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue(), image.width, image.height


class ImagePage(Flowable):  # type: ignore[misc]
    """A whole page for one analysed image, drawn only when its page is laid out."""

    def __init__(self, row: BatchRow, card: ModelCard, rank: int, total: int) -> None:
        super().__init__()
        self.row, self.card, self.rank, self.total = row, card, rank, total

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Take the rest of the frame, or ask for a fresh page when too little is left."""
        self.width = available_width
        self.height = max(available_height, PAGE_HEIGHT)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Any]:
        """Never split: the page moves to the next frame instead."""
        return []

    def draw(self) -> None:
        """Title, thumbnail and result, probability bars, warnings, top to bottom."""
        top = self.height
        top = self._paragraph(f"<b>{markup(self.row.relpath)}</b>", styles()["Heading"], top)
        caption = f"Image {self.rank} of {self.total}, ranked by P(malignant)"
        top = self._paragraph(escape(caption), styles()["Cell"], top) - 6
        self._thumbnail(top)
        self._result(top)
        top = self._bars(top - _IMAGE_HEIGHT - 18)
        self._warnings(top - 8)

    def _paragraph(self, text: str, style: Any, top: float, x: float = 0.0,
                   width: float | None = None) -> float:  # fmt: skip
        """Draw wrapped text with its top at ``top``; return the y below it."""
        paragraph = Paragraph(text, style)
        _, height = paragraph.wrapOn(self.canv, width or self.width, top)
        paragraph.drawOn(self.canv, x, top - height)
        return top - height

    def _thumbnail(self, top: float) -> None:
        thumbnail = thumbnail_jpeg(self.row.path)
        if thumbnail is None:
            self.canv.setFont(FONT, 9)
            self.canv.drawString(0, top - 20, "The image can no longer be read.")
            return
        data, w, h = thumbnail
        scale = min(self.width * 0.5 / w, _IMAGE_HEIGHT / h)
        # From a file, reportlab copies the JPEG into the PDF as it is; from an
        # in-memory ImageReader it would also decode it, and that reader lives
        # on in a reference cycle until the garbage collector runs. The file
        # name is unique in the document (the rank), as reportlab keys images by it.
        with tempfile.TemporaryDirectory(prefix="skindesk-page-") as folder:
            path = Path(folder) / f"image-{self.rank}.jpg"
            path.write_bytes(data)
            self.canv.drawImage(str(path), 0, top - h * scale, w * scale, h * scale)

    def _result(self, top: float) -> None:
        row, card = self.row, self.card
        x, width = self.width * 0.5 + 14, self.width * 0.5 - 14
        p, threshold = row.p_malignant or 0.0, row.threshold or card.threshold.value
        verdict = "FLAGGED for review" if row.flagged else "not flagged"
        top_class = f"{card.class_name(row.top_class or '')} [{row.top_class}]"
        text = (f"<b>{escape(threshold_sentence(p, threshold))}</b><br/><br/>"
                f"Result: <b>{verdict}</b><br/>Most probable class: {escape(top_class)}")
        top = self._paragraph(text, styles()["Callout"], top - 6, x + 6, width - 12) - 36
        self._gauge(x, top, width, p, threshold, row.flagged)

    def _gauge(self, x: float, y: float, width: float, p: float, threshold: float,
               flagged: bool) -> None:  # fmt: skip
        """P(malignant) as a filled bar from 0 to 1, with the threshold as a dashed line."""
        c = self.canv
        c.saveState()
        c.setFont(FONT_BOLD, 8)
        c.drawString(x, y + 14, "P(malignant) against the review threshold")
        c.setStrokeColor("#999999")
        c.rect(x, y, width, 10, stroke=1, fill=0)
        c.setFillColor(_RED if flagged else _BLUE)
        c.rect(x, y, width * min(max(p, 0.0), 1.0), 10, stroke=0, fill=1)
        c.setStrokeColor("#000000")
        c.setDash(2, 2)
        tx = x + width * min(max(threshold, 0.0), 1.0)
        c.line(tx, y - 4, tx, y + 12)
        c.setFont(FONT, 7)
        c.setFillColor("#000000")
        c.drawString(x, y - 12, "0")
        c.drawRightString(x + width, y - 12, "1")
        c.drawCentredString(min(max(tx, x + 30), x + width - 30), y - 12,
                            f"threshold {threshold:.3f}")  # fmt: skip
        c.restoreState()

    def _bars(self, top: float) -> float:
        """Every class's probability as a bar, malignant classes in red; return the y below."""
        c, card, probabilities = self.canv, self.card, self.row.probabilities
        label_width, bar_width = self.width * 0.42, self.width * 0.45
        c.saveState()
        c.setFont(FONT_BOLD, 9)
        c.drawString(0, top - 10, "Class probabilities (malignant classes in red)")
        y = top - 28
        malignant = set(card.malignant_class_ids)
        for class_id in [c_id for c_id in card.class_ids if c_id in probabilities] or probabilities:
            value = float(probabilities[class_id])
            c.setFont(FONT, 8)
            c.setFillColor("#000000")
            c.drawString(0, y + 1, f"{card.class_name(class_id)} [{class_id}]"[:60])
            c.setFillColor(_RED if class_id in malignant else _BLUE)
            c.rect(label_width, y, bar_width * min(max(value, 0.0), 1.0), 9, stroke=0, fill=1)
            c.setFillColor("#000000")
            c.drawString(label_width + bar_width + 6, y + 1, f"{value:.3f}")
            y -= 14
        c.restoreState()
        return y

    def _warnings(self, top: float) -> None:
        s = styles()
        if not self.row.warnings:
            self._paragraph("No image-quality warnings.", s["Body"], top)
            return
        top = self._paragraph("<b>Image-quality warnings</b>", s["Body"], top)
        for warning in self.row.warnings:
            top = self._paragraph("• " + escape(warning), s["Body"], top)
