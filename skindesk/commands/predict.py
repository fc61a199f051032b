"""``skindesk predict IMAGE...``: classify images with the current model."""

from __future__ import annotations

import argparse
from typing import Any

from skindesk.commands._output import print_disclaimer, print_json_line, print_table
from skindesk.core.metadata import SITES


def register(subparsers: Any) -> None:
    """Add the ``predict`` sub-command."""
    parser = subparsers.add_parser(
        "predict",
        help="classify dermoscopy images",
        description="Classify dermoscopy images with a model. Decision support, not a diagnosis.",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    parser.add_argument("--model", metavar="ID", help="model id (default: the default model)")
    parser.add_argument("--age", metavar="N", help="patient age in years")
    parser.add_argument("--sex", choices=["female", "male"], help="patient sex")
    parser.add_argument("--site", metavar="SITE", help="anatomical site: " + ", ".join(SITES))
    parser.add_argument("--json", action="store_true", help="one JSON object per image per line")
    parser.set_defaults(run=run)


def _row(result: Any, card: Any) -> list[str]:
    if result.prediction is None:
        return [result.path, "ERROR", "", "", result.error or ""]
    p = result.prediction
    flag = "REVIEW" if p.flagged else "-"
    top = f"{card.class_name(p.top_class)} ({p.probabilities[p.top_class]:.0%})"
    notes = "; ".join(w.get("message", "") for w in result.warnings)
    return [result.path, top, f"{p.malignant_probability:.3f}", flag, notes]


def run(args: argparse.Namespace) -> int:
    """Predict every image; exit 1 if any file failed."""
    from skindesk.core.metadata import PatientMetadata
    from skindesk.core.service import SkinDeskService

    metadata = PatientMetadata.create(age=args.age, sex=args.sex, site=args.site)
    service = SkinDeskService()
    card = service.card(args.model)
    failures = 0
    rows = []
    for result in service.predict_files(args.images, metadata, model_id=card.id):
        failures += 0 if result.ok else 1
        if args.json:
            print_json_line(result.to_dict())
        else:
            rows.append(_row(result, card))
    if not args.json:
        print_table(rows, ["image", "top class", "P(malignant)", f"≥{card.threshold.value:.3f}?", "notes"])
        print(f"\nModel: {card.name} [{card.id}]; review threshold on P(malignant): "
              f"{card.threshold.value:.3f} ({card.threshold.method or 'not stated'})")
        print_disclaimer()
    return 1 if failures else 0
