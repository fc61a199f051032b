"""How long the SkinDesk window takes to appear, against a bare ttkbootstrap window.

Starts ``python -m skindesk`` (no arguments: the GUI) N times on the current
``$DISPLAY`` with ``SKINDESK_REPORT_READY=1``, so the app prints
``SKINDESK_READY`` once its main window is mapped and the event loop idle,
and measures from just before the process is spawned to that line. A bare
``ttkbootstrap`` window started the same way, printing the same line at the
same moment, is the baseline. Each run uses a fresh ``SKINDESK_HOME``.

With ``--xdotool`` the time until ``xdotool search --onlyvisible`` first
finds the window is measured too, independently of the app's own report.
``--command dist/skindesk`` times a PyInstaller build (see build.spec) instead
of ``python -m skindesk``; a one-file build's unpacking is included, since
the clock starts before the process is spawned.

Usage::

    xvfb-run -a -s "-screen 0 1600x1000x24" python bench/bench_gui_startup.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY = "SKINDESK_READY"

BARE_WINDOW = f"""
import warnings
warnings.simplefilter("ignore", DeprecationWarning)
import ttkbootstrap as ttk
root = ttk.App(title="bare ttkbootstrap", theme="flatly", size=(1200, 800))
ttk.Label(root, text="bare window").pack()
def ready():
    print("{READY}", flush=True)
def mapped(event):
    root.unbind("<Map>")
    root.after_idle(ready)
root.bind("<Map>", mapped)
root.mainloop()
"""


def _watch_with_xdotool(title: str, found: list[float], stop: threading.Event) -> None:
    while not stop.is_set():
        result = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                                capture_output=True, text=True, check=False)
        if result.stdout.strip():
            found.append(time.monotonic())
            return
        time.sleep(0.01)


def time_one(command: list[str], title: str, use_xdotool: bool, timeout: float
             ) -> tuple[float, float | None, str]:
    """Seconds until the READY line (and until xdotool saw the window); the READY line."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "SKINDESK_REPORT_READY": "1", "SKINDESK_HOME": home,
               "TF_CPP_MIN_LOG_LEVEL": "2"}
        seen: list[float] = []
        stop = threading.Event()
        start = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        watcher = None
        if use_xdotool:
            watcher = threading.Thread(target=_watch_with_xdotool, args=(title, seen, stop))
            watcher.start()
        try:
            line = read_line(process, READY, timeout)
            ready = time.monotonic() - start
            if watcher is not None:
                watcher.join(timeout)
        finally:
            stop.set()
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        mapped = seen[0] - start if seen else None
        return ready, mapped, line


def read_line(process: subprocess.Popen[str], prefix: str, timeout: float) -> str:
    """The first line of the process's output that starts with ``prefix`` (stripped)."""
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(prefix):
            return line.strip()
        if time.monotonic() > deadline:
            break
    raise RuntimeError(f"no {prefix} line within {timeout:.0f} s (exit code {process.poll()})")


def run_series(name: str, command: list[str], title: str, runs: int, use_xdotool: bool,
               timeout: float) -> list[float]:
    """Time ``runs`` starts; print each; return the READY times in seconds."""
    times = []
    for i in range(runs):
        ready, mapped, line = time_one(command, title, use_xdotool, timeout)
        times.append(ready)
        extra = f", xdotool saw it at {mapped * 1000:.0f} ms" if mapped is not None else ""
        print(f"  {name} run {i + 1}: ready at {ready * 1000:.0f} ms{extra}   [{line}]")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--xdotool", action="store_true",
                        help="also time when xdotool first sees the window")
    parser.add_argument("--command", help="the program to time instead of python -m skindesk "
                        "(e.g. dist/skindesk)")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print("no DISPLAY: run under xvfb-run or on a desktop", file=sys.stderr)
        return 2
    if args.xdotool and not shutil.which("xdotool"):
        print("xdotool not found", file=sys.stderr)
        return 2
    print(f"{args.runs} runs each on DISPLAY={os.environ['DISPLAY']}, {os.cpu_count()} CPUs")
    command = [str(Path(args.command).resolve())] if args.command else [
        sys.executable, "-m", "skindesk"]
    skindesk = run_series("skindesk", command, "^SkinDesk$", args.runs, args.xdotool,
                          args.timeout)
    bare = run_series("bare", [sys.executable, "-c", BARE_WINDOW], "^bare ttkbootstrap$",
                      args.runs, args.xdotool, args.timeout)
    s_med, b_med = statistics.median(skindesk), statistics.median(bare)
    print(f"SkinDesk main window: median {s_med * 1000:.0f} ms (min {min(skindesk) * 1000:.0f})")
    print(f"bare ttkbootstrap:    median {b_med * 1000:.0f} ms (min {min(bare) * 1000:.0f})")
    print(f"ratio SkinDesk / bare: {s_med / b_med:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
