"""Benchmark the explanation methods on the bundled default model.

(a) Time per method for one image, against a plain prediction of the same
    image (target: Grad-CAM at most 1.5× a prediction).
(b) The pointing game (Zhang et al., 2016) on HAM10000: the fraction of
    images whose heat-map maximum falls inside the lesion mask, per method,
    against the baseline "always point at the image centre"; and the
    energy-based variant (Wang et al., Score-CAM): the mean share of the
    heat map's mass inside the mask, against a flat map's share (the mask's
    area fraction). HAM10000 lesions are centred and large, so the centre
    baseline is hard to beat; the energy share says more. The default model
    was trained on HAM10000: this measures localisation, not accuracy.

Score-CAM and occlusion cost tens of forward passes per image, so they use
the first ``--slow-sample`` images of the same sample (printed in the table).

Usage::

    python bench/bench_explain.py [--sample 200] [--slow-sample 40] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a source checkout

DATA = ROOT.parent / "shared" / "data" / "ham10000"
SLOW_METHODS = ("scorecam", "occlusion")


def seconds(fn: Any) -> float:
    """Wall time of one call of ``fn()``."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def paired_times(predict: Any, explain: Any, repeats: int) -> tuple[float, float]:
    """Median seconds of ``explain`` and ``predict``, measured alternately.

    Alternating the two calls exposes both to the same load from other
    processes on a shared machine, which a before/after comparison does not.
    """
    predict(), explain()  # warm up: trace graphs, fill caches
    pairs = [(seconds(explain), seconds(predict)) for _ in range(repeats)]
    return statistics.median(e for e, _ in pairs), statistics.median(p for _, p in pairs)


def timing(engine: Any, image: np.ndarray, methods: list[str], repeats: int) -> dict[str, Any]:
    """Seconds per method and its ratio to a plain prediction of the same image."""
    from skindesk.core.explain.api import explain_images

    rows: dict[str, Any] = {}
    for method in methods:
        count = min(2, repeats) if method in SLOW_METHODS else repeats
        explain_s, predict_s = paired_times(
            lambda: engine.predict([image]),
            lambda m=method: explain_images(engine, [image], m),
            count,
        )
        rows[method] = {
            "seconds": explain_s,
            "predict_seconds": predict_s,
            "ratio": explain_s / predict_s,
        }
        print(
            f"  {method:<10} {explain_s * 1000:8.0f} ms vs predict {predict_s * 1000:5.0f} ms:"
            f" {explain_s / predict_s:6.2f}×",
            flush=True,
        )
    return rows


def sample_images(count: int, seed: int = 0) -> list[Path]:
    """A fixed random sample of HAM10000 images (seed 0), in a stable order."""
    files = sorted((DATA / "images").glob("*/*.jpg"))
    rng = np.random.default_rng(seed)
    return [
        files[i] for i in sorted(rng.choice(len(files), size=min(count, len(files)), replace=False))
    ]


def lesion_mask(image: Path) -> np.ndarray:
    """The image's binary lesion mask (True inside the lesion)."""
    import cv2

    mask = cv2.imread(str(DATA / "masks" / f"{image.stem}.png"), cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise FileNotFoundError(f"no lesion mask for {image.name}")
    return np.asarray(mask > 127)


def pointing_game(engine: Any, files: list[Path], method: str) -> dict[str, Any]:
    """Hits of the heat map's peak inside the lesion mask, over ``files``."""
    from skindesk.core.explain.api import explain_images
    from skindesk.core.imageio import load_image

    hits, energy, started = 0, 0.0, time.perf_counter()
    for start in range(0, len(files), 8):
        chunk = files[start : start + 8]
        results = explain_images(engine, [load_image(f).rgb for f in chunk], method)
        for path, result in zip(chunk, results):
            mask, (x, y) = lesion_mask(path), result.peak
            hits += bool(mask[y, x])
            energy += float(result.heatmap[mask].sum() / max(result.heatmap.sum(), 1e-12))
    seconds = (time.perf_counter() - started) / len(files)
    return {
        "n": len(files),
        "hits": hits,
        "accuracy": hits / len(files),
        "energy_in_mask": energy / len(files),
        "seconds_per_image": seconds,
    }


def centre_baseline(files: list[Path]) -> dict[str, Any]:
    """Hits of "always the image centre"; energy of a flat map (the mask's area share)."""
    hits, area = 0, 0.0
    for path in files:
        mask = lesion_mask(path)
        hits += bool(mask[mask.shape[0] // 2, mask.shape[1] // 2])
        area += float(mask.mean())
    return {
        "n": len(files),
        "hits": hits,
        "accuracy": hits / len(files),
        "energy_in_mask": area / len(files),
        "seconds_per_image": 0.0,
    }


def all_pointing_games(
    engine: Any, files: list[Path], methods: list[str], slow_sample: int
) -> dict[str, dict[str, Any]]:
    """The pointing game of every method, with the centre baselines."""
    rows = {"centre": centre_baseline(files)}
    for method in methods:
        subset = files[:slow_sample] if method in SLOW_METHODS else files
        rows[method] = pointing_game(engine, subset, method)
        print(
            f"  pointing game {method}: {rows[method]['accuracy']:.3f} on {len(subset)}", flush=True
        )
    if slow_sample < len(files):
        rows[f"centre@{slow_sample}"] = centre_baseline(files[:slow_sample])
    return rows


def print_table(rows: dict[str, dict[str, Any]], timings: dict[str, Any]) -> None:
    """The pointing-game table with each method's timing ratio."""
    print(
        f"\n{'method':<12}{'n':>5}{'hits':>6}{'pointing':>10}{'in-mask':>9}"
        f"{'s/img':>8}{'×predict':>10}"
    )
    for method, row in rows.items():
        ratio = timings.get(method, {}).get("ratio")
        ratio_text = f"{ratio:.2f}" if ratio is not None else "-"
        print(
            f"{method:<12}{row['n']:>5}{row['hits']:>6}{row['accuracy']:>10.3f}"
            f"{row['energy_in_mask']:>9.3f}{row['seconds_per_image']:>8.2f}{ratio_text:>10}"
        )


def main(argv: list[str] | None = None) -> int:
    from skindesk.core.explain.registry import METHODS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=200, help="images for fast methods")
    parser.add_argument("--slow-sample", type=int, default=40, help="images for scorecam/occlusion")
    parser.add_argument("--repeats", type=int, default=7, help="timing repeats per method")
    parser.add_argument("--timing-only", action="store_true", help="skip the pointing game")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"HAM10000 data not found at {DATA}", file=sys.stderr)
        return 2

    from skindesk.core.imageio import load_image
    from skindesk.core.service import SkinDeskService

    engine = SkinDeskService().engine()
    engine.load()
    files = sample_images(args.sample)
    print(f"Timing on {engine.device().description}, model {engine.card.id}, 1 image:")
    timings = timing(engine, load_image(files[0]).rgb, args.methods, args.repeats)
    rows = (
        {}
        if args.timing_only
        else all_pointing_games(engine, files, args.methods, args.slow_sample)
    )
    if rows:
        print_table(rows, timings)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"timing": timings, "pointing_game": rows, "model": engine.card.id, "seed": 0},
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
