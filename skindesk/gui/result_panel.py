"""The result of one analysis, in words first and then in numbers.

Top: the most probable class in words; P(malignant) against the model's
operating threshold as a sentence, a badge and a gauge; then every class's
probability as bars; image-quality warnings; and the clinician's
assessment. It reports what the model estimates, never a diagnosis.
"""

from __future__ import annotations

import tkinter
import tkinter.font as tkfont
from collections.abc import Callable

import ttkbootstrap as ttk

from skindesk.gui.assessment_form import AssessmentForm
from skindesk.gui.documents import Assessment
from skindesk.gui.presenters import ResultSummary
from skindesk.gui.prob_chart import MalignancyGauge, ProbabilityChart
from skindesk.gui.themes import Palette
from skindesk.gui.units import px


class ResultPanel(ttk.Frame):
    """Shows one image's result, or why there is none yet.

    Args:
        master: Parent widget.
        on_assessment: Called with each edit of the assessment.
    """

    def __init__(self, master: tkinter.Misc, on_assessment: Callable[[Assessment], None]) -> None:
        super().__init__(master, padding=(px(12), px(10)))
        heading = tkfont.nametofont("TkHeadingFont").copy()
        heading.configure(size=int(heading.actual("size") * 1.3) or 13, weight="bold")
        self._heading_font = heading
        self.state_label = ttk.Label(self, justify="left")
        self.headline = ttk.Label(self, font=heading, justify="left")
        # A plain tk Label: a filled badge in the theme's danger/success colour.
        self.flag_badge = ttk.TkLabel(self, fg="white", autostyle=False)
        self.flag_badge.configure(padx=self.winfo_pixels(px(8)), pady=self.winfo_pixels(px(2)))
        self._palette: Palette | None = None
        self.malignancy = ttk.Label(self, justify="left")
        self.gauge = MalignancyGauge(self)
        self.chart_title = ttk.Label(self, text="Probability of each class")
        self.chart = ProbabilityChart(self)
        self.warnings = ttk.Label(self, justify="left", bootstyle="warning")
        self.context = ttk.Label(self, justify="left")
        self.assessment = AssessmentForm(self, on_assessment)
        self.actions = ttk.Frame(self)  # buttons for the shown result (e.g. Export PDF report…)
        self._wrapped = (self.state_label, self.headline, self.malignancy, self.warnings, self.context)
        self.bind("<Configure>", self._rewrap)
        self.summary: ResultSummary | None = None
        self.show_message("")

    # States ---------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        """No result: show ``text`` (e.g. 'Not analysed yet') instead."""
        self.summary = None
        self._clear()
        self.state_label.configure(text=text, bootstyle="danger" if error else "default")
        self.state_label.pack(fill="x", anchor="w")

    def show_result(self, summary: ResultSummary, context: str, assessment: Assessment) -> None:
        """Show a result and the clinician's assessment of it so far."""
        self.summary = summary
        self._clear()
        self.headline.configure(text=summary.headline)
        self.flag_badge.configure(text=summary.flag_label)
        self._colour_badge()
        self.malignancy.configure(text=summary.malignancy_line)
        self.gauge.set_value(summary.malignant_probability, summary.threshold)
        self.chart.set_bars(summary.bars)
        self.warnings.configure(text="\n".join(f"⚠ {w}" for w in summary.warnings))
        self.context.configure(text=f"{context}\n{summary.footnote}")
        self.headline.pack(fill="x", anchor="w")
        self.flag_badge.pack(anchor="w", pady=(px(6), px(2)))
        self.malignancy.pack(fill="x", anchor="w")
        self.gauge.pack(fill="x", pady=(px(4), px(8)))
        self.chart_title.pack(fill="x", anchor="w")
        self.chart.pack(fill="x", pady=(px(2), px(6)))
        if summary.warnings:
            self.warnings.pack(fill="x", anchor="w", pady=(0, px(6)))
        self.context.pack(fill="x", anchor="w", pady=(0, px(8)))
        self.assessment.pack(fill="x")
        self.actions.pack(fill="x", pady=(px(10), 0))
        self.assessment.set_value(assessment)

    # Text for tests and screen readers -------------------------------------------
    def visible_text(self) -> str:
        """All text currently shown, top to bottom."""
        parts = []
        for widget in self.pack_slaves():
            if "text" in widget.keys() and widget.cget("text"):  # noqa: SIM118 - Tk options
                parts.append(str(widget.cget("text")))
        return "\n".join(parts)

    def apply_palette(self, palette: Palette) -> None:
        """Recolour the drawings for the current theme."""
        self._palette = palette
        self.gauge.apply_palette(palette)
        self.chart.apply_palette(palette)
        self._colour_badge()

    def _colour_badge(self) -> None:
        if self._palette is not None and self.summary is not None:
            colour = self._palette.danger if self.summary.flagged else self._palette.success
            self.flag_badge.configure(background=colour, foreground="white")

    def _clear(self) -> None:
        for widget in self.pack_slaves():
            widget.pack_forget()

    def _rewrap(self, event: tkinter.Event) -> None:
        width = max(event.width - 24, 150)
        for label in self._wrapped:
            label.configure(wraplength=width)

