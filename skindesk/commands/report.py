"""``skindesk report``: a PDF summary of one analysis or of a folder scan."""

from __future__ import annotations

import argparse
from typing import Any

from skindesk.commands._output import print_disclaimer
from skindesk.core.errors import UserError
from skindesk.core.metadata import SITES


def register(subparsers: Any) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser(
        "report",
        help="write a PDF report of one image's analysis or of a scan",
        description="Analyse IMAGE and write a one-page-or-two PDF report, or (with --scan) "
        "summarise a scan's JSON Lines output, or (with --patient) report a patient's history "
        "with lesion follow-up. Decision support, not a diagnosis.",
    )
    parser.add_argument("image", metavar="IMAGE", nargs="?", help="image to analyse")
    parser.add_argument("--scan", metavar="JSONL", help="a scan's --json output (batch report)")
    parser.add_argument("--pages", action="store_true",
                        help="with --scan: add one page per analysed image")  # fmt: skip
    parser.add_argument("--patient", metavar="ID",
                        help="a patient's report from the history, with follow-up")  # fmt: skip
    parser.add_argument("--visit", metavar="VISIT_ID", type=int,
                        help="with --patient: only this visit (follow-up up to it)")  # fmt: skip
    parser.add_argument("--out", metavar="PDF", required=True, help="PDF file to write")
    parser.add_argument("--method", default="gradcam", help="explanation method, or 'none'")
    parser.add_argument("--model", metavar="ID", help="model id (default: the default model)")
    parser.add_argument("--age", metavar="N", help="patient age in years")
    parser.add_argument("--sex", choices=["female", "male"], help="patient sex")
    parser.add_argument("--site", metavar="SITE", help="anatomical site: " + ", ".join(SITES))
    parser.add_argument("--patient-name", metavar="NAME", help="printed on the report")
    parser.add_argument("--patient-id", metavar="ID", help="printed on the report")
    parser.add_argument("--clinic", metavar="NAME", default="", help="practice name for the header")
    parser.add_argument("--logo", metavar="IMAGE", help="logo image for the header")
    parser.add_argument("--page-size", choices=["A4", "Letter"], default="A4")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the report; exit 2 (UserError) on bad input."""
    from skindesk.core.reports.layout import ReportSettings

    if sum(bool(x) for x in (args.image, args.scan, args.patient)) != 1:
        raise UserError("give one of IMAGE, --scan JSONL or --patient ID")
    if args.pages and not args.scan:
        raise UserError("--pages applies to a scan report (--scan JSONL)")
    if args.visit is not None and not args.patient:
        raise UserError("--visit applies to a patient report (--patient ID)")
    settings = ReportSettings(args.clinic, args.logo, args.page_size)
    if args.patient:
        path = _patient_report(args, settings)
    else:
        path = _scan_report(args, settings) if args.scan else _single_report(args, settings)
    print(f"Report written to {path}")
    print_disclaimer()
    return 0


def _single_report(args: argparse.Namespace, settings: Any) -> Any:
    from skindesk.core.metadata import PatientMetadata
    from skindesk.core.reports.build import analyse_for_report
    from skindesk.core.reports.single import write_single_report
    from skindesk.core.service import SkinDeskService

    metadata = PatientMetadata.create(age=args.age, sex=args.sex, site=args.site)
    patient = {"Patient": args.patient_name, "Patient ID": args.patient_id}
    method = None if args.method == "none" else args.method
    report = analyse_for_report(SkinDeskService(), args.image, metadata, method, args.model, patient)
    return write_single_report(args.out, report, settings)


def _scan_report(args: argparse.Namespace, settings: Any) -> Any:
    from skindesk.core.reports.batch import rows_from_jsonl, write_batch_report
    from skindesk.core.service import SkinDeskService

    rows = rows_from_jsonl(args.scan)
    model_id = args.model or _model_of(args.scan)
    card = SkinDeskService().engine(model_id).card  # unloaded until used
    return write_batch_report(args.out, rows, card, settings, title=f"Scan results: {args.scan}",
                              pages=args.pages)  # fmt: skip


def _patient_report(args: argparse.Namespace, settings: Any) -> Any:
    from skindesk.core.history import HistoryService
    from skindesk.core.reports.patient import write_patient_report

    with HistoryService() as history:
        return write_patient_report(args.out, history, args.patient, args.visit, settings)


def _model_of(jsonl: str) -> str | None:
    """The model id recorded in a scan's first analysed line, if any."""
    import json
    from pathlib import Path

    for line in Path(jsonl).read_text(encoding="utf-8").splitlines():
        model = json.loads(line).get("model") if line.strip() else None
        if model:
            return model.get("id")
    return None
