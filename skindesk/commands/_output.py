"""Small helpers shared by the sub-commands for printing results."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from skindesk import DISCLAIMER


def print_json_line(data: dict[str, Any], stream: TextIO | None = None) -> None:
    """One compact JSON object per line (JSON Lines), flushed at once."""
    out = stream or sys.stdout
    out.write(json.dumps(data, ensure_ascii=False) + "\n")
    out.flush()


def print_table(rows: list[list[str]], headers: list[str], stream: TextIO | None = None) -> None:
    """A plain left-aligned text table."""
    out = stream or sys.stdout
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out.write(line.rstrip() + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")
    out.flush()


def print_disclaimer(stream: TextIO | None = None) -> None:
    """The decision-support note every human-readable report ends with."""
    (stream or sys.stdout).write(f"\nNote: {DISCLAIMER}\n")


def unused_details_note(card: Any, metadata: Any) -> str | None:
    """A line saying that the patient details given were not used, for an image-only model; else None."""
    from skindesk.core.card_text import PATIENT_FIELDS, metadata_fields

    used = metadata_fields(card)
    unused = [name for name in PATIENT_FIELDS if getattr(metadata, name) is not None and name not in used]
    if not unused:
        return None
    return (f"Not used by this model: {', '.join(unused)} (recorded only; "
            f"its result depends on {' and '.join(['the image', *used])}).")
