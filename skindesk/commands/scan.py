"""``skindesk scan DIR``: analyse every image of a folder, with reports and resume."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, TextIO

from skindesk.commands import _scan_history
from skindesk.commands._output import print_disclaimer, unused_details_note
from skindesk.core.errors import SettingsError
from skindesk.core.metadata import SITES

EXIT_CANCELLED = 130
MAX_LISTED = 50  # failed and flagged files listed in the terminal summary


def register(subparsers: Any) -> None:
    """Add the ``scan`` sub-command."""
    parser = subparsers.add_parser(
        "scan",
        help="analyse every image in a folder",
        description="Analyse every image in a folder (found by content, not name). Results "
        "are journaled as they come, so an interrupted scan continues with --resume. "
        "Decision support, not a diagnosis.",
    )
    parser.add_argument("folder", metavar="DIR", help="folder to scan")
    parser.add_argument("-r", "--recursive", action="store_true", help="include sub-folders")
    parser.add_argument(
        "--include",
        action="append",
        metavar="PATTERN",
        help="only files matching this shell pattern, e.g. '*.jpg' (repeatable)",
    )
    parser.add_argument("--csv", metavar="OUT.csv", help="write one CSV row per file")
    parser.add_argument("--json", metavar="OUT.jsonl", help="write one JSON object per file")
    parser.add_argument("--pdf", metavar="OUT.pdf", help="write a PDF summary report")
    parser.add_argument("--pages", action="store_true",
                        help="with --pdf: add one page per analysed image")  # fmt: skip
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted scan of the same folder with the same options",
    )
    parser.add_argument("--model", metavar="ID", help="model id (default: the default model)")
    parser.add_argument("--preset", metavar="NAME", help="preprocessing preset run on each image")
    parser.add_argument("--age", metavar="N", help="patient age in years (all images)")
    parser.add_argument("--sex", choices=["female", "male"], help="patient sex (all images)")
    parser.add_argument("--site", metavar="SITE", help="anatomical site: " + ", ".join(SITES))
    parser.add_argument("--workers", type=int, metavar="N", help="image-decoding threads")
    _scan_history.add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Scan the folder; exit 1 if any file failed (or could not be saved), 130 if cancelled."""
    if args.pages and not args.pdf:
        raise SettingsError("--pages adds pages to the PDF: give --pdf OUT.pdf too")
    opened = _scan_history.open_history(args)
    with ExitStack() as stack:
        if opened is not None:
            stack.callback(opened[0].close)
        scan = _make_scan(args, opened[1] if opened else None)
        attacher = _scan_history.make_attacher(args, opened[0], scan) if opened else None
        flagged, items, outputs = _run_scan(args, scan, attacher)
        if args.pdf:
            outputs.append(_write_pdf(args.pdf, scan, items, args.pages))
        _print_summary(scan, flagged, outputs, sys.stdout)
        if attacher is not None:
            _scan_history.print_summary(attacher, sys.stdout)
        print_disclaimer(sys.stdout)
    if scan.summary.cancelled:
        print(
            f"Scan cancelled; the {scan.summary.total} results so far are kept "
            f"(scan {scan.scan_id}). To continue, run the same command again with --resume.",
            file=sys.stderr,
        )
        return EXIT_CANCELLED
    unsaved = attacher is not None and attacher.summary.save_failures
    return 1 if scan.summary.failures or unsaved else 0


def _make_scan(args: argparse.Namespace, patient: Any) -> Any:
    """The FolderScan the options describe (patient details fill in missing metadata)."""
    from skindesk.core.batch import FolderScan
    from skindesk.core.batch.attach import patient_metadata
    from skindesk.core.metadata import PatientMetadata

    if patient is not None:
        metadata = patient_metadata(patient, args.age, args.sex, args.site)
    else:
        metadata = PatientMetadata.create(age=args.age, sex=args.sex, site=args.site)
    scan = FolderScan(args.folder, recursive=args.recursive, include=args.include,
                      model_id=args.model, preprocessing=args.preset, metadata=metadata,
                      resume=args.resume, workers=args.workers)  # fmt: skip
    if not args.resume and scan.unfinished_earlier_run:
        print("Note: an earlier run of this scan did not finish; starting over "
              "(use --resume to continue it instead).", file=sys.stderr)  # fmt: skip
    return scan


def _run_scan(
    args: argparse.Namespace, scan: Any, attacher: Any
) -> tuple[list[str], list[Any], list[Any]]:
    """Run the scan with a progress bar; (first flagged lines, items for --pdf, outputs)."""
    from skindesk.commands._progress import ProgressBar

    cancel = threading.Event()
    bar = ProgressBar(sys.stderr)
    flagged: list[str] = []  # the first few, for the terminal summary
    items: list[Any] = []  # kept only for --pdf
    with ExitStack() as stack:
        writers = [stack.enter_context(w) for w in _report_writers(args, scan)]
        stack.enter_context(_cancel_on_ctrl_c(cancel, sys.stderr))
        try:
            for item in scan.run(bar.update, cancel):
                if args.pdf:
                    items.append(item)
                for writer in writers:
                    writer.write(item)
                    writer.flush()
                if attacher is not None:
                    attacher.attach(item)
                if item.prediction and item.prediction.flagged and len(flagged) < MAX_LISTED:
                    flagged.append(
                        f"{item.relpath}: P(malignant) {item.prediction.malignant_probability:.3f}"
                    )
        finally:
            bar.close()
    return flagged, items, [w.path for w in writers]


def _write_pdf(path: str, scan: Any, items: list[Any], pages: bool) -> Any:
    from skindesk.core.reports.batch import rows_from_items, write_batch_report

    return write_batch_report(path, rows_from_items(items), scan.engine.card,
                              title=f"Scan of {scan.folder}", pages=pages)


def _report_writers(args: argparse.Namespace, scan: Any) -> list[Any]:
    from skindesk.core.batch.export import CsvReportWriter, JsonlReportWriter
    from skindesk.core.service import preprocessing_record

    writers: list[Any] = []
    if args.csv:
        writers.append(CsvReportWriter(args.csv, scan.engine.card))
    if args.json:
        record = preprocessing_record(scan.preprocessing)
        writers.append(JsonlReportWriter(args.json, scan.metadata, record))
    return writers


@contextmanager
def _cancel_on_ctrl_c(cancel: threading.Event, stream: TextIO) -> Iterator[None]:
    """First Ctrl-C: finish the current batch and stop cleanly; a second one: stop at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        stream.write("\nCancelling after the current batch (Ctrl-C again to stop at once)...\n")
        stream.flush()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_summary(scan: Any, flagged: list[str], outputs: list[Any], out: TextIO) -> None:
    summary, card = scan.summary, scan.engine.card
    out.write(
        f"\nScanned {scan.folder}: {summary.total} files in {summary.elapsed:.1f} s "
        f"({summary.rate:.1f} images/s analysed now)\n"
    )
    out.write(
        f"  analysed {summary.analysed}, flagged for review {summary.flagged} "
        f"(P(malignant) >= {card.threshold.value:.3f}), failed {len(summary.failures)}, "
        f"skipped (not images) {summary.skipped}"
    )
    out.write(f", from an earlier run {summary.resumed}\n" if summary.resumed else "\n")
    out.writelines(
        f"  {card.class_name(class_id)} [{class_id}]: {count}\n"
        for class_id, count in summary.class_counts.most_common()
    )
    failures = summary.failures
    _print_list(out, "Failed files", [f"{r}: {e}" for r, e in failures[:MAX_LISTED]], len(failures))
    _print_list(out, "Flagged for review", flagged, summary.flagged)
    out.writelines(f"Results written to {path}\n" for path in outputs)
    out.write(f"Model: {card.name} [{card.id}]\n")
    note = unused_details_note(card, scan.metadata)
    if note:
        out.write(note + "\n")


def _print_list(out: TextIO, title: str, lines: list[str], count: int) -> None:
    if not count:
        return
    out.write(f"{title} ({count}):\n")
    out.writelines(f"  {line}\n" for line in lines)
    if count > len(lines):
        out.write(f"  ... and {count - len(lines)} more (see --csv/--json)\n")
