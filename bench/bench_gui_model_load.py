"""Does the window stay responsive while the model loads? Engine process vs in-process.

Starts ``python -m skindesk`` (the GUI) N times with ``SKINDESK_REPORT_READY=1``:
the app ticks every 20 ms from the moment its window is ready until the model
is loaded and prints ``SKINDESK_MODEL_READY <ms> <longest gap ms> <state>
<first gap ms>`` (see ``skindesk/gui/load_watch.py``). The longest gap is how
long a click or a repaint would have waited while the model loaded; the first
gap, the window's first full paint, is shown apart. Runs alternate between the app as shipped (the
model in its engine process) and the naive baseline, ``SKINDESK_ENGINE=inprocess``
(TensorFlow imported and the model loaded by a worker thread of the GUI's own
process). Each run uses a fresh ``SKINDESK_HOME``. ``--runtime tensorflow`` makes the
model load through TensorFlow (as a model without an ONNX export does), which
is where the engine process matters most. ``--after-ready S`` also watches the
S seconds after the model is ready, while the engine process loads TensorFlow
and traces Grad-CAM in the background (the in-process baseline does nothing
then, so its tail is the idle window's).

Usage::

    xvfb-run -a -s "-screen 0 1600x1000x24" python bench/bench_gui_model_load.py --runs 5 \
        [--runtime tensorflow] [--after-ready 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_gui_startup import read_line  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
LINE = "SKINDESK_MODEL_READY"
TAIL_LINE = "SKINDESK_AFTER_READY"
MODES = {"engine process": {}, "in-process (baseline)": {"SKINDESK_ENGINE": "inprocess"}}


def time_one(extra_env: dict[str, str], timeout: float, tail_s: float = 0.0
             ) -> tuple[float, float, str, float, float | None]:
    """(seconds until the model was ready, longest Tk gap ms, state, first gap ms,
    longest gap ms in the ``tail_s`` seconds after ready or None) for one start."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "SKINDESK_REPORT_READY": "1", "SKINDESK_HOME": home,
               "SKINDESK_REPORT_TAIL_S": str(tail_s), "TF_CPP_MIN_LOG_LEVEL": "2", **extra_env}
        process = subprocess.Popen([sys.executable, "-m", "skindesk"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            _, ms, gap, state, first = read_line(process, LINE, timeout).split()
            tail = float(read_line(process, TAIL_LINE, tail_s + 30).split()[2]) if tail_s else None
            return float(ms) / 1000, float(gap), state, float(first), tail
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--runtime", choices=("auto", "onnx", "tensorflow"), default="auto",
                        help="SKINDESK_RUNTIME for both: 'tensorflow' shows a model without "
                        "an ONNX export (TensorFlow imported to load it)")
    parser.add_argument("--after-ready", type=float, default=0.0, metavar="S",
                        help="also watch the S seconds after the model is ready")
    args = parser.parse_args()
    os.environ["SKINDESK_RUNTIME"] = args.runtime
    if not os.environ.get("DISPLAY"):
        print("no DISPLAY: run under xvfb-run or on a desktop", file=sys.stderr)
        return 2
    print(f"{args.runs} runs each, alternating, on {os.cpu_count()} CPUs, runtime {args.runtime}")
    gaps: dict[str, list[float]] = {mode: [] for mode in MODES}
    loads: dict[str, list[float]] = {mode: [] for mode in MODES}
    tails: dict[str, list[float]] = {mode: [] for mode in MODES}
    for i in range(args.runs):
        for mode, extra in MODES.items():
            seconds, gap, state, first, tail = time_one(extra, args.timeout, args.after_ready)
            after = f"; {args.after_ready:g} s after ready: {tail:.0f} ms" if tail is not None else ""
            print(f"  run {i + 1} {mode}: model {state} at {seconds:.1f} s, "
                  f"longest Tk stall {gap:.0f} ms (first paint {first:.0f} ms, apart){after}")
            gaps[mode].append(gap)
            loads[mode].append(seconds)
            tails[mode].extend([tail] if tail is not None else [])
    for mode in MODES:
        after = (f"; after ready median {statistics.median(tails[mode]):.0f} ms "
                 f"(max {max(tails[mode]):.0f})" if tails[mode] else "")
        print(f"{mode}: longest stall median {statistics.median(gaps[mode]):.0f} ms "
              f"(max {max(gaps[mode]):.0f}); model ready median "
              f"{statistics.median(loads[mode]):.1f} s{after}")
    ours, naive = (statistics.median(gaps[m]) for m in MODES)
    print(f"ratio of longest stalls, engine process / in-process: {ours / naive:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
