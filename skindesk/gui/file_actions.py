"""The main window's File actions: Open…, Open recent, Paste path…, Close image.

Opened files become :class:`~skindesk.gui.documents.ImageDocument` entries of
the image list at once; their pixels are decoded in a worker by the
:class:`~skindesk.gui.opening.ImageOpener`, and files that cannot be read
are reported together once the batch is done.
"""

from __future__ import annotations

from pathlib import Path
from tkinter import filedialog
from typing import TYPE_CHECKING

from skindesk.core.errors import UserError
from skindesk.gui.documents import ImageDocument
from skindesk.gui.image_loading import IMAGE_SUFFIXES, expand_paths
from skindesk.gui.opening import Decoded, ImageOpener

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow


class FileActions:
    """Opens and closes images for the window ``window``."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.opener = ImageOpener(window.runner, window.ui.thumb_size,
                                  self._decoded, self._decode_done)
        self._failures: list[str] = []  # "name: reason" of this batch's unreadable files

    def open_paths(self, paths: list[str]) -> list[ImageDocument]:
        """Open files (folders: the images inside); the first one is selected.

        A file already open is selected rather than opened twice; one that
        could not be read before is read again.
        """
        window = self.window
        opened: list[ImageDocument] = []
        to_decode: list[ImageDocument] = []
        known = {d.path: d for d in window.documents.values()}
        for path in expand_paths(list(paths)):
            resolved = str(Path(path).resolve())
            doc = known.get(resolved)
            if doc is None:
                doc = ImageDocument(path=resolved, patient=window.ui.patient_form.values())
                window.documents[doc.id] = known[resolved] = doc
                window.ui.filmstrip.add(doc.id, doc.name)
                to_decode.append(doc)
            elif doc.load_error:
                doc.load_error = None
                to_decode.append(doc)
            opened.append(doc)
            window.settings.add_recent(resolved)
            window.settings.last_folder = str(Path(resolved).parent)
        if to_decode:
            self.opener.decode([(d.id, d.path) for d in to_decode])
        if opened:
            window.ui.filmstrip.select(opened[0].id)
        window.update_actions()
        return opened

    def open_dialog(self) -> None:
        """File ▸ Open…: choose image files."""
        root, settings = self.window.root, self.window.settings
        types = [("Images", " ".join(f"*{s}" for s in IMAGE_SUFFIXES)), ("All files", "*")]
        chosen = filedialog.askopenfilenames(parent=root, title="Open images",
                                             initialdir=settings.last_folder or None,
                                             filetypes=types)
        if chosen:
            self.open_paths(list(root.tk.splitlist(chosen)))

    def paste_path(self) -> None:
        """File ▸ Paste path…: type or paste a file or folder path."""
        self.window.ui.path_bar.show()

    def close_current(self) -> None:
        """File ▸ Close image."""
        window = self.window
        if window.current is not None:
            doc = window.current
            del window.documents[doc.id]
            window.tools.forget(doc.id)
            window.ui.filmstrip.remove(doc.id)
            if not window.documents:
                window.selection.show(None)
            window.update_actions()

    def _decoded(self, decoded: Decoded) -> None:
        window = self.window
        doc = window.documents.get(decoded.doc_id)
        if doc is None:
            return
        if decoded.image is not None:
            doc.image = decoded.image
            window.ui.filmstrip.set_thumbnail(doc.id, decoded.image.thumbnail)
        else:
            doc.load_error = decoded.reason
            if decoded.error is not None and not isinstance(decoded.error, UserError):
                window.errors.report(decoded.error, context=f"reading {doc.name}")
            self._failures.append(f"{doc.name}: {doc.load_error}")
        window.view.show_list_status(doc)
        if doc is window.current:
            window.selection.show(doc)
        window.update_actions()

    def _decode_done(self) -> None:
        failures, self._failures = self._failures, []
        errors = self.window.errors
        if len(failures) == 1:
            errors.report(UserError(f"Cannot open {failures[0]}"))
        elif failures:
            errors.report(UserError(f"{len(failures)} files cannot be opened: "
                                    + "; ".join(failures)))
        self.window.update_actions()
