"""Export an installed model to ONNX, check it against Keras, and record it in its card.

Usage: python scripts/export_onnx.py MODEL_FOLDER [--images N]

The check runs ONNX Runtime and TensorFlow on N real dermoscopy images from
../shared/data (ISIC 2017 validation and HAM10000; generated lesions when the
folder is absent) with unknown and known patient details; the export is kept
only when every output agrees within skindesk.core.onnx_export.TOLERANCE.
Needs the ``onnx-export`` extra (tf2onnx, onnx).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from skindesk.core.imageio import load_image
from skindesk.core.modelcard import load_card, write_card
from skindesk.core.onnx_export import export_onnx

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _isic2017_val(count: int) -> list[Path]:
    labels = SHARED / "isic2017" / "labels.csv"
    if not labels.exists():
        return []
    rows = [line.split(",") for line in labels.read_text().splitlines()[1:]]
    chosen = [f"{dx}/{image_id}.jpg" for image_id, dx, split in rows if split == "val"]
    return [SHARED / "isic2017" / "images" / name for name in chosen[:count]]


def check_images(count: int) -> list[np.ndarray]:
    """Real images from two sources (half each), or generated ones without ../shared."""
    found = _isic2017_val(count // 2)
    found += sorted((SHARED / "ham10000" / "images").glob("*/*.jpg"))[: count - len(found)]
    if found:
        return [load_image(p).rgb for p in found]
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (300, 400, 3), dtype=np.uint8) for _ in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--images", type=int, default=16)
    args = parser.parse_args()
    card = load_card(args.folder / "card.json")
    entry = export_onnx(card, check_images(args.images))
    write_card({**card.raw, "onnx": entry}, args.folder)
    print(f"{card.id}: {entry['file']} ({(args.folder / entry['file']).stat().st_size / 1e6:.1f} MB), "
          f"max |ONNX - Keras| {entry['check']['max_abs_difference']:.2g} on "
          f"{entry['check']['images']} images x {entry['check']['metadata_variants']} metadata variants")
    return 0


if __name__ == "__main__":
    sys.exit(main())
