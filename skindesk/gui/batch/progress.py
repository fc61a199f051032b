"""The scan's progress: a bar with the count, the rate and the time left."""

from __future__ import annotations

import tkinter
from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.units import px


def duration(seconds: float) -> str:
    """``seconds`` in words a person reads at a glance: '45 s', '3 min 05 s', '1 h 02 min'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def progress_text(progress: Any) -> str:
    """A running scan's :class:`~skindesk.core.batch.ScanProgress` in words."""
    if progress.total is None:
        count = f"{progress.done:,} files so far (still counting)"
    else:
        count = f"{progress.done:,} of {progress.total:,} files"
    if progress.analysed == 0:
        return count
    parts = [count, f"{progress.rate:.1f} images/s"]
    if progress.eta is not None:
        parts.append("almost done" if progress.eta < 1 else f"about {duration(progress.eta)} left")
    return " · ".join(parts)


def finished_text(summary: Any, cancelled: bool, total: int | None) -> str:
    """How a scan ended, from its :class:`~skindesk.core.batch.ScanSummary`."""
    elapsed = duration(summary.elapsed)
    if cancelled:
        of = f" of {total:,}" if total else ""
        return f"Cancelled after {summary.total:,}{of} files ({elapsed})."
    rate = f", {summary.rate:.1f} images/s" if summary.new_analysed else ""
    return f"Finished: {summary.total:,} files in {elapsed}{rate}."


class ProgressStrip(ttk.Frame):
    """A progress bar and a line of text beside it."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.bar = ttk.Progressbar(self, mode="determinate", length=260, maximum=1, value=0)
        self.label = ttk.Label(self, text="Choose a folder and press Start.")
        self.bar.pack(side="left")
        self.label.pack(side="left", fill="x", expand=True, padx=(px(10), 0))

    @property
    def text(self) -> str:
        """What the line says (for tests and screen readers)."""
        return str(self.label.cget("text"))

    def starting(self, text: str) -> None:
        """The scan is being set up: an indeterminate bar."""
        self.bar.configure(mode="indeterminate")
        self.bar.start(15)
        self.label.configure(text=text)

    def update_progress(self, progress: Any) -> None:
        """Show a :class:`~skindesk.core.batch.ScanProgress`."""
        if progress.total:
            if str(self.bar.cget("mode")) != "determinate":
                self.bar.stop()
                self.bar.configure(mode="determinate")
            self.bar.configure(maximum=progress.total, value=progress.done)
        elif str(self.bar.cget("mode")) != "indeterminate":
            self.bar.configure(mode="indeterminate")
            self.bar.start(15)
        self.label.configure(text=progress_text(progress))

    def finish(self, text: str, done: int, total: int | None) -> None:
        """The scan ended: a still bar and how it ended."""
        self.bar.stop()
        self.bar.configure(mode="determinate", maximum=max(total or done, 1), value=done)
        self.label.configure(text=text)

    def stop(self) -> None:
        """Stop the animation (before the window is destroyed)."""
        self.bar.stop()
