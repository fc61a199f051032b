"""Messages inside the Models dialogs: user errors as they are, bugs via the log."""

from __future__ import annotations

import logging
import tkinter

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.core.logs import log_internal_error
from skindesk.gui.errors import internal_error_message

log = logging.getLogger(__name__)

#: message kind -> ttkbootstrap colour
KINDS = {"error": "danger", "ok": "success", "info": "secondary"}


def error_text(error: BaseException, context: str) -> str:
    """What to show for ``error``: a user error's message, else 'internal error, see the log'."""
    if isinstance(error, UserError):
        log.info("user error %s: %s", context, error)
        return str(error)
    log_path = log_internal_error(f"internal error in the Models dialog {context}", error)
    return internal_error_message(error, log_path)


class MessageLine(ttk.Label):
    """One wrapped line of feedback: an error in red, a success in green, a note in grey."""

    def __init__(self, master: tkinter.Misc, wraplength: int = 640) -> None:
        super().__init__(master, justify="left", wraplength=wraplength)
        self.kind = ""

    @property
    def text(self) -> str:
        """The message shown ('' when none)."""
        return str(self.cget("text"))

    def show(self, text: str, kind: str = "info") -> None:
        """Show ``text``; ``kind`` is 'error', 'ok' or 'info'."""
        self.kind = kind
        self.configure(text=text, bootstyle=KINDS[kind])

    def show_error(self, error: BaseException, context: str = "") -> None:
        """Show an exception as :func:`error_text` words it."""
        self.show(error_text(error, context), "error")

    def clear(self) -> None:
        """Show nothing."""
        self.kind = ""
        self.configure(text="")
