"""``scan DIR --patient ID [--visit today|ID] [--group-by file|name-prefix]``.

The patient is looked up before the model loads, so a mistyped identifier
fails at once; their age (from the date of birth) and sex fill in what
``--age`` and ``--sex`` leave out. The saving itself is
:class:`skindesk.core.batch.attach.ScanAttacher`.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from skindesk.commands._history_output import safe
from skindesk.core.errors import SettingsError

MAX_LISTED = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The patient-history options of ``scan``."""
    group = parser.add_argument_group("patient history")
    group.add_argument("--patient", metavar="ID",
                       help="save every analysed image to this patient's history")  # fmt: skip
    group.add_argument("--visit", metavar="today|VISIT_ID", default=None,
                       help="visit to save into (default: today's, created if needed)")  # fmt: skip
    group.add_argument(
        "--group-by", choices=["file", "name-prefix"], default=None,
        help="one lesion per image (file, the default), or per file-name prefix before the "
        "first '_' (name-prefix: L3_2026-01.jpg is lesion L3)",
    )  # fmt: skip


def open_history(args: argparse.Namespace) -> tuple[Any, Any] | None:
    """(HistoryService, patient) when ``--patient`` is given, else None."""
    if not args.patient:
        if args.visit is not None or args.group_by is not None:
            raise SettingsError("--visit and --group-by need --patient ID")
        return None
    from skindesk.core.history import HistoryService

    history = HistoryService()
    try:
        return history, history.patient_by_identifier(args.patient)
    except BaseException:
        history.close()
        raise


def make_attacher(args: argparse.Namespace, history: Any, scan: Any) -> Any:
    """The attacher saving this scan's results into the patient's history."""
    from skindesk.core.batch.attach import ScanAttacher
    from skindesk.core.service import preprocessing_record

    return ScanAttacher(history, args.patient, visit=args.visit or "today",
                        group_by=args.group_by or "file", metadata=scan.metadata,
                        preprocessing=preprocessing_record(scan.preprocessing))  # fmt: skip


def print_summary(attacher: Any, out: TextIO) -> None:
    """What was saved into the history, and every file that was not."""
    summary, patient = attacher.summary, attacher.patient
    visit = f"visit {summary.visit_id}" if summary.visit_id is not None else "no visit"
    out.write(
        f"History of patient {safe(patient.identifier)} ({visit}): saved {summary.saved}, "
        f"already saved {summary.duplicates}, lesions {len(summary.lesions)}\n"
    )
    for title, entries in (("Not saved (not analysed)", summary.not_analysed),
                           ("Not saved (error while saving)", summary.save_failures)):  # fmt: skip
        if entries:
            out.write(f"{title} ({len(entries)}):\n")
            shown = entries[:MAX_LISTED]
            out.writelines(f"  {safe(path, None)}: {safe(why, None)}\n" for path, why in shown)
            if len(entries) > MAX_LISTED:
                out.write(f"  ... and {len(entries) - MAX_LISTED} more\n")
