"""The PDF's account of a model, from its card: identity, validated performance, limits.

Used by the single-lesion report and the patient report, in the words of
:mod:`skindesk.core.card_text` (the Model card tab's), so what the clinician
signs states the model's validated performance and known limits as the
screen does.
"""

from __future__ import annotations

from typing import Any

from skindesk.core.card_text import (
    every_test_set_lines,
    inputs_lines,
    performance_lines,
    threshold_lines,
)
from skindesk.core.modelcard import ModelCard
from skindesk.core.reports.fonts import markup
from skindesk.core.reports.layout import key_value_table, styles


def model_section(card: ModelCard, width: float, heading: str) -> list[Any]:
    """A heading, the card's key facts as a table and its known limits, kept on one page."""
    from reportlab.platypus import KeepTogether, Paragraph

    s = styles()
    rows: list[tuple[str, Any]] = [
        ("Model", f"{card.name} [{card.id}]"),
        ("Version", card.version or "not stated"),
        ("SHA-256", card.sha256),
        ("Training data", card.training_data or "not stated"),
        ("Inputs", " ".join(inputs_lines(card))),
        ("Validated performance", _performance_text(card)),
        ("Operating threshold", " ".join(threshold_lines(card.threshold))),
    ]  # fmt: skip
    parts: list[Any] = [Paragraph(markup(heading), s["Heading"]), key_value_table(rows, width, 130)]
    if card.limitations:
        parts.append(Paragraph("<b>Known limits:</b> " + " ".join(
            markup(text) for text in card.limitations), s["Cell"]))  # fmt: skip
    return [KeepTogether(parts)]


def _performance_text(card: ModelCard) -> str:
    """Every test set of the card where it has them (with where the numbers come from), else its headline."""
    tested = every_test_set_lines((card.raw or {}).get("test_results"))
    if not tested:
        return "; ".join(performance_lines(card.reported_performance))
    source = card.reported_performance.get("source")
    return " ".join(tested + ([f"Source: {source}."] if source else []))
