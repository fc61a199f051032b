"""Score lesion segmentation against the HAM10000 masks and boxes, and time it.

Usage::

    python bench/bench_segmentation.py                 # all 10,015 images
    python bench/bench_segmentation.py --sample 500    # a fixed random sample
    python bench/bench_segmentation.py --json out.json

Prints mean Dice, mean and median IoU, mean box IoU (against ``boxes.csv``,
whose bottom/right are exclusive like ours), the share of images with IoU
≥ 0.5, images per second, and the time to segment and to measure a
1024×768 image (a real image scaled up). The data is read from
``../shared/data/ham10000`` and never copied.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skindesk.core.measurements import measure_lesion
from skindesk.core.segmentation import segment_lesion

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ham10000"
Box = tuple[int, int, int, int]  # left, top, right, bottom; right/bottom exclusive


def read_rgb(path: Path) -> np.ndarray:
    """An image file as RGB uint8 (Unicode-safe)."""
    bgr = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise OSError(f"{path}: not a readable image")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def box_iou(a: Box | None, b: Box) -> float:
    """Intersection over union of two boxes; 0 when ``a`` is missing."""
    if a is None:
        return 0.0
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0, width) * max(0, height)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def score_one(item: tuple[str, str, Box]) -> dict[str, float]:
    """Segment one image and compare it with its ground truth."""
    image_path, mask_path, truth_box = item
    rgb = read_rgb(Path(image_path))
    truth = read_rgb(Path(mask_path))[..., 0] > 127
    start = time.perf_counter()
    result = segment_lesion(rgb)
    seconds = time.perf_counter() - start
    pred = result.mask > 0
    inter = int(np.count_nonzero(pred & truth))
    union = int(np.count_nonzero(pred | truth))
    total = int(np.count_nonzero(pred)) + int(np.count_nonzero(truth))
    return {
        "iou": float(inter / union) if union else 1.0,
        "dice": float(2 * inter / total) if total else 1.0,
        "box_iou": box_iou(result.box, truth_box),
        "found": float(result.found),
        "seconds": seconds,
    }


def load_items(data: Path, sample: int | None, seed: int) -> list[tuple[str, str, Box]]:
    """(image, mask, box) for every image in boxes.csv, or a seeded sample."""
    images = {p.stem: p for p in (data / "images").glob("*/*.jpg")}
    items = []
    with open(data / "boxes.csv", newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            key = row["image_id"]
            box = (int(row["left"]), int(row["top"]), int(row["right"]), int(row["bottom"]))
            items.append((str(images[key]), str(data / "masks" / f"{key}.png"), box))
    items.sort()
    if sample and sample < len(items):
        items = random.Random(seed).sample(items, sample)
    return items


def time_large_image(image_path: str, repeats: int = 5) -> dict[str, float]:
    """Median seconds to segment and to measure a 1024×768 (scaled-up) image."""
    rgb = cv2.resize(read_rgb(Path(image_path)), (1024, 768), interpolation=cv2.INTER_CUBIC)
    result = segment_lesion(rgb)  # warm-up
    seg, meas = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        result = segment_lesion(rgb)
        seg.append(time.perf_counter() - start)
        start = time.perf_counter()
        measure_lesion(result.mask, rgb, pixel_spacing_mm=0.01)
        meas.append(time.perf_counter() - start)
    return {"segment_1024x768_s": statistics.median(seg),
            "measure_1024x768_s": statistics.median(meas)}


def summarise(scores: list[dict[str, float]], wall: float) -> dict[str, float]:
    """The headline numbers over all scored images."""
    iou = np.array([s["iou"] for s in scores])
    return {
        "images": len(scores),
        "mean_dice": float(np.mean([s["dice"] for s in scores])),
        "mean_iou": float(iou.mean()),
        "median_iou": float(np.median(iou)),
        "mean_box_iou": float(np.mean([s["box_iou"] for s in scores])),
        "fraction_iou_ge_0_5": float((iou >= 0.5).mean()),
        "fraction_found": float(np.mean([s["found"] for s in scores])),
        "images_per_second_wall": len(scores) / wall,
        "segment_seconds_per_image": float(np.mean([s["seconds"] for s in scores])),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="ham10000 folder")
    parser.add_argument("--sample", type=int, default=None, help="score N random images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args(argv)
    if not (args.data / "boxes.csv").is_file():
        print(f"no HAM10000 data at {args.data}", file=sys.stderr)
        return 2
    items = load_items(args.data, args.sample, args.seed)
    start = time.perf_counter()
    with Pool(args.jobs) as pool:
        scores = pool.map(score_one, items, chunksize=32)
    summary = summarise(scores, time.perf_counter() - start)
    summary.update(time_large_image(items[0][0]))
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value:.4f}" if isinstance(value, float) else
              f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
