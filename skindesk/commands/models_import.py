"""``skindesk models import FILE``: install the user's own Keras model.

Registered by :mod:`skindesk.commands.models` as its ``import`` action.
The model is inspected first; only what it cannot tell is asked for, as
options listed together in one error message.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from skindesk.commands._output import print_table


def register(actions: Any) -> None:
    """Add ``import`` to the ``models`` actions."""
    parser = actions.add_parser(
        "import",
        help="install a .keras or .h5 model file as a user model",
        description="Inspect a Keras model file, write its model card and install it "
        "into your model folder. Options are needed only for what the model cannot tell.",
    )
    parser.add_argument("file", metavar="FILE", help="the model file (.keras or .h5)")
    parser.add_argument("--name", help="readable name (default: the file name)")
    parser.add_argument("--id", dest="model_id", help="model id (default: from the name)")
    parser.add_argument("--classes", metavar="A,B,...",
                        help="class ids in output order, e.g. benign,malignant or "
                        "akiec,bcc,bkl,df,mel,nv,vasc")
    parser.add_argument("--input-size", type=int, metavar="N", help="input size N×N in pixels")
    parser.add_argument("--preprocessing",
                        choices=["rescale", "imagenet-caffe", "imagenet-torch", "minus-one-one", "none"],
                        help="pixel scaling the model was trained with")
    parser.add_argument("--malignant", metavar="A,B", help="classes that count as malignant")
    parser.add_argument("--yes", action="store_true", help="install without asking")
    parser.set_defaults(run=run)


def _split(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",") if part.strip()] if text else None


def _show_plan(inspection: Any, card: dict[str, Any]) -> None:
    classes = ", ".join(c["id"] + (" (malignant)" if c["malignant"] else "") for c in card["classes"])
    height, width = card["input"]["size"]
    rows = [
        ["file", (f"{inspection.path} ({inspection.format}"
                 f"{', legacy: converted to SavedModel' if inspection.legacy else ''})")],
        ["architecture", card["architecture"]],
        ["input", (f"{height}x{width} RGB, preprocessing '{card['input']['preprocessing']}' "
                  f"({card['input']['note']})")],
        ["output", (f"{card['output']} over {len(card['classes'])} classes "
                   f"({inspection.output_evidence})")],
        ["classes", classes],
        ["Grad-CAM layer", card["gradcam_layer"] or "none found (occlusion maps only)"],
        ["id", card["id"]],
        ["threshold", f"0.5, {card['threshold']['method']}"],
    ]
    print_table(rows, ["", ""])


def _confirmed(args: argparse.Namespace) -> bool:
    from skindesk.core.errors import SettingsError

    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise SettingsError("not a terminal: add --yes to import without confirmation")
    return input("Install this model? [y/N] ").strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    """Inspect, plan, confirm, install, smoke-test."""
    from skindesk.core.model_import.inspection import inspect_model
    from skindesk.core.model_import.install import ImportOptions, install_model, plan_card

    options = ImportOptions(
        name=args.name, model_id=args.model_id, classes=_split(args.classes),
        input_size=args.input_size, preprocessing=args.preprocessing,
        malignant=_split(args.malignant),
    )
    print(f"Inspecting {args.file} ...", file=sys.stderr)
    inspection = inspect_model(args.file)
    card_data = plan_card(inspection, options)
    _show_plan(inspection, card_data)
    if not _confirmed(args):
        print("Not installed.")
        return 1
    card, smoke = install_model(inspection, card_data)
    print(f"\nInstalled '{card.id}' in {card.folder} (sha256 {card.sha256[:12]}...).")
    print(f"Smoke prediction on a generated image: P(malignant) {smoke['malignant_probability']:.3f}, "
          f"probabilities sum to 1 ({smoke['seconds']:.1f} s).")
    print(f"Its threshold is the default 0.5, not validated: choose one on validation images with\n"
          f"  skindesk evaluate DATASET --model {card.id} --target-sensitivity 0.9 --save-threshold")
    return 0
