"""Small thumbnails for the result rows on screen: made in a worker, kept in a bounded cache.

Only the rows the user can see ask for thumbnails, so a scan of 100,000
files never decodes 100,000 pictures for the table. Finished thumbnails
(a few kilobytes each) stay in a least-recently-used cache so scrolling
back is instant, and the cache has a fixed size so memory stays flat.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from PIL import Image, ImageOps

from skindesk.gui.image_loading import make_thumbnail
from skindesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

CACHE_SIZE = 3000  # thumbnails kept (about 4 KB each at 36 px)


def read_thumbnail(path: str, size: int) -> Image.Image | None:
    """A ``size``-pixel square thumbnail of the image file, or None when unreadable (worker)."""
    picture: Image.Image | None
    try:
        with Image.open(path) as opened:
            # JPEG decodes straight at 1/2 to 1/8 scale: a thumbnail costs a fraction
            # of a full decode, which matters while the scan itself is using the CPU.
            opened.draft("RGB", (size * 2, size * 2))
            picture = ImageOps.exif_transpose(opened).convert("RGB")
    except Exception:  # noqa: BLE001 - not for Pillow (DICOM, odd TIFF): the engine's loader
        picture = _engine_decode(path)
    return None if picture is None else make_thumbnail((picture,), size)


def _engine_decode(path: str) -> Image.Image | None:
    try:
        from skindesk.core.imageio import load_image

        return Image.fromarray(load_image(path).rgb)
    except Exception:  # a file that cannot be shown just gets no thumbnail
        log.debug("no thumbnail for %s", path, exc_info=True)
        return None


class ThumbnailCache:
    """Makes thumbnails on request in a worker and remembers the latest ones.

    Args:
        runner: Where the worker runs.
        size: Thumbnail edge in pixels.
        on_ready: Called on the Tk thread with ``(path, thumbnail)``; the
            thumbnail is None when the file cannot be shown.
        capacity: How many thumbnails the cache keeps.
    """

    def __init__(self, runner: TaskRunner, size: int,
                 on_ready: Callable[[str, Image.Image | None], None],
                 capacity: int = CACHE_SIZE) -> None:
        self.size = size
        self._runner = runner
        self._on_ready = on_ready
        self._capacity = capacity
        self._cache: OrderedDict[str, Image.Image | None] = OrderedDict()
        self._wanted: list[str] = []
        self._lock = threading.Lock()
        self._task: Task | None = None
        self._closed = False
        self.made = 0  # thumbnails decoded so far (tests check the cache saves work)

    def get(self, path: str) -> Image.Image | None:
        """The cached thumbnail of ``path`` (None when not made yet or unreadable)."""
        picture = self._cache.get(path)
        if path in self._cache:
            self._cache.move_to_end(path)
        return picture

    def known(self, path: str) -> bool:
        """Whether ``path`` was tried already (made, or found unreadable)."""
        return path in self._cache

    def request(self, paths: list[str]) -> None:
        """Make thumbnails for ``paths``, first first; replaces earlier requests.

        Earlier requests are dropped because they were for rows that have
        scrolled out of view since.
        """
        with self._lock:
            self._wanted = [p for p in dict.fromkeys(paths) if p not in self._cache]
            wanted = bool(self._wanted)
        if wanted and self._task is None and not self._closed:
            self._task = self._runner.start(self._work, name="batch-thumbnails",
                                            on_item=self._made, on_done=self._finished)

    def clear(self) -> None:
        """Forget every thumbnail and pending request (a new scan)."""
        with self._lock:
            self._wanted = []
        self._cache.clear()

    def close(self) -> None:
        """Stop the worker (the window is closing)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()

    def _work(self, task: Task) -> None:
        while not task.cancelled:
            with self._lock:
                if not self._wanted:
                    return
                path = self._wanted.pop(0)
            task.item((path, read_thumbnail(path, self.size)))

    def _made(self, payload: tuple[str, Image.Image | None]) -> None:
        path, picture = payload
        self.made += 1
        self._cache[path] = picture
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        self._on_ready(path, picture)

    def _finished(self, ok: bool, error: BaseException | None) -> None:
        self._task = None
        if error is not None:
            log.warning("thumbnail worker stopped: %s", error)
            return
        with self._lock:
            more = bool(self._wanted)
        if more and not self._closed:
            self.request(list(self._wanted))
