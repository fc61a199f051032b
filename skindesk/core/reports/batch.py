"""The batch PDF: a scan's totals, every image ranked by P(malignant), the failures.

Rows come from :class:`~skindesk.core.batch.ScanItem` objects (a scan just
run) or from the JSON Lines a scan wrote (``skindesk scan --json``).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skindesk.core.batch.items import ScanItem
from skindesk.core.errors import UserError
from skindesk.core.modelcard import ModelCard
from skindesk.core.reports.charts import class_count_chart
from skindesk.core.reports.layout import (
    ReportSettings,
    build_pdf,
    content_width,
    escape,
    grid_table,
    key_value_table,
    styles,
)  # fmt: skip

_THUMB = 34  # points


@dataclass(frozen=True)
class BatchRow:
    """One file of a scan, as the batch report needs it."""

    path: str
    relpath: str
    status: str
    error: str | None = None
    top_class: str | None = None
    p_malignant: float | None = None
    flagged: bool = False
    threshold: float | None = None
    warnings: list[str] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)


def rows_from_items(items: list[ScanItem]) -> list[BatchRow]:
    """Report rows from scan items."""
    return [_row(item.to_dict()) for item in items]


def rows_from_jsonl(path: str | Path) -> list[BatchRow]:
    """Report rows from a scan's JSON Lines output; raises UserError when unreadable."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return [_row(json.loads(line)) for line in lines if line.strip()]
    except (OSError, ValueError, KeyError) as error:
        raise UserError(f"cannot read scan results {path}: {error}") from None


def _row(data: dict[str, Any]) -> BatchRow:
    return BatchRow(
        path=data["path"], relpath=data.get("relpath") or Path(data["path"]).name,
        status=data.get("status") or ("ok" if data.get("top_class") else "failed"),
        error=data.get("error"), top_class=data.get("top_class"),
        p_malignant=data.get("malignant_probability"), flagged=bool(data.get("flagged")),
        threshold=data.get("threshold"),
        warnings=[w.get("message", "") for w in data.get("warnings") or []],
        probabilities=dict(data.get("probabilities") or {}),
    )


def write_batch_report(path: str | Path, rows: list[BatchRow], card: ModelCard,
                       settings: ReportSettings | None = None, title: str = "",
                       pages: bool = False) -> Path:
    """Write the batch PDF at ``path`` and return the path.

    Args:
        path: Where to write.
        rows: One per file (skipped non-images are counted, not listed).
        card: The model that produced the results (class names, threshold).
        settings: Header and page size.
        title: Optional subtitle, e.g. the scanned folder.
        pages: Add one page per analysed image after the summary (see :mod:`.batch_pages`).
    """
    settings = settings or ReportSettings()
    width = content_width(settings)
    story = _summary(rows, card, width, title) + _ranked_table(rows, card, width)
    story += _failures(rows, width)
    if pages:
        from skindesk.core.reports.batch_pages import image_pages

        story += image_pages(rows, card)
    return build_pdf(path, story, settings, title="SkinDesk batch report")


def _summary(rows: list[BatchRow], card: ModelCard, width: float, title: str) -> list[Any]:
    from reportlab.platypus import Image, Paragraph

    s = styles()
    ok = [r for r in rows if r.status == "ok"]
    counts = Counter(r.top_class for r in ok if r.top_class)
    threshold = card.threshold.value
    stats = [("Files", len(rows)), ("Analysed", len(ok)),
             ("Flagged for review", f"{sum(r.flagged for r in ok)} (P(malignant) ≥ {threshold:.2f})"),
             ("Failed", sum(r.status == "failed" for r in rows)),
             ("Skipped (not images)", sum(r.status == "skipped" for r in rows)),
             ("Model", f"{card.name} [{card.id}] {card.version}".strip())]
    stats += [(f"{card.class_name(c)} [{c}]", n) for c, n in counts.most_common()]
    story: list[Any] = [Paragraph("Batch analysis summary", s["Title"])]
    if title:
        story.append(Paragraph(escape(title), s["Body"]))
    story += [Paragraph("Totals", s["Heading"]), key_value_table(stats, width, 150)]
    if counts:
        chart = Image(io.BytesIO(class_count_chart(dict(counts), card)))
        scale = min(width * 0.7 / chart.drawWidth, 1.0)
        chart.drawWidth, chart.drawHeight = chart.drawWidth * scale, chart.drawHeight * scale
        story.append(chart)
    return story


def _ranked_table(rows: list[BatchRow], card: ModelCard, width: float) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph

    s = styles()
    ok = sorted((r for r in rows if r.status == "ok"), key=lambda r: -(r.p_malignant or 0.0))
    data: list[list[Any]] = [["", "File", "Top class", "P(malignant)", "Review", "Warnings"]]
    for row in ok:
        data.append([_thumbnail(row.path), Paragraph(escape(row.relpath), s["Cell"]),
                     Paragraph(escape(card.class_name(row.top_class or "")), s["Cell"]),
                     f"{row.p_malignant or 0.0:.3f}", "FLAGGED" if row.flagged else "",
                     Paragraph(escape("; ".join(row.warnings)), s["Cell"])])
    widths = [_THUMB + 6, width * 0.24, width * 0.14, 62, 50]
    widths.append(width - sum(widths))
    table = grid_table(data, widths)
    flagged_rows = [i + 1 for i, r in enumerate(ok) if r.flagged]
    table.setStyle([("TEXTCOLOR", (4, i), (4, i), colors.HexColor("#c0392b")) for i in flagged_rows])
    heading = Paragraph("Images by P(malignant), highest first", s["Heading"])
    return [heading, table] if ok else [heading, Paragraph("No image was analysed.", s["Body"])]


def _thumbnail(path: str) -> Any:
    """A small picture of the image, or a dash when it can no longer be read."""
    from skindesk.core.reports.layout import image_flowable

    try:
        from skindesk.core.imageio import load_image

        rgb = load_image(path, max_side=100).rgb  # a JPEG decodes at reduced scale
    except Exception:  # noqa: BLE001 - a moved or deleted file must not stop the report
        return "–"
    return image_flowable(_shrink(rgb), _THUMB, _THUMB)


def _shrink(rgb: Any) -> Any:
    import cv2

    # Full-size photos would bloat the PDF; thumbnails need ~100 px.
    scale = 100 / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _failures(rows: list[BatchRow], width: float) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = styles()
    failed = [r for r in rows if r.status == "failed"]
    if not failed:
        return []
    data: list[list[Any]] = [["File", "Reason"]]
    data += [[Paragraph(escape(r.relpath), s["Cell"]), Paragraph(escape(r.error or ""), s["Cell"])]
             for r in failed]
    return [Paragraph(f"Files that could not be analysed ({len(failed)})", s["Heading"]),
            grid_table(data, [width * 0.55, width * 0.45])]
