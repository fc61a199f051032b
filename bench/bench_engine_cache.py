"""Engine cache benchmark: memory of a session that uses several models in turn.

A clinician who tries the bundled models one after another (Analysis ▸ Models…,
*Set as default* or *Evaluate on…*) makes the engine load each of them. This
runs that sequence in a fresh process per configuration and records resident
memory (``VmRSS``, after a garbage collection) and time after each step:

* ``bounded``: the app's engine cache (the two most recently used models kept);
* ``unbounded``: every engine kept, as before the bound (the naive baseline).

The last step goes back to the first model, so the bounded run also shows what
the bound costs: that model loads again.

Usage: python bench/bench_engine_cache.py [--models ID ...] [--json OUT]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
DEFAULT_SEQUENCE = ["skindesk-lite2-pair", "skindesk-imagenet-lite2", "skindesk-multiclinic-v2",
                    "skindesk-multiclinic-v1", "ham10000-xception", "skindesk-lite2-pair"]


def resident_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_sequence(models: list[str], capacity: int | None) -> list[dict[str, object]]:
    """Predict one image with each model in turn; memory and time after each."""
    import numpy as np

    from skindesk.core import service as service_module

    service_module._ENGINES.capacity = capacity
    service = service_module.SkinDeskService()
    image = np.random.default_rng(0).integers(0, 255, (450, 600, 3), dtype=np.uint8)
    steps = [{"model": "(start)", "seconds": 0.0, "rss_mb": round(resident_mb())}]
    for model_id in models:
        started = time.perf_counter()
        service.engine(model_id).predict([image])
        seconds = time.perf_counter() - started
        gc.collect()
        steps.append({"model": model_id, "seconds": round(seconds, 2), "rss_mb": round(resident_mb()),
                      "engines_kept": len(service_module._ENGINES)})
    return steps


def child_main(models: list[str], capacity: str) -> None:
    steps = run_sequence(models, None if capacity == "none" else int(capacity))
    print(json.dumps(steps))


def run_in_fresh_process(models: list[str], capacity: int | None) -> list[dict[str, object]]:
    command = [sys.executable, __file__, "--child", "none" if capacity is None else str(capacity),
               "--models", *models]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=DEFAULT_SEQUENCE)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.models, args.child)
        return
    from skindesk.core.service import EngineCache

    results = {"bounded": run_in_fresh_process(args.models, EngineCache().capacity),
               "unbounded": run_in_fresh_process(args.models, None)}
    print(f"{'step':<28} {'bounded MB':>11} {'s':>6} {'unbounded MB':>13} {'s':>6}")
    for bounded, unbounded in zip(results["bounded"], results["unbounded"], strict=True):
        print(f"{bounded['model']:<28} {bounded['rss_mb']:>11} {bounded['seconds']:>6} "
              f"{unbounded['rss_mb']:>13} {unbounded['seconds']:>6}")
    peak = {name: max(step["rss_mb"] for step in steps) for name, steps in results.items()}
    print(f"peak resident memory: bounded {peak['bounded']} MB, unbounded {peak['unbounded']} MB "
          f"({peak['bounded'] / peak['unbounded']:.2f}x)")
    if args.json:
        args.json.write_text(json.dumps({"sequence": args.models, "steps": results, "peak_mb": peak},
                                        indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
