"""Creating the Tk root: theme, HiDPI scaling, window size, icon, drag and drop.

The root is a ttkbootstrap ``App``; tkdnd (from tkinterdnd2) is loaded into
it when its native library loads, and the app works without it (no
drag-and-drop, everything else the same).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tkinter
import warnings

import ttkbootstrap as ttk

from skindesk import paths
from skindesk.gui.settings import GuiSettings

log = logging.getLogger(__name__)

APP_TITLE = "SkinDesk"
MIN_SIZE = (960, 600)  # fits a 1366×768 laptop with a taskbar
SCALE_ENV = "SKINDESK_UI_SCALE"
_GEOMETRY = re.compile(r"^(\d+)x(\d+)([+-]-?\d+)([+-]-?\d+)$")


def _xft_dpi() -> float | None:
    """The desktop's font DPI (``Xft.dpi``), which HiDPI X11 desktops set to 192 and up."""
    xrdb = shutil.which("xrdb")
    if not xrdb or not os.environ.get("DISPLAY"):
        return None
    try:
        out = subprocess.run([xrdb, "-query"], capture_output=True, text=True, timeout=1,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"^Xft\.dpi:\s*([\d.]+)", out, re.MULTILINE)
    return float(match.group(1)) if match else None


def ui_scaling(root: tkinter.Misc, extra: float = 1.0) -> float:
    """Tk's ``scaling`` (pixels per point) for this screen.

    Uses the screen's DPI (on X11 the desktop's ``Xft.dpi`` when set, since
    X servers often report 96 dpi on 4K panels), never less than a standard
    96 dpi, times ``extra`` (the user's zoom) and ``$SKINDESK_UI_SCALE``.
    """
    dpi = float(root.winfo_fpixels("1i"))
    if root.tk.call("tk", "windowingsystem") == "x11":
        dpi = _xft_dpi() or dpi
    try:
        extra *= float(os.environ.get(SCALE_ENV, "1") or 1)
    except ValueError:
        log.warning("ignoring %s=%r (not a number)", SCALE_ENV, os.environ.get(SCALE_ENV))
    dpi = min(max(dpi, 96.0), 400.0)
    return dpi / 72.0 * min(max(extra, 0.5), 3.0)


class SkinDeskRoot(ttk.App):
    """The application root, scaled for the screen before the theme is built."""

    ui_scale = 1.0

    def _watch_for_first_map(self) -> None:
        # ttkbootstrap's App calls this right after Tk exists and before it
        # builds the theme: the moment to set the scaling the theme is drawn at.
        self.apply_scaling()
        super()._watch_for_first_map()

    def apply_scaling(self) -> None:
        """Set Tk's scaling from the screen's DPI (once)."""
        if getattr(self, "_skindesk_scaled", False):
            return
        scaling = ui_scaling(self, self.ui_scale)
        self.tk.call("tk", "scaling", scaling)
        self._skindesk_scaled = True
        log.info("tk scaling %.2f (%.0f dpi)", scaling, scaling * 72)

    @property
    def scale(self) -> float:
        """Interface scale relative to a standard 96-dpi screen."""
        return float(self.tk.call("tk", "scaling")) / (96 / 72)


def create_root(settings: GuiSettings) -> SkinDeskRoot:
    """The themed, scaled, sized root window (not yet populated)."""
    SkinDeskRoot.ui_scale = settings.ui_scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # flatly/darkly: see themes.py
        root = SkinDeskRoot(title=APP_TITLE, theme=settings.theme, iconphoto=None)
    root.apply_scaling()  # in case a ttkbootstrap update skips the hook above
    root.minsize(*MIN_SIZE)
    root.geometry(initial_geometry(root, settings.geometry))
    if settings.maximized:
        try:
            root.wm_attributes("-zoomed", True)
        except tkinter.TclError:
            root.state("zoomed")
    set_icon(root)
    return root


def initial_geometry(root: tkinter.Misc, saved: str) -> str:
    """The saved geometry when it fits on this screen, else a centred default."""
    sw, sh = root.winfo_screenwidth(), root.winfo_screenheight()
    match = _GEOMETRY.match(saved or "")
    if match:
        w, h, x, y = (int(v) for v in match.groups())
        if MIN_SIZE[0] <= w <= sw and MIN_SIZE[1] <= h <= sh and 0 <= x < sw - 100 and 0 <= y < sh - 100:
            return saved
    w = min(max(int(sw * 0.85), MIN_SIZE[0]), sw)
    h = min(max(int(sh * 0.85), MIN_SIZE[1]), sh)
    return f"{w}x{h}+{max((sw - w) // 2, 0)}+{max((sh - h) // 3, 0)}"


def set_icon(root: tkinter.Tk) -> None:
    """The SkinDesk window icon, when the asset is there."""
    icon = paths.assets_dir() / "icons" / "skindesk.png"
    if not icon.is_file():
        return
    try:
        image = tkinter.PhotoImage(master=root, file=str(icon))
        root.iconphoto(True, image)
        root._skindesk_icon = image  # type: ignore[attr-defined]  # keep a reference
    except tkinter.TclError as error:
        log.warning("window icon not set: %s", error)


def enable_drag_and_drop(root: tkinter.Tk) -> bool:
    """Load tkdnd into ``root``; False (logged) when it is not available."""
    try:
        from tkinterdnd2 import TkinterDnD

        version = TkinterDnD.require(root)
    except (ImportError, RuntimeError, tkinter.TclError, OSError) as error:
        log.warning("drag and drop unavailable: %s", error)
        return False
    log.info("tkdnd %s loaded", version)
    return True
