"""The preprocessing steps as a list: a check mark to switch each on or off.

Selecting a row shows the image after that step (the first row is the
original); clicking the check mark, or Space, switches a step on or off.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable, Sequence

import ttkbootstrap as ttk

ORIGINAL = -1  # the index of the "Original image" row
ON, OFF = "☑", "☐"


class StepList(ttk.Frame):
    """A Treeview of steps.

    Args:
        master: Parent widget.
        on_toggle: Called with a step's index when its check mark is clicked.
        on_select: Called with the selected step's index (:data:`ORIGINAL` for the first row).
    """

    def __init__(self, master: tkinter.Misc, on_toggle: Callable[[int], None],
                 on_select: Callable[[int], None]) -> None:
        super().__init__(master)
        self._on_toggle = on_toggle
        self._on_select = on_select
        self._quiet = False
        self.tree = ttk.Treeview(self, columns=("on", "step"), show="headings", height=8,
                                 selectmode="browse")
        self.tree.heading("on", text="On")
        self.tree.heading("step", text="Step (select to see the image after it)")
        self.tree.column("on", width=40, stretch=False, anchor="center")
        self.tree.column("step", width=260, stretch=True)
        self.tree.pack(fill="both", expand=True)
        self.tree.bind("<ButtonRelease-1>", self._clicked)
        self.tree.bind("<space>", lambda _e: self._toggle(self.selected))
        self.tree.bind("<<TreeviewSelect>>", self._selected)

    def set_steps(self, rows: Sequence[tuple[bool, str]], selected: int) -> None:
        """Show ``(enabled, text)`` rows after the "Original image" row; select one."""
        self._quiet = True
        try:
            self.tree.delete(*self.tree.get_children())
            self.tree.insert("", "end", iid="orig", values=("", "Original image"))
            for index, (enabled, text) in enumerate(rows):
                self.tree.insert("", "end", iid=str(index), values=(ON if enabled else OFF, text))
            self.select(selected)
        finally:
            self._quiet = False

    def update_step(self, index: int, enabled: bool, text: str) -> None:
        """Change one row's mark and text."""
        self.tree.item(str(index), values=(ON if enabled else OFF, text))

    def select(self, index: int) -> None:
        """Select a row (:data:`ORIGINAL` for the first)."""
        iid = "orig" if index == ORIGINAL else str(index)
        self.tree.selection_set(iid)
        self.tree.see(iid)

    @property
    def selected(self) -> int:
        """The selected row's step index (:data:`ORIGINAL` for the first row)."""
        chosen = self.tree.selection()
        return ORIGINAL if not chosen or chosen[0] == "orig" else int(chosen[0])

    def row_text(self, index: int) -> tuple[str, str]:
        """(mark, text) of a step's row, as shown."""
        values = self.tree.item(str(index), "values")
        return str(values[0]), str(values[1])

    def _clicked(self, event: tkinter.Event) -> None:
        row = self.tree.identify_row(event.y)
        if row and row != "orig" and self.tree.identify_column(event.x) == "#1":
            self._toggle(int(row))

    def _toggle(self, index: int) -> None:
        if index != ORIGINAL:
            self._on_toggle(index)

    def _selected(self, _event: tkinter.Event) -> None:
        if not self._quiet:
            self._on_select(self.selected)
