"""The GUI's own settings: a typed dataclass saved as JSON in ``paths.config_dir()``.

Unknown keys are ignored and a value of the wrong type falls back to its
default, so files written by older or newer versions still load. A file
that is not valid JSON is renamed ``*.corrupt`` and the defaults are used.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skindesk import paths
from skindesk.core.jsonfile import write_json_atomic

log = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "gui.json"
LIGHT_THEME = "flatly"
DARK_THEME = "darkly"
THEMES = (LIGHT_THEME, DARK_THEME)
MAX_RECENT_FILES = 10
COMPARE_MODES = ("side", "split")


@dataclass
class GuiSettings:
    """What the desktop app remembers between sessions.

    Attributes:
        geometry: Tk geometry of the main window ("WxH+X+Y"); empty for a default size.
        maximized: Whether the window was maximised when closed.
        theme: "flatly" (light) or "darkly" (dark).
        last_folder: Where the Open dialog starts.
        recent_files: Most recent first, at most ten.
        pane_widths: Widths of the image list and side panel, in pixels (0 = default).
        ui_scale: Extra zoom for the whole interface (1.0 = follow the screen's DPI).
        preprocessing_preset: The preset the preprocessing pane started from.
        preprocessing: The edited pipeline (``Pipeline.to_dict()``); empty = the preset's.
        analyse_preprocessed: Whether analysis runs on the preprocessed image.
        compare_mode: How the preprocessing preview compares: "side" or "split".
        explain_colormap: The Grad-CAM overlay's colour map.
        explain_opacity: The Grad-CAM overlay's opacity (0..1).
        report_clinic: Practice name printed in the header of every PDF report.
        report_logo: Optional logo image file for the report header.
        report_page_size: "A4" or "Letter".
    """

    geometry: str = ""
    maximized: bool = False
    theme: str = LIGHT_THEME
    last_folder: str = ""
    recent_files: list[str] = field(default_factory=list)
    pane_widths: list[int] = field(default_factory=list)
    ui_scale: float = 1.0
    preprocessing_preset: str = "none"
    preprocessing: dict[str, Any] = field(default_factory=dict)
    analyse_preprocessed: bool = False
    compare_mode: str = "side"
    explain_colormap: str = "jet"
    explain_opacity: float = 0.4
    report_clinic: str = ""
    report_logo: str = ""
    report_page_size: str = "A4"

    def add_recent(self, path: str | os.PathLike[str]) -> None:
        """Put ``path`` first in the recent files, keeping at most ten."""
        text = str(Path(path).expanduser().resolve())
        self.recent_files = [text] + [p for p in self.recent_files if p != text]
        del self.recent_files[MAX_RECENT_FILES:]

    @property
    def dark(self) -> bool:
        """True when the dark theme is chosen."""
        return self.theme == DARK_THEME


def settings_path() -> Path:
    """Where the GUI settings live (call it; the folder may change in tests)."""
    return paths.config_dir() / SETTINGS_FILE_NAME


def _coerce(name: str, value: Any, default: Any) -> Any:
    """``value`` if it has the type of ``default``, else ``default`` (logged)."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, (list, dict)):
        ok = isinstance(value, type(default))
    else:
        ok = isinstance(value, type(default))
    if not ok:
        log.warning("ignoring setting %r: %r is not a %s", name, value, type(default).__name__)
        return default
    return value


def _validated(settings: GuiSettings) -> GuiSettings:
    if settings.theme not in THEMES:
        settings.theme = LIGHT_THEME
    settings.recent_files = [str(p) for p in settings.recent_files if isinstance(p, str)]
    del settings.recent_files[MAX_RECENT_FILES:]
    settings.pane_widths = [int(w) for w in settings.pane_widths if isinstance(w, int)]
    settings.ui_scale = min(max(settings.ui_scale, 0.5), 3.0)
    if settings.compare_mode not in COMPARE_MODES:
        settings.compare_mode = COMPARE_MODES[0]
    settings.explain_opacity = min(max(settings.explain_opacity, 0.0), 1.0)
    return settings


def from_dict(data: dict[str, Any]) -> GuiSettings:
    """Settings from parsed JSON: unknown keys ignored, bad values defaulted."""
    defaults = GuiSettings()
    values = {}
    for f in dataclasses.fields(GuiSettings):
        if f.name in data:
            values[f.name] = _coerce(f.name, data[f.name], getattr(defaults, f.name))
    return _validated(GuiSettings(**values))


def load_settings(path: Path | None = None) -> GuiSettings:
    """Read the settings file; defaults when it is missing or damaged."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError("the file does not hold a JSON object")
    except FileNotFoundError:
        return GuiSettings()
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as error:
        corrupt = path.with_name(path.name + ".corrupt")
        log.warning("settings file %s is damaged (%s); moved to %s", path, error, corrupt)
        try:
            path.replace(corrupt)
        except OSError:
            log.warning("could not move the damaged settings file aside")
        return GuiSettings()
    return from_dict(data)


def save_settings(settings: GuiSettings, path: Path | None = None) -> None:
    """Write the settings atomically; a failure is logged, never raised."""
    path = path or settings_path()
    try:
        write_json_atomic(path, dataclasses.asdict(settings))
    except OSError as error:
        log.warning("could not save settings to %s: %s", path, error)
