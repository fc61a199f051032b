"""Logging set-up shared by the CLI and the GUI.

Internal errors are written with their traceback to :func:`paths.log_file`;
the user sees a short message that points there.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from skindesk import paths

_configured_for: Path | None = None


def configure_logging(level: int = logging.INFO) -> Path:
    """Send SkinDesk's log records to the rotating log file and return its path."""
    global _configured_for
    log_path = paths.log_file()
    if _configured_for == log_path:
        return log_path
    handler = logging.handlers.RotatingFileHandler(
        log_path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("skindesk")
    for old in [h for h in root.handlers if getattr(h, "_skindesk", False)]:
        root.removeHandler(old)
    handler._skindesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    _configured_for = log_path
    return log_path


def log_internal_error(message: str, exc: BaseException) -> Path:
    """Log an unexpected exception with its traceback; return the log's path."""
    log_path = configure_logging()
    logging.getLogger("skindesk").error(message, exc_info=(type(exc), exc, exc.__traceback__))
    return log_path
