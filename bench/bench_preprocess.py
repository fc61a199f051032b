"""Time each preprocessing step and the standard preset on a 1024×768 image.

Usage: ``python bench/bench_preprocess.py [--repeat N] [--image FILE]``

Uses a real HAM10000 image (hairs and black corners) from ../shared/data,
upscaled to 1024×768, when present, else a synthetic dermatoscope image.
The budget is well under 0.5 s for the standard preset on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skindesk.core.preprocess import (  # after the sys.path set-up
    STEP_TYPES,
    Denoise,
    HairRemoval,
    Step,
    get_preset,
)

SIZE = (1024, 768)
REAL_IMAGE = ROOT.parent / "shared" / "data" / "ham10000" / "images" / "mel" / "ISIC_0033687.jpg"


def test_image(path: Path | None) -> tuple[np.ndarray, str]:
    """A 1024×768 RGB image and where it came from."""
    path = path or REAL_IMAGE
    bgr = cv2.imread(str(path)) if path.is_file() else None
    if bgr is None:
        rng = np.random.default_rng(0)
        rgb = np.clip(rng.normal((215, 170, 150), 6, (SIZE[1], SIZE[0], 3)), 0, 255)
        rgb = rgb.astype(np.uint8)
        cv2.circle(rgb, (512, 384), 120, (110, 60, 45), -1)
        for i in range(30):
            cv2.line(rgb, (i * 35, 0), (i * 20 + 200, 767), (40, 30, 25), 3)
        outside = np.ones(rgb.shape[:2], np.uint8)
        cv2.circle(outside, (512, 384), 500, 0, -1)
        rgb[outside.astype(bool)] = 0
        return rgb, "synthetic"
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return cv2.resize(rgb, SIZE, interpolation=cv2.INTER_CUBIC), f"{path.name} upscaled"


def seconds(function: Callable[[np.ndarray], np.ndarray], image: np.ndarray, repeat: int) -> float:
    """Median wall time of ``repeat`` calls after one warm-up call."""
    function(image)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(image)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def candidates() -> list[Step]:
    """Every step type with defaults, plus the variants worth comparing."""
    steps: list[Step] = [cls() for cls in STEP_TYPES.values()]
    steps += [
        HairRemoval(hair="both"),
        Denoise(method="nlmeans", h=3, template_window=5, search_window=11),
        Denoise(method="bilateral"),
        Denoise(method="median"),
    ]
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--image", type=Path)
    args = parser.parse_args()
    image, source = test_image(args.image)
    print(
        f"image: {source}, {image.shape[1]}×{image.shape[0]}; OpenCV {cv2.__version__}, "
        f"{cv2.getNumThreads()} threads; median of {args.repeat} runs\n"
    )
    print_table(
        "each step on the input image",
        [(step.summary, seconds(step, image, args.repeat)) for step in candidates()],
    )
    preset = get_preset("standard dermoscopy")
    rows = []
    step_input = image
    for step in preset.enabled_steps():
        # Each step timed on what it really gets in the preset.
        rows.append((step.summary, seconds(step, step_input, args.repeat)))
        step_input = step(step_input)
    rows.append(("TOTAL (Pipeline.run)", seconds(preset.run, image, args.repeat)))
    print_table("standard dermoscopy preset", rows)


def print_table(title: str, rows: list[tuple[str, float]]) -> None:
    """Rows of (name, seconds) as a two-column text table in milliseconds."""
    width = max(len(name) for name, _ in rows)
    print(f"{title}\n{'step'.ljust(width)}  {'ms':>8}\n{'-' * (width + 10)}")
    for name, took in rows:
        print(f"{name.ljust(width)}  {took * 1000:8.1f}")
    print()


if __name__ == "__main__":
    main()
