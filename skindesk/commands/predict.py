"""``skindesk predict IMAGE...``: classify images with the current model."""

from __future__ import annotations

import argparse
from typing import Any

from skindesk.commands import _predict_history
from skindesk.commands._output import (
    print_disclaimer,
    print_json_line,
    print_table,
    unused_details_note,
)
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
    parser.add_argument("--segment", action="store_true",
                        help="also outline the lesion: box and measurements in the output")
    parser.add_argument("--pixel-spacing", type=float, metavar="MM",
                        help="millimetres per pixel, for measurements in mm (with --segment)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--preset", metavar="NAME",
                        help="preprocess images with this preset before the model")
    source.add_argument("--pipeline", metavar="JSON_OR_FILE",
                        help="preprocess images with this pipeline before the model")
    _predict_history.add_arguments(parser)
    parser.set_defaults(run=run)


def _row(result: Any, card: Any) -> list[str]:
    if result.prediction is None:
        return [result.path, "ERROR", "", "", result.error or ""]
    p = result.prediction
    flag = "REVIEW" if p.flagged else "-"
    top = f"{card.class_name(p.top_class)} ({p.probabilities[p.top_class]:.0%})"
    notes = "; ".join(w.get("message", "") for w in result.warnings)
    return [result.path, top, f"{p.malignant_probability:.3f}", flag, notes]


def _pipeline(args: argparse.Namespace) -> Any:
    if not (args.preset or args.pipeline):
        return None
    from skindesk.commands.preprocess import pipeline_from_args

    return pipeline_from_args(args)


def run(args: argparse.Namespace) -> int:
    """Predict every image; exit 1 if any file failed."""
    if args.patient or args.lesion or args.visit is not None or args.save:
        history = _predict_history.PredictHistory(args)
        try:
            return _predict(args, history)
        finally:
            history.close()
    return _predict(args, None)


def _predict(args: argparse.Namespace, history: _predict_history.PredictHistory | None) -> int:
    from skindesk.core.metadata import PatientMetadata
    from skindesk.core.service import SkinDeskService

    values = history.metadata_values() if history else {"age": args.age, "sex": args.sex,
                                                         "site": args.site}  # fmt: skip
    metadata = PatientMetadata.create(**values)
    service = SkinDeskService()
    card = service.card(args.model)
    failures = 0
    rows = []
    pipeline = _pipeline(args)
    results = service.predict_files(args.images, metadata, model_id=card.id, preprocessing=pipeline,
                                    segment=args.segment, pixel_spacing=args.pixel_spacing)
    for result in results:
        failures += 0 if result.ok else 1
        saved = history.save(result) if history else None
        if args.json:
            line = result.to_dict()
            if saved is not None:
                line["saved_analysis_id"] = saved
            print_json_line(line)
        else:
            rows.append(_row(result, card))
    if not args.json:
        print_table(rows, ["image", "top class", "P(malignant)", f"≥{card.threshold.value:.3f}?", "notes"])
        print(f"\nModel: {card.name} [{card.id}]; review threshold on P(malignant): "
              f"{card.threshold.value:.3f} ({card.threshold.method or 'not stated'})")
        note = unused_details_note(card, metadata)
        if note:
            print(note)
        if history and args.save:
            print(f"\nSaved to the history of patient {args.patient!r}.")
        print_disclaimer()
    return 1 if failures else 0
