"""Canvas drawings for the result: class probability bars and the P(malignant) gauge.

Drawn directly on Tk canvases (no matplotlib, whose import alone would
cost the start-up a second); they redraw when resized or re-themed.
"""

from __future__ import annotations

import tkinter
import tkinter.font as tkfont
from collections.abc import Sequence
from typing import Literal

import ttkbootstrap as ttk

from skindesk.gui.presenters import Bar, percent, probability_text
from skindesk.gui.themes import Palette

Anchor = Literal["w", "center", "e"]
_DEFAULT_PALETTE = Palette("#ffffff", "#212529", "#6c757d", "#2c3e50", "#e74c3c",
                           "#18bc9c", "#f39c12", "#e9ecef")


class _CanvasDrawing(ttk.Frame):
    """A canvas that redraws itself when resized or given a new palette."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.canvas = ttk.Canvas(self, highlightthickness=0, height=1, autostyle=False)
        self.canvas.pack(fill="x", expand=True)
        self.canvas.bind("<Configure>", lambda _e: self.redraw())
        self.palette = _DEFAULT_PALETTE
        self.font = tkfont.nametofont("TkDefaultFont")
        self.bold = self.font.copy()
        self.bold.configure(weight="bold")
        self.line = self.font.metrics("linespace")

    def apply_palette(self, palette: Palette) -> None:
        """Recolour for the current theme."""
        self.palette = palette
        self.canvas.configure(background=palette.bg)
        self.redraw()

    def redraw(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class ProbabilityChart(_CanvasDrawing):
    """Horizontal bars, one per class, most probable first; malignant classes in red."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.bars: tuple[Bar, ...] = ()

    def set_bars(self, bars: Sequence[Bar]) -> None:
        """Show these bars (an empty sequence clears the chart)."""
        self.bars = tuple(bars)
        self.redraw()

    def redraw(self) -> None:
        """Draw the bars for the canvas's current width; long class names wrap."""
        c, p = self.canvas, self.palette
        c.delete("all")
        if not self.bars:
            c.configure(height=1)
            return
        width = max(c.winfo_width(), 200)
        label_w = min(max(self.bold.measure(b.label) for b in self.bars) + 12, int(width * 0.5))
        pct_w = self.font.measure("100%") + 8
        track_w = max(width - label_w - pct_w - 4, 20)
        gap, bar_h = int(self.line * 0.55), max(int(self.line * 0.6), 6)
        y = 2
        for bar in self.bars:
            font = self.bold if bar.top else self.font
            label = c.create_text(0, y, text=bar.label, anchor="nw", fill=p.fg, font=font,
                                  width=label_w - 10)
            _, top, _, bottom = c.bbox(label)
            mid = y + (bottom - top) / 2
            x0 = label_w
            c.create_rectangle(x0, mid - bar_h / 2, x0 + track_w, mid + bar_h / 2,
                               fill=p.track, width=0)
            colour = p.danger if bar.malignant else p.primary
            c.create_rectangle(x0, mid - bar_h / 2, x0 + track_w * bar.probability,
                               mid + bar_h / 2, fill=colour, width=0)
            c.create_text(x0 + track_w + 6, mid, text=percent(bar.probability), anchor="w",
                          fill=p.fg, font=font)
            y += (bottom - top) + gap
        height = int(y - gap + 4)
        if int(c.cget("height")) != height:
            c.configure(height=height)


class MalignancyGauge(_CanvasDrawing):
    """A 0–1 scale with P(malignant) as a bar and the operating threshold as a marker."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.value: float | None = None
        self.threshold = 0.5
        self.canvas.configure(height=int(self.line * 2.8))

    def set_value(self, value: float | None, threshold: float) -> None:
        """Show P(malignant) ``value`` against ``threshold`` (None clears it)."""
        self.value, self.threshold = value, threshold
        self.redraw()

    def redraw(self) -> None:
        """Draw the gauge for the canvas's current width."""
        c, p = self.canvas, self.palette
        c.delete("all")
        if self.value is None:
            return
        width = max(c.winfo_width(), 200)
        pad = self.font.measure("0.0") // 2 + 2
        x0, x1 = pad, width - pad
        y, h = self.line * 0.9, max(self.line * 0.7, 8)
        flagged = self.value >= self.threshold
        c.create_rectangle(x0, y - h / 2, x1, y + h / 2, fill=p.track, width=0)
        c.create_rectangle(x0, y - h / 2, x0 + (x1 - x0) * self.value, y + h / 2,
                           fill=p.danger if flagged else p.success, width=0)
        tx = x0 + (x1 - x0) * self.threshold
        c.create_line(tx, y - h, tx, y + h, fill=p.fg, width=2)
        label_y = y + h / 2 + self.line * 0.75
        label = f"threshold {probability_text(self.threshold)}"
        anchor: Anchor = "center"
        if self.threshold > 0.75:
            anchor = "e"
        elif self.threshold < 0.25:
            anchor = "w"
        c.create_text(tx, label_y, text=label, anchor=anchor, fill=p.fg, font=self.font)
        # The scale's ends, unless the threshold label sits there.
        if self.threshold > 0.3:
            c.create_text(x0, label_y, text="0", anchor="w", fill=p.muted, font=self.font)
        if self.threshold < 0.7:
            c.create_text(x1, label_y, text="1", anchor="e", fill=p.muted, font=self.font)

