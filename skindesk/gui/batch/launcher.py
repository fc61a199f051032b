"""Opening the batch-scan window from the main window (one window at a time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ttkbootstrap as ttk

from skindesk.gui.units import px

if TYPE_CHECKING:
    from skindesk.gui.batch.scan_window import BatchScanWindow
    from skindesk.gui.main_window import MainWindow


class BatchScanLauncher:
    """Adds "Scan folder…" to the main window's toolbar and opens the scan window.

    Args:
        window: The main window (its toolbar must exist).
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: BatchScanWindow | None = None
        toolbar = window.ui.toolbar
        self.button = ttk.Button(toolbar, text="Scan folder…", command=self.open,
                                 bootstyle="secondary")
        self.button.pack(side="left", padx=(px(6), 0), after=toolbar.open_button)

    def open(self) -> BatchScanWindow:
        """Show the scan window (raised if it is open already)."""
        if self.dialog is not None and self.dialog.winfo_exists():
            self.dialog.deiconify()
            self.dialog.lift()
            self.dialog.focus_force()
            return self.dialog
        from skindesk.gui.batch.scan_window import BatchScanWindow

        self.dialog = BatchScanWindow(self.window)
        return self.dialog
