"""Thumbnails in a Treeview's first column, for the rows on screen only.

Tk keeps every PhotoImage in memory until it is deleted, so a table of
100,000 rows cannot hold one per row. Here only the rows in view (and a
few below) hold a picture; a row scrolled away goes back to a grey square
and its thumbnail waits in the :class:`~.thumbnails.ThumbnailCache` for
when it comes back.
"""

from __future__ import annotations

from collections.abc import Callable

import ttkbootstrap as ttk
from PIL import Image, ImageTk

from skindesk.gui.batch.thumbnails import ThumbnailCache
from skindesk.gui.tasks import TaskRunner

REFRESH_MS = 60  # batch the work while rows stream in or the user scrolls


class TreeThumbnails:
    """Keeps the thumbnails of ``tree``'s visible rows.

    Args:
        tree: The Treeview (rows of one level).
        runner: Runs the thumbnail worker.
        size: Thumbnail edge in pixels.
        path_of: A row id's image file, or None for rows without a picture.
    """

    def __init__(self, tree: ttk.Treeview, runner: TaskRunner, size: int,
                 path_of: Callable[[str], str | None]) -> None:
        self.tree = tree
        self._path_of = path_of
        self.cache = ThumbnailCache(runner, size, self._ready)
        self.blank = ImageTk.PhotoImage(Image.new("RGB", (size, size), (170, 170, 170)),
                                        master=tree)
        self.photos: dict[str, ImageTk.PhotoImage] = {}  # row id -> picture, rows in view only
        self._in_view: dict[str, str] = {}  # path -> row id of the image rows in view
        self._refresh_id: str | None = None

    def schedule(self) -> None:
        """Look at what is in view shortly (rows arrived, the tree scrolled or resized)."""
        if self._refresh_id is None:
            self._refresh_id = self.tree.after(REFRESH_MS, self.refresh)

    def visible_ids(self, margin: int = 5) -> list[str]:
        """The rows on screen (and ``margin`` more below), top to bottom."""
        # The first row below the heading; the heading's height depends on the font.
        iid = next((row for y in range(0, 80, 4) if (row := self.tree.identify_row(y))), "")
        visible: list[str] = []
        while iid and margin >= 0:
            visible.append(iid)
            if not self.tree.bbox(iid):
                margin -= 1
            iid = self.tree.next(iid)
        return visible

    def refresh(self) -> None:
        """Give the rows in view their thumbnails; free those of rows scrolled away."""
        self._refresh_id = None
        visible = self.visible_ids()
        for iid in set(self.photos) - set(visible):
            del self.photos[iid]
            if self.tree.exists(iid):
                self.tree.item(iid, image=self.blank)
        self._in_view = {path: iid for iid in visible if (path := self._path_of(iid))}
        wanted = []
        for path, iid in self._in_view.items():
            picture = self.cache.get(path)
            if picture is not None and iid not in self.photos:
                self._show(iid, picture)
            elif picture is None and not self.cache.known(path):
                wanted.append(path)
        self.cache.request(wanted)

    def forget_rows(self) -> None:
        """The tree was emptied or rebuilt: its rows hold no pictures any more."""
        self.photos.clear()
        self._in_view.clear()
        self.schedule()

    def clear(self) -> None:
        """A new scan: forget the cached thumbnails too."""
        self.cache.clear()
        self.forget_rows()

    def close(self) -> None:
        """Stop the worker and the timer (the table is going away)."""
        self.cache.close()
        if self._refresh_id is not None:
            self.tree.after_cancel(self._refresh_id)
            self._refresh_id = None

    def _ready(self, path: str, picture: Image.Image | None) -> None:
        iid = self._in_view.get(path)
        if picture is not None and iid is not None and self.tree.exists(iid):
            self._show(iid, picture)

    def _show(self, iid: str, picture: Image.Image) -> None:
        photo = ImageTk.PhotoImage(picture, master=self.tree)
        self.photos[iid] = photo
        self.tree.item(iid, image=photo)
