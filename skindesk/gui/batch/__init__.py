"""The batch scan of a folder in the desktop app (File ▸ Scan folder…, Ctrl+Shift+O).

:class:`BatchScanLauncher` hooks the feature into the main window (a
toolbar button; the menu item and shortcut call :meth:`BatchScanLauncher.open`);
:class:`~skindesk.gui.batch.scan_window.BatchScanWindow` is the window itself.
The scanning, journaling and exporting are the core's
(:mod:`skindesk.core.batch`, :mod:`skindesk.core.reports.batch`).
"""

from skindesk.gui.batch.launcher import BatchScanLauncher

__all__ = ["BatchScanLauncher"]
