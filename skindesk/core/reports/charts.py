"""Small matplotlib (Agg) charts for the reports, returned as PNG bytes."""

from __future__ import annotations

import io

from skindesk.core.modelcard import ModelCard
from skindesk.core.prediction import Prediction

_MALIGNANT, _BENIGN = "#c0392b", "#4a78a8"


def probability_chart(prediction: Prediction, card: ModelCard) -> bytes:
    """Horizontal bars of every class's probability, malignant classes in red."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    ids = list(prediction.probabilities)
    malignant = set(card.malignant_class_ids)
    labels = [f"{card.class_name(c)} [{c}]" for c in ids]
    values = [prediction.probabilities[c] for c in ids]
    # Figure() rather than pyplot: no global state, safe from worker threads.
    figure = Figure(figsize=(5.2, 0.32 * len(ids) + 0.7), dpi=150)
    axes = figure.add_subplot()
    colours = [_MALIGNANT if c in malignant else _BENIGN for c in ids]
    axes.barh(range(len(ids)), values, color=colours)
    axes.set_yticks(range(len(ids)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("probability", fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    for i, value in enumerate(values):
        axes.text(min(value + 0.01, 0.9), i, f"{value:.2f}", va="center", fontsize=6)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def class_count_chart(counts: dict[str, int], card: ModelCard) -> bytes:
    """Bars of how many images had each top class."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    ids = [c for c in card.class_ids if counts.get(c)] or list(counts)
    figure = Figure(figsize=(5.2, 0.3 * max(len(ids), 1) + 0.7), dpi=150)
    axes = figure.add_subplot()
    malignant = set(card.malignant_class_ids)
    axes.barh(range(len(ids)), [counts.get(c, 0) for c in ids],
              color=[_MALIGNANT if c in malignant else _BENIGN for c in ids])
    axes.set_yticks(range(len(ids)), [f"{card.class_name(c)} [{c}]" for c in ids], fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel("images (top class)", fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
