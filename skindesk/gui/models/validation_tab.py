"""The Validation tab: a model's stored evaluations and the selected one's key figures."""

from __future__ import annotations

import tkinter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ttkbootstrap as ttk

from skindesk.core.evaluation.store import StoredEvaluation
from skindesk.core.evaluation.summary import fmt_ci
from skindesk.core.evaluation.tables import key_metric_rows
from skindesk.gui.units import px

NO_EVALUATIONS = ("No validation results for this model yet. Check it on your own labelled "
                  "images before trusting it: Evaluate on… below, with a folder per class "
                  "(e.g. benign/ and malignant/, or diagnosis codes such as mel/, nv/) or a "
                  "labels CSV such as HAM10000's metadata.csv.")
_HISTORY_COLUMNS = (("created", "Date", 135), ("dataset", "Dataset", 170), ("n", "Images", 70),
                    ("auc", "ROC AUC (95% CI)", 150), ("point", "Sens. / spec.", 110))


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def history_row(stored: StoredEvaluation) -> tuple[str, ...]:
    """The cells of one stored evaluation in the list."""
    report = stored.report
    data = report.get("dataset", {})
    split = f" ({data['split']})" if data.get("split") else ""
    auc = report.get("roc_auc")
    auc_text = "–" if auc is None else f"{auc:.2f} ({fmt_ci(report.get('roc_auc_ci'))[7:] or '–'})"
    point = f"{_num(report.get('sensitivity'))} / {_num(report.get('specificity'))}"
    return (stored.created.replace("T", " ")[:16], Path(str(data.get("path", "?"))).name + split,
            str(report.get("n", "?")), auc_text, point)


def figure_rows(report: dict[str, Any]) -> list[list[str]]:
    """(measure, value, detail) rows: the report's key figures, balanced accuracy always named."""
    rows = key_metric_rows(report)[1:]
    if not any(row[0] == "Balanced accuracy" for row in rows):
        rows.append(["Balanced accuracy", "–", "not computed: labels are not the model's classes"])
    return rows


class ValidationTab(ttk.Frame):
    """Stored evaluations (newest first) and the selected one's summary and figures.

    Args:
        master: Parent widget.
        commands: 'open_pdf', 'save_pdf' and 'operating_point' button callbacks.
    """

    def __init__(self, master: tkinter.Misc, commands: dict[str, Callable[[], object]]) -> None:
        super().__init__(master, padding=(px(8), px(8)))
        self.evaluations: dict[str, StoredEvaluation] = {}
        self.history = ttk.Treeview(self, columns=[c for c, _, _ in _HISTORY_COLUMNS],
                                    show="headings", selectmode="browse", height=4)
        for column, text, width in _HISTORY_COLUMNS:
            self.history.heading(column, text=text, anchor="w")
            self.history.column(column, width=width, stretch=column == "dataset", anchor="w")
        self.history.bind("<<TreeviewSelect>>", lambda _e: self._show_selected())
        self.summary = ttk.Label(self, justify="left", wraplength=620)
        self.figures = ttk.Treeview(self, columns=("measure", "value", "detail"),
                                    show="headings", selectmode="none", height=9)
        for column, text, width in (("measure", "Measure", 230), ("value", "Value", 55),
                                    ("detail", "95% CI / detail", 360)):
            self.figures.heading(column, text=text, anchor="w")
            self.figures.column(column, width=width, stretch=column == "detail", anchor="w")
        buttons = ttk.Frame(self)
        self.open_button = ttk.Button(buttons, text="Open PDF report", bootstyle="secondary",
                                      command=commands["open_pdf"])
        self.save_button = ttk.Button(buttons, text="Save PDF report…", bootstyle="secondary",
                                      command=commands["save_pdf"])
        self.point_button = ttk.Button(buttons, text="Choose operating point…",
                                       bootstyle="primary", command=commands["operating_point"])
        for button in (self.open_button, self.save_button, self.point_button):
            button.pack(side="left", padx=(0, px(6)))
        self.summary.pack(side="top", fill="x", pady=(0, px(6)))
        self.buttons = buttons
        self.bind("<Configure>", lambda e: self.summary.configure(wraplength=max(e.width - 30, 300)))
        self.set_evaluations([])

    @property
    def selected(self) -> StoredEvaluation | None:
        """The selected stored evaluation, or None."""
        chosen = self.history.selection()
        return self.evaluations.get(str(chosen[0])) if chosen else None

    def set_evaluations(self, evaluations: Sequence[StoredEvaluation],
                        select: Path | None = None) -> None:
        """List ``evaluations``; select ``select`` (a stored file) or the newest."""
        self.history.delete(*self.history.get_children())
        self.evaluations = {str(e.path): e for e in evaluations}
        for stored in evaluations:
            self.history.insert("", "end", iid=str(stored.path), values=history_row(stored))
        wanted = str(select) if select is not None and str(select) in self.evaluations else None
        wanted = wanted or next(iter(self.evaluations), None)
        if wanted is not None:
            self.history.selection_set(wanted)
            self.history.see(wanted)
        self._show_selected()

    def figures_text(self) -> str:
        """The key figures as text lines (for tests)."""
        return "\n".join(" | ".join(map(str, self.figures.item(i, "values")))
                         for i in self.figures.get_children())

    def _show_selected(self) -> None:
        stored = self.selected
        self.figures.delete(*self.figures.get_children())
        for button in (self.open_button, self.save_button):
            button.configure(state="disabled" if stored is None else "normal")
        scores = stored is not None and stored.has_scores
        self.point_button.configure(state="normal" if scores else "disabled")
        self._show_tables(bool(self.evaluations))
        if stored is None:
            self.summary.configure(text=NO_EVALUATIONS)
            return
        try:
            rows = figure_rows(stored.report)
        except (KeyError, TypeError, ValueError):  # hand-edited or from another version
            self.summary.configure(text=f"{stored.path} is not a complete evaluation report.")
            return
        self.summary.configure(text=stored.report.get("summary", ""))
        for row in rows:
            self.figures.insert("", "end", values=row)

    def _show_tables(self, shown: bool) -> None:
        """The tables and buttons only once there is something to show (else just the hint)."""
        if shown == bool(self.history.winfo_manager()):
            return
        if shown:
            self.history.pack(side="top", fill="x", before=self.summary)
            self.buttons.pack(side="bottom", fill="x", pady=(px(8), 0))
            self.figures.pack(side="top", fill="both", expand=True, pady=(px(2), 0))
        else:
            for widget in (self.history, self.figures, self.buttons):
                widget.pack_forget()
