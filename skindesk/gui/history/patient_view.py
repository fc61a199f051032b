"""One patient's record: visits and their analyses on a timeline, lesions, details.

The timeline is a tree: each visit (newest first) with the analyses made at
it, each analysis with its lesion, top class, P(malignant), flag, model and
the clinician's assessment. Selecting an analysis shows its thumbnail and
everything stored about it; double-clicking (or Open) reopens it in the
main window. The lesion list opens a lesion's follow-up.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk
from PIL import Image, ImageTk

from skindesk.gui.history import timeline
from skindesk.gui.units import px

TIMELINE_COLUMNS = (("lesion", "Lesion", 105), ("top", "Most likely", 140),
                    ("p", "P(malignant)", 106), ("flag", "Flagged", 72),
                    ("model", "Model", 100), ("assessment", "Assessment", 140))
LESION_COLUMNS = (("site", "Site", 90), ("first", "First seen", 88),
                  ("count", "Analyses", 80), ("last", "Latest P(malignant)", 140))
THUMBNAIL = 160
EMPTY_RECORD = ("No analyses saved yet. In the main window, analyse an image, then choose "
                "Save to patient… (Ctrl+R).")


class PatientView(ttk.Frame):
    """Shows a :class:`~skindesk.core.history.PatientRecord`.

    Args:
        master: Parent widget.
        on_open: Called with an analysis id to reopen it in the main window.
        on_followup: Called with a lesion id to show its follow-up.
        load_thumbnail: ``(image_id, callback)``: fetch a thumbnail (a PIL image) in a worker.
    """

    def __init__(self, master: tkinter.Misc, on_open: Callable[[int], None],
                 on_followup: Callable[[int], object],
                 load_thumbnail: Callable[[int, Callable[[Any], None]], None]) -> None:
        super().__init__(master, padding=(px(10), px(6)))
        self._on_open, self._on_followup = on_open, on_followup
        self._load_thumbnail = load_thumbnail
        self.record: Any = None
        self._groups: list[timeline.VisitGroup] = []
        self._class_name: Callable[[str], str] = str
        self._photo: ImageTk.PhotoImage | None = None
        self.title = ttk.Label(self, font="TkHeadingFont", justify="left")
        self.title.pack(anchor="w")
        self.notes = ttk.Label(self, justify="left", bootstyle="secondary", wraplength=700)
        self.notes.pack(anchor="w", pady=(0, px(6)))
        # Below the timeline: the selected analysis (left) and the lesions (right).
        lower = ttk.Frame(self)
        lower.pack(side="bottom", fill="x", pady=(px(8), 0))
        self._detail_pane(lower)
        self._lesion_pane(lower)
        timeline_frame = ttk.Frame(self)
        timeline_frame.pack(fill="both", expand=True)
        self.tree = _tree(timeline_frame, TIMELINE_COLUMNS, "Visit / image", 250, height=10)
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._analysis_selected())
        self.tree.bind("<Double-1>", lambda _e: self.open_selected())
        self.tree.bind("<Return>", lambda _e: self.open_selected())
        self.clear("Choose a patient on the left, or create one with New…")

    def _detail_pane(self, master: tkinter.Misc) -> None:
        pane = ttk.Frame(master)
        pane.pack(side="left", fill="y", anchor="n")
        self.thumbnail = ttk.Label(pane)
        self.thumbnail.pack(side="left", anchor="n")
        text = ttk.Frame(pane, padding=(px(8), 0))
        text.pack(side="left", fill="y", anchor="n")
        self.details = ttk.Label(text, justify="left", wraplength=250)
        self.details.pack(anchor="w", pady=(0, px(6)))
        self.open_button = ttk.Button(text, text="Open in main window", bootstyle="primary",
                                      command=self.open_selected, state="disabled")
        self.open_button.pack(anchor="w")
        self.actions = ttk.Frame(text)  # more buttons (Export PDF report…)
        self.actions.pack(anchor="w")

    def _lesion_pane(self, master: tkinter.Misc) -> None:
        pane = ttk.Frame(master)
        pane.pack(side="left", fill="both", expand=True, padx=(px(8), 0))
        header = ttk.Frame(pane)
        header.pack(fill="x", pady=(0, px(2)))
        ttk.Label(header, text="Lesions").pack(side="left")
        self.followup_button = ttk.Button(header, text="Follow-up…", bootstyle="secondary",
                                          command=self.followup_selected, state="disabled")
        self.followup_button.pack(side="right")
        self.lesions = _tree(pane, LESION_COLUMNS, "Lesion", 58, height=5)
        self.lesions.bind("<Double-1>", lambda _e: self.followup_selected())
        self.lesions.bind("<<TreeviewSelect>>", lambda _e: self._lesion_selected())

    # Content --------------------------------------------------------------------
    def clear(self, message: str) -> None:
        """No patient: show ``message``."""
        self.record = None
        self.title.configure(text=message)
        self.notes.configure(text="")
        self._fill([], [])

    def show(self, record: Any, class_name: Callable[[str], str]) -> None:
        """Show a patient's record; ``class_name`` turns class ids into names."""
        self.record, self._class_name = record, class_name
        self.title.configure(text=timeline.patient_title(record.patient))
        self.notes.configure(text=record.patient.notes)
        self._fill(timeline.visit_groups(record, class_name), timeline.lesion_rows(record))

    def _fill(self, groups: list[timeline.VisitGroup], lesions: list[timeline.LesionRow]) -> None:
        self._groups = groups
        self.tree.delete(*self.tree.get_children())
        self.lesions.delete(*self.lesions.get_children())
        for group in groups:
            self.tree.insert("", "end", iid=group.key, text=group.title, open=True,
                             tags=("visit",))
            for row in group.rows:
                self.tree.insert(group.key, "end", iid=f"a{row.analysis_id}", text=row.image,
                                 values=(row.lesion, row.top_class, row.p_malignant,
                                         "⚑ yes" if row.flagged else "no", row.model,
                                         row.assessment),
                                 tags=("flagged" if row.flagged else "analysis",))
        for lesion in lesions:
            self.lesions.insert("", "end", iid=f"l{lesion.lesion_id}", text=lesion.label,
                                values=(lesion.site, lesion.first_seen, lesion.analyses,
                                        lesion.last_p))
        self.tree.tag_configure("visit", font="TkHeadingFont")
        if lesions:  # so Follow-up… is one click away
            self.lesions.selection_set(f"l{lesions[0].lesion_id}")
        self._analysis_selected()
        self._lesion_selected()

    # Selection --------------------------------------------------------------------
    @property
    def selected_analysis(self) -> int | None:
        """The analysis selected in the timeline, if any."""
        chosen = self.tree.selection()
        return int(chosen[0][1:]) if chosen and chosen[0].startswith("a") else None

    def select_analysis(self, analysis_id: int) -> None:
        """Select (and show) one analysis of the timeline."""
        iid = f"a{analysis_id}"
        self.tree.selection_set(iid)
        self.tree.see(iid)
        self._analysis_selected()

    def _analysis_selected(self) -> None:
        analysis_id = self.selected_analysis
        self.open_button.configure(state="normal" if analysis_id else "disabled")
        self.thumbnail.configure(image="")
        if analysis_id is None or self.record is None:
            self.details.configure(text=self._visit_text())
            return
        self.details.configure(
            text=timeline.analysis_details(self.record, analysis_id, self._class_name))
        image_id = next(a.image_id for a in self.record.analyses if a.id == analysis_id)
        self._load_thumbnail(image_id, lambda picture: self._show_thumbnail(analysis_id, picture))

    def _visit_text(self) -> str:
        if self.record is not None and not self.record.analyses:
            return EMPTY_RECORD
        chosen = self.tree.selection()
        group = next((g for g in self._groups if chosen and g.key == chosen[0]), None)
        hint = "Select an analysis to see it; double-click reopens it."
        return f"{group.details}\n{hint}" if group is not None else hint

    def _show_thumbnail(self, analysis_id: int, picture: Image.Image) -> None:
        if self.selected_analysis == analysis_id and self.winfo_exists():
            self._photo = ImageTk.PhotoImage(picture, master=self)
            self.thumbnail.configure(image=self._photo)

    def open_selected(self) -> None:
        """Reopen the selected analysis in the main window."""
        if self.selected_analysis is not None:
            self._on_open(self.selected_analysis)

    @property
    def selected_lesion(self) -> int | None:
        """The lesion selected in the lesion list, if any."""
        chosen = self.lesions.selection()
        return int(chosen[0][1:]) if chosen else None

    def _lesion_selected(self) -> None:
        state = "normal" if self.selected_lesion is not None else "disabled"
        self.followup_button.configure(state=state)

    def followup_selected(self) -> None:
        """Show the selected lesion's follow-up."""
        if self.selected_lesion is not None:
            self._on_followup(self.selected_lesion)


def _tree(master: tkinter.Misc, columns: tuple[tuple[str, str, int], ...], first: str,
          first_width: int, height: int) -> ttk.Treeview:
    frame = ttk.Frame(master)
    frame.pack(fill="both", expand=True)
    tree = ttk.Treeview(frame, columns=[c[0] for c in columns], height=height,
                        selectmode="browse")
    tree.heading("#0", text=first, anchor="w")
    tree.column("#0", width=first_width, minwidth=60, stretch=False)
    for name, text, width in columns:
        tree.heading(name, text=text, anchor="w")
        tree.column(name, width=width, minwidth=40, stretch=name in ("assessment", "last"))
    scroll = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
    tree.configure(yscrollcommand=scroll.set)
    tree.pack(side="left", fill="both", expand=True)
    scroll.pack(side="right", fill="y")
    return tree
