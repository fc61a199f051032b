"""Showing errors: plain messages for user errors, the log for everything else.

A :class:`~skindesk.core.errors.UserError` (unreadable image, missing model,
invalid age...) is shown as its message, without a traceback. Any other
exception is a bug: it is logged with its traceback and the user is told
"internal error, details in <log path>". :meth:`ErrorReporter.install`
routes Tk's ``report_callback_exception`` here, so an exception in any
callback ends up in the log instead of on a console nobody reads.
"""

from __future__ import annotations

import logging
import tkinter
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from skindesk.core.errors import UserError
from skindesk.core.logs import log_internal_error

log = logging.getLogger(__name__)

MessageSink = Callable[[str], None]


def internal_error_message(error: BaseException, log_path: Path) -> str:
    """The short text shown for an unexpected exception."""
    return (
        f"Internal error ({type(error).__name__}: {error}). SkinDesk keeps running; "
        f"details are in the log: {log_path}"
    )


def show_error_dialog(parent: tkinter.Misc, title: str, message: str) -> None:
    """A modal error box (ttkbootstrap's, falling back to Tk's)."""
    try:
        from ttkbootstrap.dialogs import Messagebox

        Messagebox.show_error(message, title=title, parent=parent)
    except tkinter.TclError:
        from tkinter import messagebox

        messagebox.showerror(title, message, parent=parent)


class ErrorReporter:
    """Turns exceptions into messages for the user.

    Args:
        root: The application root.
        show_user_message: Shows a user error's text, e.g. in the window's message bar.
        show_internal_dialog: Shows an internal error's text; a modal dialog by
            default. Tests replace it to record the text instead.
    """

    def __init__(
        self,
        root: tkinter.Tk,
        show_user_message: MessageSink,
        show_internal_dialog: MessageSink | None = None,
    ) -> None:
        self._root = root
        self.show_user_message = show_user_message
        self.show_internal_dialog = show_internal_dialog or self._dialog
        self.last_message: str | None = None

    def install(self) -> None:
        """Make this reporter Tk's handler for exceptions in callbacks."""
        self._root.report_callback_exception = self.report_callback_exception  # type: ignore[method-assign,assignment]

    def report(self, error: BaseException, context: str = "") -> None:
        """Show ``error``: a user error as its message, anything else via the log."""
        if isinstance(error, UserError):
            self.last_message = f"{context}{error}"
            log.info("user error: %s", self.last_message)
            self.show_user_message(self.last_message)
            return
        log_path = log_internal_error(f"internal error in the GUI {context}".rstrip(), error)
        self.last_message = internal_error_message(error, log_path)
        self.show_internal_dialog(self.last_message)

    def report_callback_exception(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """Tk's hook for exceptions raised in callbacks."""
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        try:
            self.report(exc)
        except Exception:  # reporting must never raise back into Tk
            log.exception("could not report an error")

    def _dialog(self, message: str) -> None:
        show_error_dialog(self._root, "SkinDesk: internal error", message)
