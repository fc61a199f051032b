"""Batch scan of a folder: discovery, a bounded decode/inference pipeline, a journal.

Example:
    >>> cancel = threading.Event()
    >>> for item in scan_folder("/photos", recursive=True, cancel=cancel):
    ...     print(item.relpath, item.status, item.error or item.prediction.top_class)

Use :class:`FolderScan` to get the :class:`ScanSummary` and the scan id too.
"""

from skindesk.core.batch.discovery import Found, ScanFolderError, discover, iter_files
from skindesk.core.batch.items import FAILED, OK, SKIPPED, ScanItem, ScanProgress, ScanSummary
from skindesk.core.batch.scan import FolderScan, scan_folder

__all__ = [
    "FAILED",
    "OK",
    "SKIPPED",
    "FolderScan",
    "Found",
    "ScanFolderError",
    "ScanItem",
    "ScanProgress",
    "ScanSummary",
    "discover",
    "iter_files",
    "scan_folder",
]
