"""Embedded TrueType fonts for the reports.

DejaVu Sans ships with matplotlib, so it is always there, and covers Latin,
Greek and Cyrillic names; the 14 standard PDF fonts cannot show "Ł" or "Ñ"
reliably. Characters DejaVu lacks (e.g. Chinese) are set in a system
fallback font when one is installed.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


@functools.cache
def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab, once per process."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    # So that <b> in paragraphs picks the bold face instead of Helvetica-Bold.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)


# System fonts for characters DejaVu lacks (e.g. Chinese names); first found wins.
_FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
FALLBACK = "SkinDeskFallback"


@functools.cache
def _fallback_available() -> bool:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for candidate in _FALLBACK_FONTS:
        try:
            pdfmetrics.registerFont(TTFont(FALLBACK, candidate))
            return True
        except Exception:  # noqa: BLE001, S112 - missing or unsupported font: try the next
            continue
    return False


def markup(text: Any) -> str:
    """Escaped text; characters DejaVu lacks are set in a system fallback font if any."""
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    covered = pdfmetrics.getFont(FONT).face.charToGlyph
    parts = []
    for char in str(text):
        safe = escape(char)
        if ord(char) not in covered and char.strip() and _fallback_available():
            safe = f'<font name="{FALLBACK}">{safe}</font>'
        parts.append(safe)
    return "".join(parts)


def escape(text: Any) -> str:
    """Text made safe for reportlab's paragraph mark-up."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
