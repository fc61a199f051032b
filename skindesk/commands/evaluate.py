"""``skindesk evaluate DATASET``: measure a model on labelled images.

Writes the metrics as JSON and/or a PDF or HTML report, prints a readable
summary, and can choose an operating threshold and save it into a user
model's card. Exits 1 when some images could not be analysed (they are
listed in the report; the rest are evaluated).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from skindesk.commands._output import print_disclaimer, print_table
from skindesk.commands._progress import ProgressBar


def register(subparsers: Any) -> None:
    """Add the ``evaluate`` sub-command."""
    parser = subparsers.add_parser(
        "evaluate",
        help="measure a model on labelled images (metrics, PDF/HTML report)",
        description="Evaluate a model on a labelled dataset: a folder with one subfolder per "
        "label (benign/, malignant/ or mel/, nv/...) or a CSV of path,label or image_id,dx "
        "(HAM10000 metadata.csv, ISIC labels.csv).",
    )
    parser.add_argument("dataset", metavar="DATASET", help="folder per class, or labels CSV")
    parser.add_argument("--model", metavar="ID", help="model id (default: the default model)")
    parser.add_argument("--json", metavar="OUT", help="write the metrics as JSON ('-': stdout)")
    parser.add_argument("--pdf", metavar="OUT", help="write a PDF report")
    parser.add_argument("--html", metavar="OUT", help="write an HTML report")
    parser.add_argument("--label-map", metavar="JSON",
                        help='JSON file or text mapping dataset labels to model classes or '
                        'benign/malignant, e.g. \'{"lentigo": "bkl", "other": "benign"}\'')
    parser.add_argument("--split", metavar="NAME", help="CSV only: keep rows of this split")
    parser.add_argument("--lesion-split", metavar="NAME", choices=["train", "val", "holdout"],
                        help="keep the images `skindesk train` puts in this split (by lesion id)")
    parser.add_argument("--limit", type=int, metavar="N", help="evaluate a fixed random subset of N")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--target-sensitivity", type=float, metavar="T",
                        help="also choose the threshold reaching sensitivity T (e.g. 0.9)")
    choice.add_argument("--youden", action="store_true",
                        help="also choose the threshold by Youden's index")
    parser.add_argument("--save-threshold", action="store_true",
                        help="write the chosen threshold into the model's card (user models only)")
    parser.set_defaults(run=run)


def _write_outputs(report: dict[str, Any], args: argparse.Namespace) -> None:
    import json

    from skindesk.core.evaluation.report_html import write_html_report
    from skindesk.core.evaluation.report_pdf import write_pdf_report
    from skindesk.core.evaluation.store import json_safe

    if args.json:
        text = json.dumps(json_safe(report), indent=2, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            target = Path(args.json)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text + "\n", encoding="utf-8")
    if args.pdf:
        write_pdf_report(report, args.pdf)
    if args.html:
        write_html_report(report, args.html)


def _save_threshold(report: dict[str, Any], card: Any) -> None:
    from skindesk.core.evaluation.threshold import save_chosen_threshold

    path = save_chosen_threshold(card.id, report["operating_point"], report)
    print(f"Saved threshold {report['operating_point']['threshold']:.6g} into {path}",
          file=sys.stderr)


def _print_readable(report: dict[str, Any]) -> None:
    from skindesk.core.evaluation.tables import key_metric_rows

    rows = key_metric_rows(report)
    print_table(rows[1:], rows[0])
    print("\n" + report["summary"])
    for note in report["notes"]:
        print(f"- {note}")
    failed = report["dataset"]["failed_files"]
    for item in failed[:20]:
        print(f"failed: {item['path']}: {item['error']}", file=sys.stderr)
    print_disclaimer()


def run(args: argparse.Namespace) -> int:
    """Evaluate; exit 1 when some images failed, 0 otherwise."""
    from skindesk.core.errors import SettingsError
    from skindesk.core.evaluation.dataset import limit_dataset, load_dataset
    from skindesk.core.evaluation.evaluate import evaluate_scores, predict_dataset
    from skindesk.core.evaluation.labelmap import infer_label_map, parse_label_map
    from skindesk.core.evaluation.store import save_evaluation
    from skindesk.core.evaluation.threshold import writable_card
    from skindesk.core.service import SkinDeskService

    if args.save_threshold and args.target_sensitivity is None and not args.youden:
        raise SettingsError("--save-threshold needs --target-sensitivity T or --youden")
    if args.target_sensitivity is not None and not 0.0 < args.target_sensitivity <= 1.0:
        raise SettingsError("--target-sensitivity must lie in (0, 1], e.g. 0.9")
    service = SkinDeskService()
    card = service.card(args.model)
    if args.save_threshold:
        writable_card(card.id)  # refuse a bundled model before minutes of prediction
    dataset = load_dataset(args.dataset, split=args.split)
    if args.lesion_split:
        from skindesk.core.training.sources import keep_lesion_split

        dataset = keep_lesion_split(dataset, args.lesion_split)
    dataset = limit_dataset(dataset, args.limit)
    overrides = parse_label_map(args.label_map) if args.label_map else None
    label_map = infer_label_map(dataset.label_counts(), card, overrides)
    print(f"Loading {card.id} ...", file=sys.stderr)
    service.engine(card.id).load()  # before the progress clock starts, so rates are true
    print(f"Evaluating {card.id} on {len(dataset.images)} images of {dataset.source}",
          file=sys.stderr)
    bar = ProgressBar()
    try:
        scored = predict_dataset(dataset, card, service, on_progress=bar.counter())
    finally:
        bar.close()
    if not scored.paths:
        raise SettingsError(f"none of the {len(dataset.images)} images could be analysed")
    report = evaluate_scores(scored, card, label_map, dataset,
                             target_sensitivity=args.target_sensitivity, youden=args.youden)
    _write_outputs(report, args)
    stored = save_evaluation(report, scored)
    print(f"Stored with {card.id}'s validation results: {stored.path}", file=sys.stderr)
    if args.save_threshold:
        _save_threshold(report, card)
    if args.json != "-":
        _print_readable(report)
    return 1 if scored.failed else 0
