"""The image-quality checks a scan runs on each decoded image, when installed.

:mod:`skindesk.core.quality` is optional for scans: without it, items just
have no warnings. Its warnings become plain ``{"code", "message", ...}``
dicts so they journal and export as JSON.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

QualityCheck = Callable[[np.ndarray], list[dict[str, Any]]]


def default_quality_check() -> QualityCheck | None:
    """The app's image-quality checks (:mod:`skindesk.core.quality`), if installed.

    Its ``check_quality(rgb)`` returns warnings with ``code`` and ``message``;
    they are turned into plain dicts here.
    """
    try:
        module = importlib.import_module("skindesk.core.quality")
    except ImportError:
        return None
    check = getattr(module, "check_quality", None)
    if check is None:
        return None

    def run_check(rgb: np.ndarray) -> list[dict[str, Any]]:
        try:
            return [_warning_dict(w) for w in check(rgb)]
        except Exception:  # warnings inform; a failing check must not fail the file
            log.exception("image-quality check failed")
            return []

    return run_check


def _warning_dict(warning: Any) -> dict[str, Any]:
    if isinstance(warning, dict):
        return dict(warning)
    if hasattr(warning, "to_dict"):
        return dict(warning.to_dict())
    return {
        "code": getattr(warning, "code", "quality"),
        "message": getattr(warning, "message", str(warning)),
    }
