"""Report figures as PNG bytes: ROC curve, confusion matrix, reliability diagram.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot), so no
GUI back end is touched and drawing is safe outside the main thread.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from skindesk.core.errors import UserError

_DPI = 150


def _new_figure(width: float, height: float) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise UserError("report figures need matplotlib: pip install matplotlib") from None

    figure = Figure(figsize=(width, height), dpi=_DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    if not figure.legends:  # tight_layout ignores figure legends and would cover them
        figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def roc_figure(report: dict[str, Any]) -> bytes | None:
    """ROC curve with the card's operating point (and a chosen one) marked."""
    curve = report.get("roc_curve") or {}
    if not curve.get("fpr"):
        return None
    figure = _new_figure(3.6, 3.4)
    axes = figure.add_subplot()
    axes.plot(curve["fpr"], curve["tpr"], color="#1f5fa8", lw=1.6,
              label=f"ROC (AUC {report['roc_auc']:.2f})")
    axes.plot([0, 1], [0, 1], ls="--", color="#999999", lw=0.8, label="chance")
    points = [(report, "operating threshold", "o", "#c0392b")]
    if report.get("operating_point"):
        points.append((report["operating_point"], "chosen here", "s", "#27ae60"))
    for point, name, marker, colour in points:
        if point.get("sensitivity") is not None and point.get("specificity") is not None:
            axes.plot(1 - point["specificity"], point["sensitivity"], marker=marker, color=colour,
                      ms=7, ls="none", label=f"{name} ({point['threshold']:.3g})")
    axes.set(xlabel="1 − specificity", ylabel="sensitivity", xlim=(0, 1), ylim=(0, 1.02),
             title="Malignant vs benign")
    axes.legend(loc="lower right", fontsize=7)
    axes.grid(alpha=0.3)
    return _png(figure)


def confusion_figure(report: dict[str, Any]) -> bytes | None:
    """The confusion matrix as counts, rows normalised for the colour."""
    confusion = report.get("confusion_matrix") or {}
    labels = list(confusion.get("labels") or [])
    if not labels:
        return None
    matrix = np.array(confusion["matrix"], dtype=float)
    other = np.array(confusion.get("predicted_other_class") or [0] * len(labels), dtype=float)
    columns = labels + (["other class"] if other.any() else [])
    if other.any():
        matrix = np.column_stack([matrix, other])
    size = 1.2 + 0.55 * max(len(columns), 2)
    figure = _new_figure(min(size + 0.6, 6.5), min(size, 6.0))
    axes = figure.add_subplot()
    rows = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    axes.imshow(rows, cmap="Blues", vmin=0, vmax=1)
    for (i, j), count in np.ndenumerate(matrix):
        axes.text(j, i, f"{int(count)}", ha="center", va="center", fontsize=8,
                  color="white" if rows[i, j] > 0.6 else "black")
    axes.set_xticks(range(len(columns)), columns, rotation=45, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set(xlabel="predicted (top class)", ylabel="true", title="Confusion matrix")
    return _png(figure)


def reliability_figure(report: dict[str, Any]) -> bytes | None:
    """Observed rate of malignancy against mean predicted P(malignant), per bin."""
    bins = [b for b in report.get("reliability") or [] if b["count"]]
    if not bins:
        return None
    figure = _new_figure(3.6, 3.4)
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], ls="--", color="#999999", lw=0.8, label="perfect calibration")
    centres = [(b["low"] + b["high"]) / 2 for b in bins]
    axes.bar(centres, [b["observed"] for b in bins], width=0.09, color="#9ecae1",
             edgecolor="#1f5fa8", label="observed rate")
    axes.plot([b["mean_predicted"] for b in bins], [b["observed"] for b in bins], "o",
              color="#1f5fa8", ms=4, label="mean prediction")
    for centre, b in zip(centres, bins):
        axes.text(centre, b["observed"] + 0.02, str(b["count"]), ha="center", fontsize=6)
    axes.set(xlabel="predicted P(malignant)", ylabel="observed fraction malignant",
             xlim=(0, 1), ylim=(0, 1.1), title=f"Reliability (ECE {report['ece']:.3f})")
    # Below the axes: inside, it would hide the bars and counts near 1.
    figure.legend(loc="lower center", ncol=3, fontsize=6, frameon=False)
    figure.subplots_adjust(left=0.17, right=0.96, top=0.9, bottom=0.25)
    return _png(figure)


def all_figures(report: dict[str, Any]) -> list[tuple[str, bytes]]:
    """(caption, PNG) for each figure that the report's data allows."""
    captions = (
        ("ROC curve of P(malignant); markers: operating thresholds.", roc_figure),
        ("Reliability diagram (10 bins; numbers: images per bin).", reliability_figure),
        ("Confusion matrix over the model's classes present in the dataset.", confusion_figure),
    )
    figures = [(caption, draw(report)) for caption, draw in captions]
    return [(caption, png) for caption, png in figures if png is not None]
