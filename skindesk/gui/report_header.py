"""File ▸ Report header…: the practice name, logo and page size of every PDF the app writes.

Kept in the GUI settings file; exports read it when they run (so a change
applies to the next report without restarting) through :func:`report_settings`.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from tkinter import filedialog
from typing import TYPE_CHECKING

import ttkbootstrap as ttk

from skindesk.gui.settings import GuiSettings, load_settings

if TYPE_CHECKING:  # reportlab loads only when a report is written
    from skindesk.core.reports.layout import ReportSettings

PAGE_SIZES = ("A4", "Letter")


def report_settings(settings: GuiSettings | None = None) -> ReportSettings:
    """The core's ReportSettings from the saved (or given) GUI settings."""
    from skindesk.core.reports.layout import ReportSettings

    settings = settings or load_settings()
    page = settings.report_page_size if settings.report_page_size in PAGE_SIZES else "A4"
    return ReportSettings(settings.report_clinic.strip(), settings.report_logo.strip() or None, page)


class ReportHeaderDialog(ttk.Toplevel):
    """Edit the report header; Save writes the settings file at once."""

    def __init__(self, master: tkinter.Misc, settings: GuiSettings, save: Callable[[], object]) -> None:
        super().__init__(title="Report header", master=master)
        self.settings, self._save = settings, save
        self.clinic = tkinter.StringVar(self, settings.report_clinic)
        self.logo = tkinter.StringVar(self, settings.report_logo)
        self.page = tkinter.StringVar(self, settings.report_page_size)
        body = ttk.Frame(self, padding=12)
        body.pack(fill="both", expand=True)
        self._row(body, 0, "Practice name", ttk.Entry(body, textvariable=self.clinic, width=40))
        logo = ttk.Frame(body)
        ttk.Entry(logo, textvariable=self.logo, width=30).pack(side="left", fill="x", expand=True)
        ttk.Button(logo, text="Browse…", command=self._browse).pack(side="left", padx=(6, 0))
        self._row(body, 1, "Logo (optional)", logo)
        self._row(body, 2, "Page size", ttk.Combobox(body, textvariable=self.page, values=PAGE_SIZES,
                                                     state="readonly", width=10))
        ttk.Label(body, text="Printed at the top of every PDF report SkinDesk writes.",
                  bootstyle="secondary").grid(row=3, column=0, columnspan=2, sticky="w", pady=(8, 0))
        buttons = ttk.Frame(body)
        buttons.grid(row=4, column=0, columnspan=2, sticky="e", pady=(12, 0))
        ttk.Button(buttons, text="Cancel", bootstyle="secondary", command=self.destroy).pack(side="right")
        ttk.Button(buttons, text="Save", command=self.apply).pack(side="right", padx=(0, 6))
        self.bind("<Escape>", lambda _e: self.destroy())

    @staticmethod
    def _row(body: ttk.Frame, row: int, label: str, widget: tkinter.Widget) -> None:
        ttk.Label(body, text=label).grid(row=row, column=0, sticky="w", padx=(0, 8), pady=3)
        widget.grid(row=row, column=1, sticky="ew", pady=3)

    def _browse(self) -> None:
        chosen = filedialog.askopenfilename(parent=self, title="Logo image",
                                            filetypes=[("Images", "*.png *.jpg *.jpeg"), ("All files", "*")])
        if chosen:
            self.logo.set(chosen)

    def apply(self) -> None:
        """Store the values in the settings, save them, close."""
        self.settings.report_clinic = self.clinic.get().strip()
        self.settings.report_logo = self.logo.get().strip()
        self.settings.report_page_size = self.page.get() if self.page.get() in PAGE_SIZES else "A4"
        self._save()
        self.destroy()
