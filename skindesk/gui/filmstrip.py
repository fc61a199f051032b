"""The list of open images: thumbnail, file name and a one-line status each.

Up/Down (and Left/Right) move through the list; the selection is the image
shown in the viewer.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable

import ttkbootstrap as ttk
from PIL import Image, ImageDraw, ImageTk

from skindesk.gui.themes import Palette

STATUS_TAGS = ("normal", "flagged", "error", "busy")


class Filmstrip(ttk.Frame):
    """A scrollable list of images.

    Args:
        master: Parent widget.
        thumb_size: Thumbnail edge in pixels (already scaled for the screen).
        on_select: Called with the selected item's id (or None when the list empties).
    """

    def __init__(
        self,
        master: tkinter.Misc,
        thumb_size: int,
        on_select: Callable[[str | None], None],
    ) -> None:
        super().__init__(master)
        self._thumb_size = thumb_size
        self._on_select = on_select
        self._photos: dict[str, ImageTk.PhotoImage] = {}
        self._names: dict[str, str] = {}
        style_name = "Filmstrip.Treeview"
        ttk.Style().configure(style_name, rowheight=thumb_size + max(8, thumb_size // 6))
        self.tree = ttk.Treeview(self, show="tree", selectmode="browse", style=style_name)
        scrollbar = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scrollbar.set)
        self.tree.pack(side="left", fill="both", expand=True)
        scrollbar.pack(side="right", fill="y")
        self._placeholder = ImageTk.PhotoImage(_placeholder(thumb_size), master=self)
        self._broken = ImageTk.PhotoImage(_placeholder(thumb_size, broken=True), master=self)
        self.tree.bind("<<TreeviewSelect>>", self._selection_changed)
        for key, step in (("<Left>", -1), ("<Right>", 1)):
            self.tree.bind(key, self._move_handler(step))
        self._last_selected: str | None = None

    # Items --------------------------------------------------------------------
    def add(self, item_id: str, name: str, status: str = "Loading…") -> None:
        """Append an image (with a grey placeholder until its thumbnail arrives)."""
        self._names[item_id] = name
        self.tree.insert("", "end", iid=item_id, image=self._placeholder,
                         text=self._label(name, status), tags=("busy",))

    def set_thumbnail(self, item_id: str, thumbnail: Image.Image) -> None:
        """Show the real thumbnail of an item."""
        if not self.tree.exists(item_id):
            return
        photo = ImageTk.PhotoImage(thumbnail, master=self)
        self._photos[item_id] = photo
        self.tree.item(item_id, image=photo)

    def mark_unreadable(self, item_id: str) -> None:
        """Show a crossed-out thumbnail for a file that could not be read."""
        if self.tree.exists(item_id):
            self.tree.item(item_id, image=self._broken)

    def set_status(self, item_id: str, status: str, tag: str = "normal") -> None:
        """Change the second line of an item; ``tag`` colours it (see STATUS_TAGS)."""
        if self.tree.exists(item_id):
            self.tree.item(item_id, text=self._label(self._names[item_id], status), tags=(tag,))

    def status_text(self, item_id: str) -> str:
        """The status line of an item (for tests and accessibility)."""
        return str(self.tree.item(item_id, "text")).split("\n", 1)[-1].strip()

    def remove(self, item_id: str) -> None:
        """Remove an item; the selection moves to its neighbour."""
        if not self.tree.exists(item_id):
            return
        ids = self.ids()
        index = ids.index(item_id)
        self.tree.delete(item_id)
        self._photos.pop(item_id, None)
        self._names.pop(item_id, None)
        rest = self.ids()
        self.select(rest[min(index, len(rest) - 1)] if rest else None)

    def ids(self) -> list[str]:
        """Item ids in display order."""
        return list(self.tree.get_children(""))

    # Selection --------------------------------------------------------------------
    def selected(self) -> str | None:
        """The selected item's id."""
        selection = self.tree.selection()
        return selection[0] if selection else None

    def select(self, item_id: str | None) -> None:
        """Select (and scroll to) an item; None clears the selection."""
        if item_id is None:
            self.tree.selection_set(())
            self._notify(None)
            return
        self.tree.selection_set(item_id)
        self.tree.focus(item_id)
        self.tree.see(item_id)
        self._notify(item_id)  # now, not when <<TreeviewSelect>> arrives

    def move(self, step: int) -> None:
        """Select the previous (-1) or next (+1) image, stopping at the ends."""
        ids = self.ids()
        if not ids:
            return
        current = self.selected()
        index = ids.index(current) + step if current in ids else 0
        self.select(ids[max(0, min(index, len(ids) - 1))])

    def apply_palette(self, palette: Palette) -> None:
        """Colour the status tags for the current theme."""
        self.tree.tag_configure("flagged", foreground=palette.danger)
        self.tree.tag_configure("error", foreground=palette.danger)
        self.tree.tag_configure("busy", foreground=palette.muted)

    def _move_handler(self, step: int) -> Callable[[tkinter.Event], str]:
        def handler(_event: tkinter.Event) -> str:
            self.move(step)
            return "break"  # Left/Right would otherwise fold tree items

        return handler

    def _selection_changed(self, _event: tkinter.Event) -> None:
        self._notify(self.selected())

    def _notify(self, item_id: str | None) -> None:
        if item_id != self._last_selected:
            self._last_selected = item_id
            self._on_select(item_id)

    @staticmethod
    def _label(name: str, status: str) -> str:
        return f" {name}\n {status}"


def _placeholder(size: int, broken: bool = False) -> Image.Image:
    """A grey square; crossed out in red for files that cannot be read."""
    image = Image.new("RGB", (size, size), (170, 170, 170))
    if broken:
        draw = ImageDraw.Draw(image)
        inset, width = size // 4, max(2, size // 16)
        draw.line((inset, inset, size - inset, size - inset), fill=(200, 40, 40), width=width)
        draw.line((inset, size - inset, size - inset, inset), fill=(200, 40, 40), width=width)
    return image
