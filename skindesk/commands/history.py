"""``skindesk history ...``: patients, their saved analyses, export, backup, checks.

PATIENT is the clinic's identifier (e.g. the record number) as given to
``add-patient``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from skindesk.commands import _history_output as out
from skindesk.core.errors import UserError


def register(subparsers: Any) -> None:
    """Add the ``history`` sub-command and its own sub-commands."""
    parser = subparsers.add_parser(
        "history", help="patients and their saved analyses",
        description="Patient records, saved analyses and lesion follow-up (stored on this computer).",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="history_command", metavar="ACTION", required=True)
    p = sub.add_parser("add-patient", help="add a patient")
    p.add_argument("identifier", metavar="ID", help="clinic identifier, e.g. record number")
    p.add_argument("--name", default="")
    p.add_argument("--dob", metavar="YYYY-MM-DD", help="date of birth")
    p.add_argument("--sex", choices=["female", "male"])
    p.add_argument("--notes", default="")
    p = sub.add_parser("patients", help="list or search patients")
    p.add_argument("--search", metavar="TEXT", default="", help="words in identifier/name/DOB")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("show", help="a patient's visits, lesions and analyses")
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("followup", help="a lesion's analyses over time")
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("lesion", metavar="LESION", help="lesion label, e.g. L1")
    p.add_argument("--plot", metavar="PNG", help="also draw P(malignant) over time")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("export", help="write a patient's record, images and CSV to a folder")
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("--out", metavar="DIR", required=True, help="a new or empty folder")
    p = sub.add_parser("delete", help="delete a patient, their analyses and images")
    p.add_argument("patient", metavar="PATIENT")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = sub.add_parser("backup", help="back up all patients and images to one file")
    p.add_argument("--out", metavar="FILE", required=True)
    p = sub.add_parser("restore", help="replace all history with a backup")
    p.add_argument("archive", metavar="FILE")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = sub.add_parser("check", help="check the database and the image store")
    p.add_argument("--no-hashes", action="store_true", help="skip re-hashing image files")
    p.add_argument("--purge-orphans", action="store_true",
                   help="delete image files no record uses")  # fmt: skip
    parser.set_defaults(run=run)


def confirm(question: str, yes: bool) -> None:
    """Go on with ``--yes``; ask on a terminal; refuse when nobody can answer.

    Raises:
        UserError: the user said no, or input is not a terminal and ``--yes`` is missing.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise UserError("not confirmed: input is not a terminal; add --yes to go ahead")
    answer = input(f"{question} Type 'yes' to go on: ")
    if answer.strip().lower() != "yes":
        raise UserError("cancelled; nothing was changed")


def run(args: argparse.Namespace) -> int:
    """Open the history and run the chosen action."""
    from skindesk.core.history import HistoryService

    try:
        with HistoryService() as service:
            return int(ACTIONS[args.history_command](service, args))
    except UserError as error:
        # Messages can quote stored text (an identifier); keep the terminal safe.
        raise UserError(out.safe(str(error), None)) from error


def _add_patient(service: Any, args: argparse.Namespace) -> int:
    patient = service.add_patient(args.identifier, args.name, args.dob, args.sex, args.notes)
    print(f"added patient {out.safe(patient.identifier)}")
    return 0


def _patients(service: Any, args: argparse.Namespace) -> int:
    patients = service.find_patients(args.search, limit=args.limit)
    if args.json:
        out.print_json([vars(p) for p in patients])
    else:
        out.print_patients(patients)
    return 0


def _show(service: Any, args: argparse.Namespace) -> int:
    record = service.get_patient_record(service.patient_by_identifier(args.patient).id)
    if args.json:
        out.print_json(record.to_dict())
    else:
        out.print_record(record)
    return 0


def _followup(service: Any, args: argparse.Namespace) -> int:
    from skindesk.core.history.followup import plot_followup

    patient = service.patient_by_identifier(args.patient)
    lesion = next((x for x in service.get_patient_record(patient.id).lesions
                   if x.label == args.lesion), None)  # fmt: skip
    if lesion is None:
        raise UserError(f"patient {out.safe(args.patient)} has no lesion '{out.safe(args.lesion)}'")
    follow = service.lesion_followup(lesion.id)
    if args.json:
        out.print_json(follow.to_dict())
    else:
        for point in follow.points:
            size = f"{point.diameter_mm:.1f} mm" if point.diameter_mm is not None else "size n/a"
            print(f"{point.when[:16]}  P(malignant) {point.malignant_probability:.3f}  {size}")
        print(f"change first -> last: {follow.change() or 'needs two analyses'}")
    if args.plot:
        print(f"plot: {plot_followup(follow, Path(args.plot))}", file=sys.stderr)
    return 0


def _export(service: Any, args: argparse.Namespace) -> int:
    path = service.export_patient(service.patient_by_identifier(args.patient).id, args.out)
    print(f"exported to {path.parent}")
    return 0


def _delete(service: Any, args: argparse.Namespace) -> int:
    patient = service.patient_by_identifier(args.patient)
    count = len(service.get_patient_record(patient.id).analyses)
    confirm(f"Delete patient {out.safe(patient.identifier)} ({out.safe(patient.name)}) with "
            f"{count} analyses and their images? This cannot be undone.", args.yes)  # fmt: skip
    service.delete_patient(patient.id)
    print(f"deleted patient {out.safe(patient.identifier)}")
    return 0


def _backup(service: Any, args: argparse.Namespace) -> int:
    info = service.backup(args.out)
    print(f"backup written to {info.path}: {info.counts['patients']} patients, "
          f"{info.counts['analyses']} analyses, {info.images} images")  # fmt: skip
    for missing in info.missing:
        print(f"warning: image {missing} was missing and is not in the backup", file=sys.stderr)
    return 0


def _restore(service: Any, args: argparse.Namespace) -> int:
    confirm(f"Replace ALL patient history with the backup {args.archive}? "
            "The current database is kept as *.before-restore.", args.yes)  # fmt: skip
    info = service.restore(args.archive)
    print(f"restored {info.counts['patients']} patients and {info.counts['analyses']} analyses "
          f"from {info.path} (made {info.created_at[:19]})")  # fmt: skip
    return 0


def _check(service: Any, args: argparse.Namespace) -> int:
    report = service.check(verify_hashes=not args.no_hashes)
    print("\n".join(out.safe(line, None) for line in report.lines()))
    if args.purge_orphans and report.orphans:
        removed = service.purge_orphans()
        print(f"deleted {len(removed)} orphan file(s)")
        report.orphans = []
    return 0 if report.ok else 1


ACTIONS = {
    "add-patient": _add_patient, "patients": _patients, "show": _show, "followup": _followup,
    "export": _export, "delete": _delete, "backup": _backup, "restore": _restore,
    "check": _check,
}  # fmt: skip
