"""Every folder SkinDesk reads or writes, in one patchable module.

User folders come from platformdirs, or all live under ``$SKINDESK_HOME``
when it is set (tests point it at a temporary folder). Bundled resources
(``models/``, ``assets/``) are found next to the package in a source
checkout and inside the unpacked bundle when frozen by PyInstaller.
Call the functions (``paths.data_dir()``) rather than caching their values,
so a changed environment takes effect.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "SkinDesk"
HOME_ENV = "SKINDESK_HOME"


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def _ensure(path: Path) -> Path:
    # Owner-only: the folders hold patient images and results.
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def data_dir() -> Path:
    """Folder for the user's data (database, image store, imported models)."""
    home = _home_override()
    return _ensure(home / "data" if home else platformdirs.user_data_path(APP_NAME, False))


def config_dir() -> Path:
    """Folder for settings files."""
    home = _home_override()
    return _ensure(home / "config" if home else platformdirs.user_config_path(APP_NAME, False))


def cache_dir() -> Path:
    """Folder for disposable caches (thumbnails, compiled models)."""
    home = _home_override()
    return _ensure(home / "cache" if home else platformdirs.user_cache_path(APP_NAME, False))


def log_dir() -> Path:
    """Folder for log files."""
    home = _home_override()
    return _ensure(home / "logs" if home else platformdirs.user_log_path(APP_NAME, False))


def log_file() -> Path:
    """The application log, where internal errors are written with tracebacks."""
    return log_dir() / "skindesk.log"


def user_models_dir() -> Path:
    """Folder for models the user imported or trained."""
    return _ensure(data_dir() / "models")


def evaluations_dir() -> Path:
    """Folder of stored evaluation reports, one subfolder per model id."""
    return _ensure(data_dir() / "evaluations")


def bundle_root() -> Path:
    """Root of the bundled resources: the PyInstaller unpack folder or the checkout."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def bundled_models_dir() -> Path:
    """Folder of the models shipped with SkinDesk (read-only)."""
    return bundle_root() / "models"


def assets_dir() -> Path:
    """Folder of bundled assets (icons, fonts)."""
    return bundle_root() / "assets"
