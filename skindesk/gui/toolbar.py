"""The toolbar: Open, Analyse, Analyse all, and the progress of a running analysis."""

from __future__ import annotations

import tkinter
from collections.abc import Callable

import ttkbootstrap as ttk

from skindesk.gui.units import px


class Toolbar(ttk.Frame):
    """Buttons for the main actions and a progress area with Cancel.

    Args:
        master: Parent widget.
        commands: Callbacks for 'open', 'analyse', 'analyse_all' and 'cancel'.
    """

    def __init__(self, master: tkinter.Misc, commands: dict[str, Callable[[], None]]) -> None:
        super().__init__(master, padding=(px(8), px(6)))
        self.open_button = ttk.Button(self, text="Open…", command=commands["open"],
                                      bootstyle="secondary")
        self.analyse_button = ttk.Button(self, text="Analyse", command=commands["analyse"],
                                         bootstyle="primary")
        self.analyse_all_button = ttk.Button(self, text="Analyse all",
                                             command=commands["analyse_all"],
                                             bootstyle="secondary")
        self.open_button.pack(side="left")
        ttk.Separator(self, orient="vertical").pack(side="left", fill="y", padx=px(10))
        self.analyse_button.pack(side="left")
        self.analyse_all_button.pack(side="left", padx=(px(6), 0))
        self.progress_area = ttk.Frame(self)
        self.progress_label = ttk.Label(self.progress_area)
        self.progress = ttk.Progressbar(self.progress_area, mode="indeterminate", length=180)
        self.cancel_button = ttk.Button(self.progress_area, text="Cancel",
                                        command=commands["cancel"], bootstyle="danger-link")
        self.progress_label.pack(side="left", padx=(0, px(8)))
        self.progress.pack(side="left")
        self.cancel_button.pack(side="left", padx=(px(6), 0))

    def set_actions(self, analyse: bool, analyse_all: bool) -> None:
        """Enable or disable the analysis buttons."""
        self.analyse_button.configure(state="normal" if analyse else "disabled")
        self.analyse_all_button.configure(state="normal" if analyse_all else "disabled")

    def show_progress(self, text: str, done: int | None = None, total: int | None = None) -> None:
        """Show the progress area: indeterminate until counts are known."""
        if not self.progress_area.winfo_manager():
            self.progress_area.pack(side="left", padx=(px(16), 0))
        self.progress_label.configure(text=text)
        if done is None or not total:
            if str(self.progress.cget("mode")) != "indeterminate":
                self.progress.configure(mode="indeterminate")
            self.progress.start(15)
        else:
            self.progress.stop()
            self.progress.configure(mode="determinate", maximum=total, value=done)

    def hide_progress(self) -> None:
        """Hide the progress area."""
        self.progress.stop()
        self.progress_area.pack_forget()

    @property
    def progress_visible(self) -> bool:
        """True while an analysis shows its progress."""
        return bool(self.progress_area.winfo_manager())
