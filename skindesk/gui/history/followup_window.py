"""Lesion follow-up: one lesion's pictures, measurements and P(malignant) over time.

Two analyses (the first and the latest, or any pair the user picks) are
compared picture by picture (:class:`PictureCompare`) and number by number
(P(malignant), diameter, area, colour count, days between); the plot shows
P(malignant) at every analysis against the review threshold. Points from
different models are not comparable, and the window says so.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk
from PIL import ImageTk

from skindesk.gui.history.access import HistoryAccess
from skindesk.gui.history.compare_pictures import PictureCompare
from skindesk.gui.history.followup_data import (
    FollowUpData,
    change_rows,
    load_followup,
    point_label,
)
from skindesk.gui.history.timeline import when_text
from skindesk.gui.units import px

MIXED_MODELS = ("Different models produced these analyses: their P(malignant) values are not "
                "directly comparable.")


class FollowUpWindow(ttk.Toplevel):
    """The follow-up of one lesion.

    Args:
        master: The window it opens over.
        access: The history.
        lesion_id: The lesion.
        on_open: Reopens an analysis in the main window: ``(patient id, analysis id)``.
    """

    def __init__(self, master: tkinter.Misc, access: HistoryAccess, lesion_id: int,
                 on_open: Callable[[int, int], None]) -> None:
        super().__init__(title="Lesion follow-up — SkinDesk", master=master.winfo_toplevel(),
                         minsize=(800, 600))
        self.lesion_id, self._on_open = lesion_id, on_open
        self.data: FollowUpData | None = None
        self._plot_photo: ImageTk.PhotoImage | None = None
        body = ttk.Frame(self, padding=(px(12), px(10)))
        body.pack(fill="both", expand=True)
        self.title_label = ttk.Label(body, text="Loading…", font="TkHeadingFont")
        self.title_label.pack(anchor="w")
        self.note = ttk.Label(body, bootstyle="warning", wraplength=900, justify="left")
        self.note.pack(anchor="w")
        self.first, self.last = tkinter.StringVar(self), tkinter.StringVar(self)
        self._pair_row(body)
        self.compare = PictureCompare(body)
        self.compare.pack(fill="x", pady=(px(6), px(8)))
        lower = ttk.Frame(body)
        lower.pack(fill="both", expand=True)
        self.table = ttk.Treeview(lower, columns=("a", "b", "change"), height=7,
                                  selectmode="none")
        for column, text, width in (("#0", "", 120), ("a", "Earlier", 90), ("b", "Later", 90),
                                    ("change", "Change", 90)):
            self.table.heading(column, text=text, anchor="w")
            self.table.column(column, width=width, stretch=False)
        self.table.pack(side="left", anchor="n")
        self.plot = ttk.Label(lower)
        self.plot.pack(side="left", anchor="n", padx=(px(12), 0))
        self.bind("<Escape>", lambda _e: self.destroy())
        access.run(lambda service: load_followup(service, lesion_id), self._loaded,
                   "Reading the lesion's follow-up failed: ")

    def _pair_row(self, body: ttk.Frame) -> None:
        row = ttk.Frame(body)
        row.pack(fill="x", pady=(px(6), 0))
        ttk.Label(row, text="Compare").pack(side="left")
        self.first_box = ttk.Combobox(row, textvariable=self.first, state="readonly", width=30)
        self.first_box.pack(side="left", padx=px(6))
        ttk.Label(row, text="with").pack(side="left")
        self.last_box = ttk.Combobox(row, textvariable=self.last, state="readonly", width=30)
        self.last_box.pack(side="left", padx=px(6))
        for box in (self.first_box, self.last_box):
            box.bind("<<ComboboxSelected>>", lambda _e: self.show_pair())
        self.open_buttons = (
            ttk.Button(row, text="Open earlier", bootstyle="secondary",
                       command=lambda: self._open(0)),
            ttk.Button(row, text="Open later in main window", bootstyle="secondary",
                       command=lambda: self._open(1)))
        self.open_buttons[1].pack(side="right")
        self.open_buttons[0].pack(side="right", padx=px(6))

    # Content ------------------------------------------------------------------------------
    def _loaded(self, data: FollowUpData) -> None:
        if not self.winfo_exists():
            return
        self.data = data
        lesion, points = data.followup.lesion, data.followup.points
        self.title_label.configure(
            text=f"Lesion {lesion.label} · {lesion.site or 'site unknown'} · first seen "
                 f"{lesion.first_seen} · {len(points)} analys{'is' if len(points) == 1 else 'es'}")
        notes = [MIXED_MODELS] if data.followup.mixed_models else []
        if not points:
            notes.append("No analysis of this lesion has been saved yet.")
        elif len(points) == 1:
            notes.append("Only one analysis so far: save another at a later visit to compare.")
        self.note.configure(text="\n".join(notes))
        labels = _labels(points)
        self.first_box.configure(values=labels)
        self.last_box.configure(values=labels)
        if points:
            self.first.set(labels[0])
            self.last.set(labels[-1])
        if data.plot is not None:
            self._plot_photo = ImageTk.PhotoImage(data.plot, master=self)
            self.plot.configure(image=self._plot_photo)
        self.show_pair()

    def pair(self) -> tuple[Any, Any] | None:
        """The two points being compared (earlier, later), or None before loading."""
        if self.data is None or not self.data.followup.points:
            return None
        points = self.data.followup.points
        labels = _labels(points)
        a = points[_index(labels, self.first.get(), 0)]
        b = points[_index(labels, self.last.get(), len(points) - 1)]
        return (a, b) if points.index(a) <= points.index(b) else (b, a)

    def show_pair(self) -> None:
        """Show the chosen pair's pictures and changes."""
        pair, data = self.pair(), self.data
        if pair is None or data is None:
            return
        from skindesk.core.history.followup import FollowUp

        a, b = pair
        self.compare.set_pictures(data.pictures[a.analysis_id], data.pictures[b.analysis_id],
                                  (when_text(a.when), when_text(b.when)))
        change = FollowUp(data.followup.lesion, [a, b]).change() if a is not b else {}
        self.table.delete(*self.table.get_children())
        for measure, earlier, later, delta in change_rows(a, b, change):
            self.table.insert("", "end", text=measure, values=(earlier, later, delta))

    def _open(self, which: int) -> None:
        pair = self.pair()
        if pair is not None and self.data is not None:
            self._on_open(self.data.followup.lesion.patient_id, pair[which].analysis_id)


def _index(labels: list[str], chosen: str, default: int) -> int:
    return labels.index(chosen) if chosen in labels else default


def _labels(points: list[Any]) -> list[str]:
    # Numbered, so two analyses at the same minute with the same result stay apart.
    return [f"{i}. {point_label(p)}" for i, p in enumerate(points, start=1)]
