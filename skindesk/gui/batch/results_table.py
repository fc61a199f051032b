"""The scan's results as a sortable, filterable table with thumbnails.

Rows arrive one by one while the scan runs and are inserted straight into
their sorted place (highest P(malignant) first until a header is clicked),
so the most worrying images are always at the top. Flagged rows are
tinted, failed ones red, skipped ones grey. Thumbnails are made only for
the rows on screen (see :mod:`.tree_thumbnails`); double-click or Enter opens a
row's image.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Literal

import ttkbootstrap as ttk

from skindesk.gui.batch.rows import (
    COLUMNS,
    DEFAULT_SORT,
    FIRST_CLICK_DESCENDING,
    ResultRow,
    RowFilter,
    insert_position,
    sort_rows,
    sort_value,
)  # fmt: skip
from skindesk.gui.batch.tree_thumbnails import TreeThumbnails
from skindesk.gui.tasks import TaskRunner
from skindesk.gui.themes import Palette
from skindesk.gui.units import px

# 96-dpi pixels; together they fit the window's default size without a cut-off column.
_WIDTHS = {"file": 170, "class": 162, "p_malignant": 120, "review": 82, "status": 110,
           "note": 150}


def _blend(colour: str, background: str, amount: float) -> str:
    """``amount`` of ``colour`` over ``background`` (both #rrggbb): a tint that suits both themes."""
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(background[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x * amount + y * (1 - amount)):02x}" for x, y in zip(a, b))


class ResultsTable(ttk.Frame):
    """A Treeview of :class:`ResultRow` with thumbnails in its first column.

    Args:
        master: Parent widget.
        runner: Runs the thumbnail worker.
        thumb_size: Thumbnail edge in pixels (already scaled for the screen).
        on_open: Called with a row's file path on double-click or Enter.
    """

    def __init__(self, master: tkinter.Misc, runner: TaskRunner, thumb_size: int,
                 on_open: Callable[[str], None]) -> None:
        super().__init__(master)
        self._on_open = on_open
        self._rows: dict[str, ResultRow] = {}  # every row, in arrival order
        self._shown: list[str] = []  # iids on display, in order
        self._shown_values: list[object] = []  # their sort values, for insertion
        self.sort_column, self.descending = DEFAULT_SORT
        self.filter = RowFilter()
        style = "BatchResults.Treeview"
        ttk.Style().configure(style, rowheight=thumb_size + 6)
        self.tree = ttk.Treeview(self, columns=[c for c, _, _ in COLUMNS], style=style,
                                 selectmode="browse")
        self.tree.column("#0", width=thumb_size + 20, minwidth=thumb_size + 20, stretch=False)
        for column, _, _ in COLUMNS:
            self.tree.column(column, width=self.winfo_pixels(px(_WIDTHS[column])), minwidth=60,
                             stretch=column in ("file", "note"),
                             anchor="e" if column == "p_malignant" else "w")
            self.tree.heading(column, command=self._sorter(column))
        self._label_headings()
        self.thumbnails = TreeThumbnails(self.tree, runner, thumb_size, self._image_path)
        self._scroll = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=self._scrolled)
        self.tree.pack(side="left", fill="both", expand=True)
        self._scroll.pack(side="right", fill="y")
        self.tree.bind("<Double-Button-1>", self._double_click)
        self.tree.bind("<Return>", lambda _e: self._open(self.tree.focus()))
        self.tree.bind("<Configure>", lambda _e: self.thumbnails.schedule())

    # Rows -----------------------------------------------------------------------------
    def add(self, row: ResultRow) -> None:
        """Add one result; it appears in its sorted place if the filter accepts it."""
        self._rows[row.iid] = row
        if not self.filter.accepts(row):
            return
        value = sort_value(row, self.sort_column)
        index = insert_position(self._shown_values, value, self.descending)
        self._insert(row, index)
        self._shown.insert(index, row.iid)
        self._shown_values.insert(index, value)
        self.thumbnails.schedule()

    def clear(self) -> None:
        """Remove every row (a new scan starts)."""
        self._rows.clear()
        self.thumbnails.clear()
        self._render()

    def row(self, iid: str) -> ResultRow:
        """The row with id ``iid``."""
        return self._rows[iid]

    def shown_rows(self) -> list[ResultRow]:
        """The rows on display, top to bottom."""
        return [self._rows[iid] for iid in self._shown]

    @property
    def total(self) -> int:
        """How many rows there are, shown or filtered out."""
        return len(self._rows)

    # Sorting and filtering -------------------------------------------------------------
    def sort_by(self, column: str, descending: bool | None = None) -> None:
        """Sort by ``column`` (a header click): again on the same column reverses the order."""
        if descending is None:
            same = column == self.sort_column
            descending = not self.descending if same else FIRST_CLICK_DESCENDING[column]
        self.sort_column, self.descending = column, descending
        self._label_headings()
        self._render()

    def set_filter(self, row_filter: RowFilter) -> None:
        """Show only the rows ``row_filter`` accepts."""
        if row_filter != self.filter:
            self.filter = row_filter
            self._render()

    def _render(self) -> None:
        """Rebuild the table from the rows (after a sort, a filter or a clear)."""
        self.tree.delete(*self.tree.get_children())
        accepted = [row for row in self._rows.values() if self.filter.accepts(row)]
        ordered = sort_rows(accepted, self.sort_column, self.descending)
        for row in ordered:
            self._insert(row, "end")
        self._shown = [row.iid for row in ordered]
        self._shown_values = [sort_value(row, self.sort_column) for row in ordered]
        self.thumbnails.forget_rows()

    def _image_path(self, iid: str) -> str | None:
        row = self._rows.get(iid)
        return row.path if row is not None and row.status == "ok" else None

    def _sorter(self, column: str) -> Callable[[], None]:
        return lambda: self.sort_by(column)

    def _insert(self, row: ResultRow, index: int | Literal["end"]) -> None:
        # Files that could not be read get no picture rather than a grey square.
        image = self.thumbnails.blank if row.status == "ok" else ""
        self.tree.insert("", index, iid=row.iid, image=image, values=row.values(),
                         tags=(row.tag,))

    def _label_headings(self) -> None:
        for column, heading, _ in COLUMNS:
            arrow = (" ▼" if self.descending else " ▲") if column == self.sort_column else ""
            self.tree.heading(column, text=heading + arrow)

    def _scrolled(self, first: float | str, last: float | str) -> None:
        """The tree scrolled: move the scroll bar and give newly shown rows their thumbnails."""
        self._scroll.set(first, last)
        self.thumbnails.schedule()

    def destroy(self) -> None:
        """Stop the thumbnail worker and timer before the widgets go."""
        self.thumbnails.close()
        super().destroy()

    # Opening and colours -----------------------------------------------------------------
    def _double_click(self, event: tkinter.Event) -> str | None:
        if self.tree.identify_region(event.x, event.y) not in ("cell", "tree"):
            return None  # a double-click on a header or divider is not an open
        self._open(self.tree.identify_row(event.y))
        return "break"

    def _open(self, iid: str) -> None:
        if iid and iid in self._rows:
            self._on_open(self._rows[iid].path)

    def apply_palette(self, palette: Palette) -> None:
        """Colour the row tags for the current theme."""
        self.tree.tag_configure("flagged", background=_blend(palette.danger, palette.bg, 0.13))
        self.tree.tag_configure("failed", foreground=palette.danger)
        self.tree.tag_configure("skipped", foreground=palette.muted)
