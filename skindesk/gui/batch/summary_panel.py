"""The scan's summary: totals, how many flagged, counts per class, and the failures with reasons."""

from __future__ import annotations

import tkinter
from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.batch.attach import attached_text
from skindesk.gui.units import px


def totals_text(summary: Any, card: Any) -> str:
    """The totals of a :class:`~skindesk.core.batch.ScanSummary`, one per line."""
    earlier = f" ({summary.resumed:,} from an earlier run)" if summary.resumed else ""
    lines = [f"Files: {summary.total:,}{earlier}", f"Analysed: {summary.analysed:,}"]
    # Three significant digits: a threshold such as 0.004 must not read as 0.00.
    threshold = f" (P(malignant) ≥ {card.threshold.value:.3g})" if card is not None else ""
    lines.append(f"Flagged for review: {summary.flagged:,}{threshold}")
    lines.append(f"Failed: {len(summary.failures):,}")
    lines.append(f"Skipped (not images): {summary.skipped:,}")
    return "\n".join(lines)


def classes_text(summary: Any, card: Any) -> str:
    """Analysed images per most likely class, most frequent first."""
    if not summary.class_counts:
        return "No image analysed yet."
    lines = []
    for class_id, count in summary.class_counts.most_common():
        name = card.class_name(class_id) if card is not None else class_id
        lines.append(f"{name} [{class_id}]: {count:,}")
    return "\n".join(lines)


class SummaryPanel(ttk.Frame):
    """Shows a :class:`~skindesk.core.batch.ScanSummary` as it fills.

    The failures list only ever grows during a scan, so new failures are
    appended rather than the whole list redrawn.
    """

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master, padding=(px(10), px(6)))
        ttk.Label(self, text="Summary", font="TkHeadingFont").pack(anchor="w")
        self.totals = ttk.Label(self, justify="left")
        self.totals.pack(anchor="w", pady=(px(4), px(8)))
        self.attached = ttk.Label(self, justify="left", bootstyle="info")
        self.attached.pack(anchor="w", pady=(0, px(8)))
        ttk.Label(self, text="Most likely class", font="TkHeadingFont").pack(anchor="w")
        self.classes = ttk.Label(self, justify="left")
        self.classes.pack(anchor="w", pady=(px(4), px(8)))
        self.failures_title = ttk.Label(self, font="TkHeadingFont")
        self.failures_title.pack(anchor="w")
        box = ttk.Frame(self)
        box.pack(fill="both", expand=True, pady=(px(4), 0))
        self.failures = ttk.Treeview(box, columns=("file", "reason"), show="headings", height=6)
        self.failures.heading("file", text="File", anchor="w")
        self.failures.heading("reason", text="Reason", anchor="w")
        self.failures.column("file", width=self.winfo_pixels(px(110)), stretch=False)
        self.failures.column("reason", width=self.winfo_pixels(px(260)), stretch=True)
        scroll = ttk.Scrollbar(box, orient="vertical", command=self.failures.yview)
        self.failures.configure(yscrollcommand=scroll.set)
        self.failures.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        self._listed = 0
        self.bind("<Configure>", self._rewrap)
        self.clear()

    def clear(self) -> None:
        """Nothing scanned yet."""
        self.failures.delete(*self.failures.get_children())
        self._listed = 0
        self.totals.configure(text="No scan yet.")
        self.attached.configure(text="")
        self.classes.configure(text="")
        self.failures_title.configure(text="Files that could not be analysed")

    def show(self, summary: Any, card: Any) -> None:
        """Show ``summary``'s current counts (``card`` names the classes)."""
        self.totals.configure(text=totals_text(summary, card))
        self.classes.configure(text=classes_text(summary, card))
        for relpath, reason in summary.failures[self._listed:]:
            self.failures.insert("", "end", values=(relpath, reason))
        self._listed = len(summary.failures)
        self.failures_title.configure(
            text=f"Files that could not be analysed ({self._listed:,})")

    def show_attached(self, attached: Any) -> None:
        """How many results were saved to the patient's history (an ``Attached``)."""
        self.attached.configure(text=attached_text(attached))

    def _rewrap(self, event: tkinter.Event) -> None:
        for label in (self.totals, self.attached, self.classes):
            label.configure(wraplength=max(event.width - 24, 150))

    def failure_rows(self) -> list[tuple[str, str]]:
        """The failures listed, as (file, reason) (for tests and screen readers)."""
        return [tuple(self.failures.item(i, "values")) for i in self.failures.get_children()]
