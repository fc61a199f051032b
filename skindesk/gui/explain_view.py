"""Heat-map overlays in the main window's work area: one panel, or several to compare.

Each panel fits its overlay to its canvas and draws the lesion outline and
box as canvas items on top, so switching them on and off redraws nothing.
"""

from __future__ import annotations

import tkinter
from collections.abc import Sequence
from typing import Any, Literal

import ttkbootstrap as ttk
from PIL import Image, ImageTk

from skindesk.gui.idle_canvas import IdleRedrawCanvas
from skindesk.gui.themes import Palette
from skindesk.gui.units import px

OUTLINE_TAG = "outline"


class OverlayPanel(IdleRedrawCanvas):
    """A title and a canvas with one overlay picture."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.title = ttk.Label(self, anchor="center", justify="center",
                               font="TkHeadingFont")
        self.title.pack(side="top", fill="x", pady=(px(4), px(2)))
        self.canvas.pack(side="top", fill="both", expand=True)
        self.picture: Image.Image | None = None
        self.outline: Sequence[Any] = ()  # contours in picture pixels
        self.box: tuple[float, float, float, float] | None = None
        self.outline_visible = True
        self.message = ""
        self._photo: ImageTk.PhotoImage | None = None
        self.canvas.bind("<Configure>", self._resized)

    def _resized(self, event: tkinter.Event) -> None:
        self.title.configure(wraplength=max(event.width - 8, 60))
        self.schedule_redraw()

    def show(self, picture: Image.Image, title: str, outline: Sequence[Any] = (),
             box: tuple[float, float, float, float] | None = None) -> None:
        """Show an overlay; ``outline`` and ``box`` are in ``picture`` pixels."""
        self.picture, self.outline, self.box, self.message = picture, outline, box, ""
        self.title.configure(text=title)
        self.schedule_redraw()

    def show_message(self, text: str, title: str = "") -> None:
        """Show ``text`` instead of an overlay."""
        self.picture, self.message = None, text
        self.title.configure(text=title)
        self.schedule_redraw()

    def set_outline_visible(self, visible: bool) -> None:
        """Show or hide the lesion outline and box (no redraw)."""
        self.outline_visible = visible
        self.canvas.itemconfigure(OUTLINE_TAG, state="normal" if visible else "hidden")

    def draw(self) -> None:
        """Draw the overlay picture with its outline, or the message."""
        width, height = max(self.canvas.winfo_width(), 2), max(self.canvas.winfo_height(), 2)
        if self.picture is None:
            colour = self._palette.fg if self._palette else "black"
            self.canvas.create_text(width / 2, height / 2, text=self.message, fill=colour,
                                    width=max(width - 40, 80), justify="center")
            return
        scale = min(width / self.picture.width, height / self.picture.height)
        size = (max(1, round(self.picture.width * scale)), max(1, round(self.picture.height * scale)))
        left, top = (width - size[0]) / 2, (height - size[1]) / 2
        fitted = self.picture.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        self._photo = ImageTk.PhotoImage(fitted, master=self.canvas)
        self.canvas.create_image(left, top, image=self._photo, anchor="nw")
        self._draw_outline(scale, left, top)

    def _draw_outline(self, scale: float, left: float, top: float) -> None:
        state: Literal["normal", "hidden"] = "normal" if self.outline_visible else "hidden"
        for contour in self.outline:
            points = [v for x, y in contour for v in (left + x * scale, top + y * scale)]
            if len(points) >= 6:
                for colour, width in (("black", 4), ("white", 2)):
                    self.canvas.create_polygon(points, outline=colour, fill="", width=width,
                                               tags=OUTLINE_TAG, state=state)
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            self.canvas.create_rectangle(left + x0 * scale, top + y0 * scale, left + x1 * scale,
                                         top + y1 * scale, outline="white", dash=(6, 4),
                                         width=2, tags=OUTLINE_TAG, state=state)


class ExplainView(ttk.Frame):
    """One or more :class:`OverlayPanel` side by side."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.panels: list[OverlayPanel] = []
        self._palette: Palette | None = None
        self.set_panel_count(1)

    def set_panel_count(self, count: int) -> None:
        """Show ``count`` panels (compare mode: 2)."""
        while len(self.panels) > count:
            self.panels.pop().destroy()
        while len(self.panels) < count:
            panel = OverlayPanel(self)
            if self._palette is not None:
                panel.apply_palette(self._palette)
            self.panels.append(panel)
        for index, panel in enumerate(self.panels):
            panel.grid(row=0, column=index, sticky="nsew", padx=px(2))
            self.columnconfigure(index, weight=1, uniform="panels")
        for index in range(count, count + 4):
            self.columnconfigure(index, weight=0, uniform="")
        self.rowconfigure(0, weight=1)

    def show_message(self, text: str) -> None:
        """One panel with a message."""
        self.set_panel_count(1)
        self.panels[0].show_message(text)

    def set_outline_visible(self, visible: bool) -> None:
        """Show or hide the lesion outline in every panel."""
        for panel in self.panels:
            panel.set_outline_visible(visible)

    def apply_palette(self, palette: Palette) -> None:
        """Recolour for the current theme."""
        self._palette = palette
        for panel in self.panels:
            panel.apply_palette(palette)
