"""The work area in the middle of the window: one view at a time.

The image viewer by default; a tool tab puts its own picture here while it
is selected (the preprocessing preview, the heat maps), so pictures get the
largest part of the screen and the side panel keeps the controls.
"""

from __future__ import annotations

import tkinter

import ttkbootstrap as ttk

from skindesk.gui.themes import Palette


class Stage(ttk.Frame):
    """Stacks named views and shows one of them."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.views: dict[str, tkinter.Widget] = {}
        self.current = ""

    def add(self, name: str, view: tkinter.Widget) -> None:
        """Add a view (a child of the stage); the first one added is shown."""
        self.views[name] = view
        if not self.current:
            self.show(name)

    def show(self, name: str) -> None:
        """Show the view called ``name``."""
        if name == self.current:
            return
        if self.current:
            self.views[self.current].pack_forget()
        self.views[name].pack(fill="both", expand=True)
        self.current = name

    def apply_palette(self, palette: Palette) -> None:
        """Recolour every view that draws on a canvas."""
        for view in self.views.values():
            recolour = getattr(view, "apply_palette", None)
            if recolour is not None:
                recolour(palette)
