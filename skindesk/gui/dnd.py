"""Dropping image files (or folders) onto the window, through tkdnd."""

from __future__ import annotations

import logging
import tkinter
from collections.abc import Callable
from urllib.parse import unquote, urlparse

log = logging.getLogger(__name__)

DND_FILES = "DND_Files"  # tkinterdnd2.DND_FILES, without importing it at start-up


def parse_drop_data(tk: object, data: str) -> list[str]:
    """The paths in a tkdnd drop: a Tcl list, names with spaces in braces.

    Some file managers send ``file://`` URIs; they are turned into paths.
    """
    items = tk.splitlist(data)  # type: ignore[attr-defined]
    found = []
    for item in items:
        text = str(item).strip()
        if text.startswith("file://"):
            text = unquote(urlparse(text).path)
        if text:
            found.append(text)
    return found


def register_drop_target(widget: tkinter.Misc, on_paths: Callable[[list[str]], object]) -> bool:
    """Accept dropped files on ``widget``; False when tkdnd is not loaded."""
    try:
        widget.drop_target_register(DND_FILES)  # type: ignore[attr-defined]
    except (AttributeError, tkinter.TclError) as error:
        log.info("no drop target on %s: %s", widget, error)
        return False

    def dropped(event: object) -> str:
        paths = parse_drop_data(widget.tk, getattr(event, "data", ""))
        if paths:
            widget.after_idle(on_paths, paths)
        return "copy"

    widget.dnd_bind("<<Drop>>", dropped)  # type: ignore[attr-defined]
    return True
