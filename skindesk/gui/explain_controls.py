"""The Grad-CAM tab's widgets and their variables (behaviour: :mod:`.explain_pane`).

Method and class choosers, a second pair for "Compare with", colour map,
opacity, the lesion-outline switch, Save, progress, caption and details.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk
from ttkbootstrap.widgets.tooltip import ToolTip

from skindesk.core.explain import COLORMAPS, DEFAULT_METHOD, method_names
from skindesk.gui.settings import GuiSettings
from skindesk.gui.units import px

OUTLINE_TIP = "The lesion's outline and box, found by segmentation (not by the model)."


class ExplainControls(ttk.Frame):
    """The widgets of the Grad-CAM tab.

    Args:
        master: The notebook page.
        settings: For the remembered colour map and opacity.
        on_save: What "Save overlay as PNG…" does.
    """

    def __init__(self, master: tkinter.Misc, settings: GuiSettings,
                 on_save: Callable[[], None]) -> None:
        super().__init__(master, padding=(px(10), px(8)))
        self.methods = {name: mid for mid, name in method_names().items()}
        self.classes: dict[str, str] = {}  # shown text -> class id
        default = method_names()[DEFAULT_METHOD]
        self.method, self.method2 = tkinter.StringVar(self, default), tkinter.StringVar(self, default)
        self.class_, self.class2 = tkinter.StringVar(self), tkinter.StringVar(self)
        self.colormap = tkinter.StringVar(self, settings.explain_colormap)
        self.opacity = tkinter.DoubleVar(self, settings.explain_opacity)
        self.compare, self.outline = tkinter.BooleanVar(self, False), tkinter.BooleanVar(self, True)
        self._build(on_save)

    def _build(self, on_save: Callable[[], None]) -> None:
        grid = ttk.Frame(self)
        grid.pack(fill="x")
        grid.columnconfigure(1, weight=1)
        self.method_box = self._combo(grid, 0, "Method", self.method, list(self.methods))
        self.class_box = self._combo(grid, 1, "Class", self.class_, [])
        ttk.Checkbutton(self, text="Compare with", variable=self.compare).pack(
            anchor="w", pady=(px(8), px(2)))
        self.second = ttk.Frame(self)
        self.second.pack(fill="x")
        self.second.columnconfigure(1, weight=1)
        self.method2_box = self._combo(self.second, 0, "Method", self.method2, list(self.methods))
        self.class2_box = self._combo(self.second, 1, "Class", self.class2, [])
        look = ttk.Frame(self)
        look.pack(fill="x", pady=(px(8), 0))
        look.columnconfigure(1, weight=1)
        self._combo(look, 0, "Colour map", self.colormap, list(COLORMAPS))
        ttk.Label(look, text="Opacity").grid(row=1, column=0, sticky="w", padx=(0, px(8)))
        self.opacity_scale = ttk.Scale(look, from_=0.0, to=1.0, variable=self.opacity)
        self.opacity_scale.grid(row=1, column=1, sticky="ew", pady=px(2))
        self.opacity_label = ttk.Label(look, width=5, anchor="e")
        self.opacity_label.grid(row=1, column=2, sticky="e")
        self.outline_check = ttk.Checkbutton(self, text="Lesion outline and box",
                                             variable=self.outline)
        self.outline_check.pack(anchor="w", pady=(px(8), 0))
        self.outline_tip = ToolTip(self.outline_check, text=OUTLINE_TIP)
        self.save_button = ttk.Button(self, text="Save overlay as PNG…", bootstyle="secondary",
                                      command=on_save)
        self.save_button.pack(anchor="w", pady=(px(8), 0))
        self.progress = ttk.Progressbar(self, mode="indeterminate")
        self.status = ttk.Label(self, justify="left", wraplength=320)
        self.caption = ttk.Label(self, justify="left", wraplength=320)
        self.details = ttk.Label(self, justify="left", wraplength=320, bootstyle="secondary")
        for label in (self.status, self.caption, self.details):
            label.pack(fill="x", pady=(px(8), 0))
        self.bind("<Configure>", lambda e: [w.configure(wraplength=max(e.width - 30, 150))
                                            for w in (self.status, self.caption, self.details)])
        self._show_opacity()

    @staticmethod
    def _combo(master: Any, row: int, label: str, var: tkinter.StringVar,
               values: list[str]) -> ttk.Combobox:
        ttk.Label(master, text=label).grid(row=row, column=0, sticky="w", padx=(0, px(8)))
        box = ttk.Combobox(master, textvariable=var, values=values, state="readonly", width=22)
        box.grid(row=row, column=1, columnspan=2, sticky="ew", pady=px(2))
        return box

    def set_progress(self, text: str) -> None:
        """Show a running indicator with ``text``; hide it when ``text`` is empty."""
        self.status.configure(text=text, bootstyle="default")
        if text and not self.progress.winfo_manager():
            self.progress.pack(fill="x", pady=(px(8), 0), before=self.status)
            self.progress.start(15)
        elif not text:
            self.progress.stop()
            self.progress.pack_forget()

    def _show_opacity(self) -> None:
        self.opacity_label.configure(text=f"{self.opacity.get():.0%}")
