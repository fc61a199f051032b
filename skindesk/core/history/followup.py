"""Lesion follow-up: one lesion's analyses over time, and how it changed.

Each point is dated by its visit, else by the image's acquisition date,
else by when the analysis was saved. Sizes come from the analysis's
measurements, in millimetres only: pixel sizes of images taken at
different distances cannot be compared. P(malignant) from different models
is not comparable either, so :attr:`FollowUp.mixed_models` says when that is so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from skindesk.core.history.models import Analysis, Lesion, PatientRecord


@dataclass(frozen=True)
class FollowUpPoint:
    """One analysis of the lesion."""

    analysis_id: int
    when: str
    model_id: str
    malignant_probability: float
    threshold: float
    flagged: bool
    diameter_mm: float | None
    area_mm2: float | None
    colour_count: int | None


@dataclass(frozen=True)
class FollowUp:
    """A lesion's analyses, oldest first."""

    lesion: Lesion
    points: list[FollowUpPoint]

    @property
    def mixed_models(self) -> bool:
        """True when different models produced the points (their P(malignant) differ in kind)."""
        return len({p.model_id for p in self.points}) > 1

    def change(self) -> dict[str, Any]:
        """Last minus first for each measure (None where either lacks it), and the days between."""
        if len(self.points) < 2:
            return {}
        first, last = self.points[0], self.points[-1]
        out: dict[str, Any] = {"days": (_time(last.when) - _time(first.when)).days}
        for name in ("malignant_probability", "diameter_mm", "area_mm2", "colour_count"):
            a, b = getattr(first, name), getattr(last, name)
            out[name] = None if a is None or b is None else b - a
        out["mixed_models"] = self.mixed_models
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with the change summary."""
        return {"lesion": asdict(self.lesion), "points": [asdict(p) for p in self.points],
                "change": self.change()}  # fmt: skip


def build_followup(record: PatientRecord, lesion: Lesion) -> FollowUp:
    """The follow-up of one of the record's lesions."""
    visits = {v.id: v.visit_at for v in record.visits}
    acquired = {i.id: i.acquired_at for i in record.images}
    points = []
    for analysis in record.analyses:
        if analysis.lesion_id != lesion.id:
            continue
        when = (
            (visits.get(analysis.visit_id) if analysis.visit_id is not None else None)
            or acquired.get(analysis.image_id)
            or analysis.created_at
        )
        points.append(_point(analysis, when))
    points.sort(key=lambda p: (_time(p.when), p.analysis_id))
    return FollowUp(lesion, points)


def _point(analysis: Analysis, when: str) -> FollowUpPoint:
    m = analysis.measurements if isinstance(analysis.measurements, dict) else {}
    diameter = _number(m.get("max_diameter_mm"))
    if diameter is None:
        diameter = _number(m.get("equivalent_diameter_mm"))
    colours = m.get("colours")
    count = len(colours) if isinstance(colours, list) else _number(m.get("colour_count"))
    return FollowUpPoint(
        analysis.id, when, analysis.model_id, analysis.malignant_probability, analysis.threshold,
        analysis.flagged, diameter, _number(m.get("area_mm2")),
        int(count) if count is not None else None,
    )  # fmt: skip


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _time(text: str) -> datetime:
    """A naive local datetime, so aware and naive times sort together."""
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone().replace(tzinfo=None) if parsed.tzinfo else parsed


def plot_followup(followup: FollowUp, out_png: Path | str) -> Path:
    """Draw P(malignant) over time with the review threshold; save as PNG.

    Uses matplotlib's Agg canvas directly (no pyplot), so it needs no display
    and keeps no global figure state between calls or threads.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    times = [float(date2num(_time(p.when))) for p in followup.points]
    probs = [p.malignant_probability for p in followup.points]
    ax.plot(times, probs, "-", color="0.4", linewidth=1)
    for flagged, colour, label in ((False, "tab:blue", "below threshold"),
                                   (True, "tab:red", "at/above threshold")):  # fmt: skip
        chosen = [(t, p.malignant_probability) for t, p in zip(times, followup.points)
                  if p.flagged == flagged]  # fmt: skip
        if chosen:
            ax.scatter(*zip(*chosen), color=colour, zorder=3, label=label)
    if followup.points:
        ax.axhline(followup.points[-1].threshold, color="tab:red", linestyle="--", linewidth=1,
                   label="review threshold")  # fmt: skip
    ax.xaxis_date()
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(malignant)")
    title = f"Lesion {followup.lesion.label}" + (
        " (different models!)" if followup.mixed_models else ""
    )
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    out = Path(out_png)
    fig.savefig(out, format="png")
    return out
