"""The main window's widgets and where they sit.

::

    ┌ toolbar: Open | Analyse, Analyse all | progress, Cancel ────────────┐
    │ message bar / path bar (when shown)                                  │
    ├ images ─┬ stage: viewer, or the tool's ────┬ [Result | Model card | ┤
    │ thumbs  │ picture (preview, heat maps)     │  Preprocessing|Grad-CAM]│
    │ patient │                                  │                        │
    ├─────────┴──────────────────────────────────┴────────────────────────┤
    │ status: model · message                               image · zoom  │
    │ decision-support disclaimer                                          │
    └──────────────────────────────────────────────────────────────────────┘

The three columns are a paned window with minimum widths, so the layout
holds from a 1366×768 laptop to a 4K screen.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.filmstrip import Filmstrip
from skindesk.gui.image_view import ImageView
from skindesk.gui.model_card_panel import ModelCardPanel
from skindesk.gui.patient_form import PatientForm
from skindesk.gui.result_panel import ResultPanel
from skindesk.gui.settings import GuiSettings
from skindesk.gui.stage import Stage
from skindesk.gui.statusbar import DisclaimerBar, MessageBar, PathBar, StatusBar
from skindesk.gui.themes import Palette
from skindesk.gui.toolbar import Toolbar
from skindesk.gui.units import px

# Column widths in 96-dpi pixels: (default, minimum).
LIST_WIDTH = (270, 220)
SIDE_WIDTH = (420, 330)
VIEW_MIN_WIDTH = 300


class MainLayout:
    """Builds the widgets of the main window inside ``parent``.

    Args:
        parent: The main window frame.
        settings: For remembered pane widths.
        scale: Interface scale (1.0 at 96 dpi).
        commands: Callbacks: open, analyse, analyse_all, cancel, select,
            patient, assessment, open_paths, zoom.
    """

    def __init__(self, parent: ttk.Frame, settings: GuiSettings, scale: float,
                 commands: dict[str, Callable[..., Any]]) -> None:
        self.scale = scale
        self.thumb_size = round(56 * scale)
        self.card_shown: Any = None
        self.toolbar = Toolbar(parent, commands)
        self.toolbar.pack(side="top", fill="x")
        ttk.Separator(parent).pack(side="top", fill="x")
        self.disclaimer = DisclaimerBar(parent)
        self.disclaimer.pack(side="bottom", fill="x")
        self.status = StatusBar(parent)
        self.status.pack(side="bottom", fill="x")
        ttk.Separator(parent).pack(side="bottom", fill="x")
        self.panes = tkinter.PanedWindow(parent, orient="horizontal", sashwidth=round(6 * scale),
                                         borderwidth=0, opaqueresize=True, showhandle=False)
        self.panes.pack(side="top", fill="both", expand=True)
        self.message_bar = MessageBar(parent)
        self.message_bar.place_in_layout(side="top", fill="x", before=self.panes)
        self.path_bar = PathBar(parent, commands["open_paths"])
        self.path_bar.place_in_layout(side="top", fill="x", before=self.panes)
        case = ttk.Frame(self.panes)
        self.patient_form = PatientForm(case, commands["patient"])
        self.patient_form.pack(side="bottom", fill="x", padx=px(6), pady=px(6))
        self.filmstrip = Filmstrip(case, self.thumb_size, commands["select"])
        self.filmstrip.pack(side="top", fill="both", expand=True)
        self.stage = Stage(self.panes)
        self.image_view = ImageView(self.stage, on_zoom=commands["zoom"],
                                    on_navigate=self.filmstrip.move)
        self.stage.add("image", self.image_view)
        side = ttk.Frame(self.panes, padding=(px(6), px(6), px(6), 0))
        self.notebook = ttk.Notebook(side)
        self.notebook.pack(side="top", fill="both", expand=True)
        scroller = ttk.ScrolledFrame(self.notebook, auto_hide=False, padding=0)
        self.result_panel = ResultPanel(scroller, commands["assessment"])
        self.result_panel.pack(fill="both", expand=True)
        self.notebook.add(scroller.container, text="Result")
        self.model_card = ModelCardPanel(self.notebook)
        self.notebook.add(self.model_card, text="Model card")
        self._add_panes(case, side, settings)

    def _add_panes(self, case: tkinter.Widget, side: tkinter.Widget, settings: GuiSettings
                   ) -> None:
        saved = settings.pane_widths if len(settings.pane_widths) == 2 else []
        def scaled(value: int) -> int:
            return round(value * self.scale)

        list_w = max(saved[0], scaled(LIST_WIDTH[1])) if saved else scaled(LIST_WIDTH[0])
        side_w = max(saved[1], scaled(SIDE_WIDTH[1])) if saved else scaled(SIDE_WIDTH[0])
        self.panes.add(case, minsize=scaled(LIST_WIDTH[1]), width=list_w, stretch="never")
        self.panes.add(self.stage, minsize=scaled(VIEW_MIN_WIDTH), stretch="always")
        self.panes.add(side, minsize=scaled(SIDE_WIDTH[1]), width=side_w, stretch="never")

    def pane_widths(self) -> list[int]:
        """Current widths of the image list and the side panel."""
        panes = self.panes.panes()
        return [self.panes.nametowidget(str(panes[i])).winfo_width() for i in (0, 2)]

    def show_card(self, card: Any) -> None:
        """Show the model's card and offer its classes in the assessment."""
        self.card_shown = card
        self.model_card.show_card(card)
        self.result_panel.assessment.set_classes([(c.id, c.name) for c in card.classes])

    def stop_animations(self) -> None:
        """Stop the progress bars' timers (before the window is destroyed)."""
        self.status.spinner.stop()
        self.toolbar.progress.stop()

    def apply_palette(self, palette: Palette) -> None:
        """Recolour everything the theme does not reach by itself."""
        self.panes.configure(background=palette.track)
        for part in (self.stage, self.filmstrip, self.result_panel, self.disclaimer):
            part.apply_palette(palette)
