"""``skindesk preprocess IMAGE --preset NAME --out PNG``: run a preprocessing pipeline."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from skindesk.core.errors import SettingsError
from skindesk.core.pngfile import write_png


def register(subparsers: Any) -> None:
    """Add the ``preprocess`` sub-command."""
    parser = subparsers.add_parser(
        "preprocess",
        help="run a preprocessing pipeline on an image",
        description="Apply a preprocessing preset or pipeline (hair removal, colour "
        "constancy, denoising, contrast...) to an image and save the result as PNG.",
    )
    parser.add_argument("image", nargs="?", metavar="IMAGE", help="image file to process")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--preset", metavar="NAME", help="built-in or saved preset name")
    source.add_argument(
        "--pipeline", metavar="JSON_OR_FILE", help="pipeline as JSON text or a .json file"
    )
    parser.add_argument("--out", metavar="PNG", help="where to write the result (PNG)")
    parser.add_argument(
        "--steps-out", metavar="DIR", help="also write each step's result as numbered PNGs"
    )
    parser.add_argument("--list-presets", action="store_true", help="list presets and exit")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """List presets, or preprocess one image; return the exit code."""
    from skindesk.core.imageio import load_image

    if args.list_presets:
        _print_presets()
        return 0
    if not args.image or not args.out or not (args.preset or args.pipeline):
        raise SettingsError(
            "preprocess needs IMAGE, --out PNG and one of --preset NAME or --pipeline JSON"
        )
    pipeline = pipeline_from_args(args)
    rgb = load_image(args.image).rgb
    results = pipeline.run(rgb, keep_intermediates=True)
    final = results[-1][1] if results else rgb
    write_png(Path(args.out), final, make_parents=True)
    if args.steps_out:
        _write_steps(Path(args.steps_out), rgb, results)
    print(f"{args.out}: {pipeline.describe()}")
    print(f"pipeline fingerprint: {pipeline.fingerprint()}")
    return 0


def pipeline_from_args(args: argparse.Namespace) -> Any:
    from skindesk.core.preprocess import Pipeline, get_preset

    if args.preset:
        return get_preset(args.preset)
    text = args.pipeline
    if not text.lstrip().startswith("{"):
        try:
            text = Path(text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SettingsError(f"cannot read pipeline file {args.pipeline}: {error}") from error
    return Pipeline.from_json(text)


def _write_steps(folder: Path, rgb: Any, results: list[tuple[Any, Any]]) -> None:
    write_png(folder / "00-input.png", rgb, make_parents=True)
    for index, (step, image) in enumerate(results, start=1):
        slug = re.sub(r"[^a-z0-9]+", "-", step.label.lower()).strip("-")
        write_png(folder / f"{index:02d}-{slug}.png", image, make_parents=True)


def _print_presets() -> None:
    from skindesk.core.preprocess import get_preset, preset_names
    from skindesk.core.preprocess.presets import BUILTIN_PRESETS

    for name in preset_names():
        origin = "built-in" if name in BUILTIN_PRESETS else "saved"
        print(f"{name} ({origin}): {get_preset(name).describe()}")
