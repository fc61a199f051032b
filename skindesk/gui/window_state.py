"""The main window's theme switch and the state it remembers between runs.

View ▸ Dark theme swaps the ttkbootstrap theme and recolours what the
canvases draw themselves; on the way out the window's size, maximised
state and pane widths are written to the settings file with the rest of
:class:`~skindesk.gui.settings.GuiSettings`.
"""

from __future__ import annotations

import tkinter
from typing import TYPE_CHECKING

from skindesk.gui.settings import save_settings
from skindesk.gui.themes import other_theme, palette, use_theme

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow


class WindowState:
    """Theme and remembered geometry of the window ``window``.

    Attributes:
        dark: Backs the View ▸ Dark theme check box.
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dark = tkinter.BooleanVar(window, window.settings.dark)

    def toggle_theme(self) -> None:
        """View ▸ Dark theme: switch between flatly and darkly."""
        settings, style = self.window.settings, self.window.root.style  # type: ignore[attr-defined]
        settings.theme = other_theme(settings.theme)
        use_theme(style, settings.theme)
        self.dark.set(settings.dark)
        self.apply_palette()

    def apply_palette(self) -> None:
        """Recolour the canvas drawings for the current theme."""
        self.window.ui.apply_palette(palette(self.window.root.style))  # type: ignore[attr-defined]

    def save(self) -> None:
        """Remember window size, panes, theme and folders."""
        root, settings = self.window.root, self.window.settings
        zoomed = str(root.wm_state()) == "zoomed"
        settings.maximized = zoomed
        if not zoomed:
            settings.geometry = root.geometry()
        settings.pane_widths = self.window.ui.pane_widths()
        save_settings(settings)
