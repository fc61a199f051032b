"""The installed models as a list: name, bundled or user, threshold; the default starred."""

from __future__ import annotations

import tkinter
from collections.abc import Callable, Sequence

import ttkbootstrap as ttk

from skindesk.gui.models.workbench import ModelEntry
from skindesk.gui.presenters import probability_text

DEFAULT_MARK = "★"


def row_values(entry: ModelEntry) -> tuple[str, str, str]:
    """(model, source, threshold) cells of one model's row."""
    mark = f"{DEFAULT_MARK} " if entry.default else "   "
    source = "bundled" if entry.bundled else "yours"
    if entry.default:
        source += ", default"
    return f"{mark}{entry.card.name}", source, probability_text(entry.card.threshold.value)


class ModelList(ttk.Frame):
    """A Treeview of models; the selection is reported by id.

    Args:
        master: Parent widget.
        on_select: Called with the selected model's id.
    """

    def __init__(self, master: tkinter.Misc, on_select: Callable[[str], None]) -> None:
        super().__init__(master)
        self._on_select = on_select
        self.tree = ttk.Treeview(self, columns=("model", "source", "threshold"), show="headings",
                                 selectmode="browse", height=10)
        for column, text, width, stretch in (("model", "Model", 250, True),
                                             ("source", "Source", 125, False),
                                             ("threshold", "Threshold", 90, False)):
            self.tree.heading(column, text=text, anchor="w")
            self.tree.column(column, width=width, stretch=stretch, anchor="w")
        self.tree.pack(fill="both", expand=True)
        self.tree.tag_configure("default", font="TkHeadingFont")
        self.tree.bind("<<TreeviewSelect>>", self._selected)
        self.entries: dict[str, ModelEntry] = {}
        self._reported: str | None = None

    def set_models(self, entries: Sequence[ModelEntry], select: str | None = None) -> None:
        """Show ``entries``; select ``select`` (else the previous selection, else the default)."""
        previous = self.selected
        self.tree.delete(*self.tree.get_children())
        self.entries = {e.card.id: e for e in entries}
        for entry in entries:
            self.tree.insert("", "end", iid=entry.card.id, values=row_values(entry),
                             tags=("default",) if entry.default else ())
        default = next((e.card.id for e in entries if e.default), None)
        wanted = next((m for m in (select, previous, default) if m in self.entries), None)
        if wanted is None and entries:
            wanted = entries[0].card.id
        if wanted is not None:
            self.select(wanted)

    @property
    def selected(self) -> str | None:
        """The selected model's id, or None."""
        chosen = self.tree.selection()
        return str(chosen[0]) if chosen else None

    def select(self, model_id: str) -> None:
        """Select ``model_id`` and report it now."""
        self.tree.selection_set(model_id)
        self.tree.focus(model_id)
        self.tree.see(model_id)
        self._reported = model_id
        self._on_select(model_id)

    def _selected(self, _event: object) -> None:
        model_id = self.selected
        if model_id is not None and model_id != self._reported:  # select() reported it already
            self._reported = model_id
            self._on_select(model_id)
