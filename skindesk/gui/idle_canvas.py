"""A frame holding one canvas that redraws once per idle period.

Resizes, slider drags and theme changes arrive in bursts; each only asks for
a redraw, and the drawing happens once when Tk is idle.
"""

from __future__ import annotations

from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.themes import Palette


class IdleRedrawCanvas(ttk.Frame):
    """Base for picture views: ``self.canvas``, palette handling, idle redraws.

    Subclasses implement :meth:`draw` and call :meth:`schedule_redraw`.
    """

    def __init__(self, master: Any, **kwargs: Any) -> None:
        super().__init__(master, **kwargs)
        self.canvas = ttk.Canvas(self, highlightthickness=0, autostyle=False)
        self._pending: str | None = None
        self._palette: Palette | None = None

    def apply_palette(self, palette: Palette) -> None:
        """Recolour for the current theme."""
        self._palette = palette
        self.canvas.configure(background=palette.track)
        self.schedule_redraw()

    def schedule_redraw(self) -> None:
        """Redraw when idle (many events in a row cost one redraw)."""
        if self._pending is None:
            self._pending = self.after_idle(self.redraw)

    def destroy(self) -> None:
        """Cancel a pending redraw first."""
        if self._pending is not None:
            self.after_cancel(self._pending)
            self._pending = None
        super().destroy()

    def redraw(self) -> None:
        """Draw now (normally scheduled for idle time)."""
        self._pending = None
        self.canvas.delete("all")
        self.draw()

    def draw(self) -> None:
        """Draw the picture on the cleared canvas."""
        raise NotImplementedError
