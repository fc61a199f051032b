"""Writing a finished (or cancelled) scan's results as CSV, JSON Lines or a PDF report (no Tk).

The results are read back from the scan's journal rather than kept in the
window, so the export holds every file's full result (each class's
probability, warnings, model) however large the scan, and equals what
``skindesk scan --csv/--json/--pdf`` writes. These run in worker threads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from skindesk.gui.batch.job import ScanStarted

#: (button label, file type description, default suffix) per export kind.
EXPORT_KINDS = {
    "csv": ("CSV…", "CSV table", ".csv"),
    "jsonl": ("JSON Lines…", "JSON Lines", ".jsonl"),
    "pdf": ("PDF report…", "PDF report", ".pdf"),
}


def export_csv(scan: ScanStarted, path: str | Path) -> Path:
    """One CSV row per file (the core's columns); returns the path."""
    from skindesk.core.batch.export import CsvReportWriter
    from skindesk.core.batch.journal import read_items

    with CsvReportWriter(path, scan.card) as writer:
        for item in read_items(scan.scan_id):
            writer.write(item)
    return Path(path)


def export_jsonl(scan: ScanStarted, path: str | Path) -> Path:
    """One JSON object per file, as ``skindesk scan --json``; returns the path."""
    from skindesk.core.batch.export import JsonlReportWriter
    from skindesk.core.batch.journal import read_items

    with JsonlReportWriter(path, preprocessing=scan.preprocessing) as writer:
        for item in read_items(scan.scan_id):
            writer.write(item)
    return Path(path)


def export_pdf(scan: ScanStarted, path: str | Path) -> Path:
    """The batch PDF: totals, images ranked by P(malignant), failures; returns the path."""
    from skindesk.core.batch.journal import read_items
    from skindesk.core.reports.batch import rows_from_items, write_batch_report

    rows = rows_from_items(list(read_items(scan.scan_id)))
    from skindesk.gui.report_header import report_settings

    return write_batch_report(path, rows, scan.card, report_settings(), title=f"Scan of {scan.folder}")


EXPORTERS: dict[str, Callable[[ScanStarted, str | Path], Path]] = {
    "csv": export_csv,
    "jsonl": export_jsonl,
    "pdf": export_pdf,
}
