"""``skindesk segment IMAGE --out MASK.png [--pixel-spacing MM] [--json]``.

Outlines the lesion, writes the mask as a 0/255 PNG the size of the input,
and reports the box, measurements and image-quality warnings: one JSON
object on stdout with ``--json``, a readable summary otherwise. Finding no
lesion is a result (``"found": false`` and a reason), not an error.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from skindesk.core.errors import SettingsError
from skindesk.core.pngfile import write_png


def register(subparsers: Any) -> None:
    """Add the ``segment`` sub-command."""
    parser = subparsers.add_parser(
        "segment",
        help="outline the lesion and measure it",
        description="Segment the lesion in a dermoscopy image, save the mask as PNG and "
        "report its box, size, shape, colours and image-quality warnings.",
    )
    parser.add_argument("image", metavar="IMAGE", help="image file to segment")
    parser.add_argument("--out", metavar="MASK.png", required=True,
                        help="where to write the 0/255 mask (PNG, same size as the image)")
    parser.add_argument("--pixel-spacing", metavar="MM", type=float, default=None,
                        help="millimetres per pixel, to report sizes in mm")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Segment one image, write its mask, print the report; return the exit code."""
    from skindesk.core.imageio import load_image
    from skindesk.core.lesion import analyse_lesion

    spacing = args.pixel_spacing
    if spacing is not None and not (math.isfinite(spacing) and spacing > 0):
        raise SettingsError(f"--pixel-spacing must be a positive number of mm, not {spacing}")
    image = load_image(args.image)
    report = analyse_lesion(image.rgb, spacing)
    write_png(Path(args.out), report.pop("_mask"), make_parents=True)
    report = {"path": str(args.image), "mask_path": str(args.out), **report}
    if args.json:
        from skindesk.commands._output import print_json_line

        print_json_line(report)
    else:
        _print_summary(report)
    return 0


def _print_summary(report: dict[str, Any]) -> None:
    from skindesk.commands._output import print_disclaimer

    print(f"{report['path']}: {report['width']}×{report['height']} px")
    if not report["found"]:
        print(f"  no lesion outlined: {report['reason']}")
    else:
        m = report["measurements"]
        left, top, right, bottom = report["box"]
        print(f"  lesion box: x {left}-{right}, y {top}-{bottom} (confidence "
              f"{report['confidence']:.2f})")
        print(f"  area {m['area_px']} px, diameter {m['equivalent_diameter_px']:.1f} px "
              f"(equivalent), {m['max_diameter_px']:.1f} px (largest)")
        if m["pixel_spacing_mm"]:
            print(f"  area {m['area_mm2']:.2f} mm², largest diameter {m['max_diameter_mm']:.2f} mm")
        print(f"  asymmetry {m['asymmetry_major']:.2f} / {m['asymmetry_minor']:.2f} "
              f"(A = {m['asymmetry_score']}), compactness {m['compactness']:.2f}")
        print(f"  colours: {', '.join(m['colours']) or 'none'}")
        print(f"  {m['tds_label']}: {m['tds_partial']} without D, "
              f"{m['tds_range'][0]}-{m['tds_range'][1]} for D = 1-5")
        for note in report["notes"]:
            print(f"  note: {note}")
    for warning in report["quality_warnings"]:
        print(f"  warning: {warning['message']}")
    print(f"  mask written to {report['mask_path']}")
    print_disclaimer()
