"""``skindesk explain IMAGE --out OVERLAY.png``: where the model looked (Grad-CAM and co.)."""

from __future__ import annotations

import argparse
from typing import Any

from skindesk.commands._output import print_disclaimer, print_json_line, print_table
from skindesk.core.explain.overlay import COLORMAPS, DEFAULT_COLORMAP, DEFAULT_OPACITY
from skindesk.core.explain.registry import DEFAULT_METHOD, METHODS, method_names
from skindesk.core.metadata import SITES


def register(subparsers: Any) -> None:
    """Add the ``explain`` sub-command."""
    parser = subparsers.add_parser(
        "explain",
        help="show where in an image the model found its evidence",
        description="Draw a heat map of the image regions behind a model's answer "
        "(Grad-CAM and related methods). Decision support, not a diagnosis.",
    )
    parser.add_argument("image", nargs="?", metavar="IMAGE", help="image file")
    parser.add_argument(
        "--method",
        default=DEFAULT_METHOD,
        choices=list(METHODS),
        help=f"explanation method (default: {DEFAULT_METHOD})",
    )
    parser.add_argument(
        "--class",
        dest="class_id",
        metavar="ID",
        help="class to explain, id or index (default: the top class)",
    )
    parser.add_argument("--model", metavar="ID", help="model id (default: the default model)")
    parser.add_argument("--age", metavar="N", help="patient age in years")
    parser.add_argument("--sex", choices=["female", "male"], help="patient sex")
    parser.add_argument("--site", metavar="SITE", help="anatomical site: " + ", ".join(SITES))
    parser.add_argument(
        "--colormap",
        default=DEFAULT_COLORMAP,
        metavar="NAME",
        help=f"colour map: {', '.join(COLORMAPS)} (default: {DEFAULT_COLORMAP})",
    )
    parser.add_argument(
        "--opacity",
        type=float,
        default=DEFAULT_OPACITY,
        metavar="F",
        help=f"heat-map opacity 0..1 (default: {DEFAULT_OPACITY})",
    )
    parser.add_argument("--out", metavar="OVERLAY.png", help="write the overlay PNG here")
    parser.add_argument(
        "--heatmap-out",
        metavar="HEATMAP.png",
        help="also write the raw heat map as 8-bit grayscale PNG",
    )
    parser.add_argument("--top-k", type=int, metavar="K", help="scorecam: channels to score (32)")
    parser.add_argument(
        "--patch", type=int, metavar="PX", help="occlusion: patch size in model pixels"
    )
    parser.add_argument(
        "--stride", type=int, metavar="PX", help="occlusion: patch step in model pixels"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--list-methods", action="store_true", help="list the methods and exit")
    parser.set_defaults(run=run)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from skindesk.core.errors import SettingsError

    options: dict[str, Any] = {}
    if args.top_k is not None:
        options["top_k"] = args.top_k
    if args.patch is not None:
        options["patch_size"] = args.patch
    if args.stride is not None:
        options["stride"] = args.stride
    allowed = {"scorecam": {"top_k"}, "occlusion": {"patch_size", "stride"}}.get(args.method, set())
    if set(options) - allowed:
        raise SettingsError(
            f"--top-k is for scorecam and --patch/--stride for occlusion, not {args.method}"
        )
    if any(v <= 0 for v in options.values()):
        raise SettingsError("--top-k, --patch and --stride must be positive")
    return options


def _list_methods(as_json: bool) -> int:
    names = method_names()
    if as_json:
        print_json_line({"methods": [{"id": k, "name": v} for k, v in names.items()]})
    else:
        print_table([[k, v] for k, v in names.items()], ["id", "method"])
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    from skindesk.core.errors import SettingsError

    if not args.image or not args.out:
        raise SettingsError("explain needs an IMAGE and --out OVERLAY.png")
    if not 0.0 <= args.opacity <= 1.0:
        raise SettingsError(f"--opacity must lie between 0 and 1, not {args.opacity}")
    if args.colormap.lower() not in COLORMAPS:
        raise SettingsError(
            f"unknown colour map '{args.colormap}'; use one of: {', '.join(COLORMAPS)}"
        )


def run(args: argparse.Namespace) -> int:
    """Explain one image and write the overlay (and heat map)."""
    if args.list_methods:
        return _list_methods(args.json)
    _check_arguments(args)
    from skindesk.core.explain.api import explain_images
    from skindesk.core.imageio import load_image
    from skindesk.core.metadata import PatientMetadata
    from skindesk.core.service import SkinDeskService

    metadata = PatientMetadata.create(age=args.age, sex=args.sex, site=args.site)
    options = _options(args)
    engine = SkinDeskService().engine(args.model)
    image = load_image(args.image)
    explanation = explain_images(
        engine, [image.rgb], args.method, args.class_id, metadata, **options
    )[0]
    outputs = {
        "overlay": str(explanation.save_overlay(args.out, image.rgb, args.colormap, args.opacity))
    }
    if args.heatmap_out:
        outputs["heatmap"] = str(explanation.save_heatmap(args.heatmap_out))
    card = engine.card
    report = {
        "path": args.image,
        **explanation.to_dict(),
        "class_name": card.class_name(explanation.class_id),
        "model": {"id": card.id, "sha256": card.sha256},
        "colormap": args.colormap,
        "opacity": args.opacity,
        "metadata": metadata.to_dict(),
        "outputs": outputs,
    }
    if args.json:
        print_json_line(report)
    else:
        _print_report(report)
    return 0


def _print_report(report: dict[str, Any]) -> None:
    x, y = report["peak"]
    print(
        f"{report['method_name']} for '{report['class_name']}' ({report['class']}, "
        f"p={report['probability']:.3f}) in {report['path']}"
    )
    print(f"Strongest evidence at x={x}, y={y} (image pixels).")
    for role, path in report["outputs"].items():
        print(f"Wrote {role}: {path}")
    print("\nThe heat map shows where the model looked, not whether it is right.")
    print_disclaimer()
