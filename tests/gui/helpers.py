"""Helpers for GUI tests: skip without a display, pump the event loop, take screenshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import tkinter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def require_display() -> None:
    """Skip the calling test module when no X display or Tk is available."""
    if not os.environ.get("DISPLAY"):
        pytest.skip("GUI tests need a display: run them under xvfb-run (see scripts/test.sh)",
                    allow_module_level=True)
    try:
        probe = tkinter.Tk()
        probe.destroy()
    except tkinter.TclError as error:
        pytest.skip(f"Tk cannot start on DISPLAY={os.environ['DISPLAY']}: {error}",
                    allow_module_level=True)


def pump(root: tkinter.Misc, until: Callable[[], bool] | None = None, timeout: float = 10.0,
         what: str = "the condition") -> None:
    """Run the Tk event loop until ``until()`` is true (or for ``timeout`` seconds if None).

    Raises:
        AssertionError: ``until`` was given and stayed false for ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        root.update()
        if until is not None and until():
            return
        time.sleep(0.01)
    if until is not None:
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def settle(root: tkinter.Misc, seconds: float = 0.3) -> None:
    """Let redraws and idle tasks run for a moment (before a screenshot)."""
    pump(root, None, timeout=seconds)


def screenshot(window: tkinter.Misc, path: Path) -> Path:
    """Save what ``window``'s toplevel shows on screen, menu bar included, as a PNG."""
    top = window.winfo_toplevel()
    settle(top)
    # ``wm geometry`` places the wrapper (menu bar included); rooty is below the menu bar.
    x, y = (int(v) for v in top.wm_geometry().replace("-", "+").split("+")[1:3])
    width, bottom = top.winfo_width(), top.winfo_rooty() + top.winfo_height()
    bbox = (x, y, x + width, bottom)
    path.parent.mkdir(parents=True, exist_ok=True)
    if shutil.which("import"):  # ImageMagick, reliable under Xvfb
        crop = f"{width}x{bottom - y}+{x}+{y}"
        subprocess.run(["import", "-window", "root", "-crop", crop, "+repage", str(path)],
                       check=True, timeout=30)
    else:
        from PIL import ImageGrab

        ImageGrab.grab(bbox=bbox, xdisplay=top.winfo_screen()).save(path)
    return path


def make_lesion_png(path: Path, size: tuple[int, int] = (600, 450), seed: int = 0) -> Path:
    """A dermoscopy-like test picture: pink skin, a brown blotch, a dark vignette."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * (0.45 + 0.1 * rng.random()), h * (0.45 + 0.1 * rng.random())
    r = np.hypot((xx - cx) / (w * 0.22), (yy - cy) / (h * 0.2))
    lesion = np.clip(1.2 - r, 0, 1)[..., None]
    skin = np.array([225, 170, 160], np.float32)
    brown = np.array([110, 60, 40], np.float32)
    rgb = skin * (1 - lesion) + brown * lesion + rng.normal(0, 6, (h, w, 3))
    vignette = np.clip(1.3 - np.hypot(xx - w / 2, yy - h / 2) / (0.6 * max(w, h)), 0, 1)
    rgb *= vignette[..., None]
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path)
    return path


class TickRecorder:
    """Measures the Tk thread's responsiveness: the longest gap between after() ticks."""

    def __init__(self, root: tkinter.Misc, interval_ms: int = 20) -> None:
        self.root = root
        self.interval_ms = interval_ms
        self.max_gap = 0.0
        self.long_gaps: list[tuple[float, float]] = []  # (time.monotonic(), gap) over 100 ms
        self.ticks = 0
        self._last: float | None = None
        self._running = False
        self._after_id: str | None = None

    def start(self) -> None:
        self._running = True
        self._last = time.monotonic()
        self._after_id = self.root.after(self.interval_ms, self._tick)

    def stop(self) -> None:
        self._running = False
        if self._after_id is not None:
            self.root.after_cancel(self._after_id)
            self._after_id = None

    def _tick(self) -> None:
        if not self._running:
            return
        now = time.monotonic()
        assert self._last is not None
        self.max_gap = max(self.max_gap, now - self._last)
        if now - self._last > 0.1:
            self.long_gaps.append((round(now, 3), round(now - self._last, 3)))
        self._last = now
        self.ticks += 1
        self._after_id = self.root.after(self.interval_ms, self._tick)


def press(widget: tkinter.Misc, key: str) -> None:
    """Type ``key`` into ``widget`` as the user would (focus first)."""
    widget.focus_force()
    widget.update()
    widget.event_generate(key)
    widget.update()


def drag_scale(scale: tkinter.Misc, *values: float) -> None:
    """Drag a ttk.Scale's slider with the mouse through ``values``, then let go."""
    scale.update()

    def point(value: float | None = None) -> tuple[int, int]:
        args = () if value is None else (value,)
        x, y = scale.tk.splitlist(scale.tk.call(scale._w, "coords", *args))  # type: ignore[attr-defined]
        return int(float(x)), int(float(y))

    x, y = point()
    scale.event_generate("<ButtonPress-1>", x=x, y=y)
    for value in values:
        x, y = point(value)
        scale.event_generate("<B1-Motion>", x=x, y=y)
    scale.event_generate("<ButtonRelease-1>", x=x, y=y)


def click_tree_cell(tree: tkinter.Misc, iid: str, column: str) -> None:
    """Click a Treeview cell (press and release in its middle)."""
    tree.update()
    x, y, width, height = tree.bbox(iid, column)  # type: ignore[attr-defined]
    tree.event_generate("<ButtonPress-1>", x=x + width // 2, y=y + height // 2)
    tree.event_generate("<ButtonRelease-1>", x=x + width // 2, y=y + height // 2)
    tree.update()
