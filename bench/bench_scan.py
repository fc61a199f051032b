"""Batch scan benchmark: scan_folder's images/s against the model's pure batch throughput.

In one run, with the model loaded once, it measures:

* the engine's pure batch throughput: ``predict_prepared`` on images already
  decoded and prepared in memory, at the engine's batch size, before and
  after the scan (their mean is the reference);
* a full ``scan_folder`` of the folder (discovery by content, decoding and
  quality checks in worker threads, inference, journal with fsync per
  batch): images/s and its ratio to the pure throughput (aim >= 0.9);
* two measures that other programs loading the CPU disturb less than
  wall-clock rates: the share of the scan's wall time the model is busy in
  ``predict_prepared`` (100 % means it never waits for the disk), and CPU
  seconds per image, pure against scan (the cost of decoding and checks);
* memory: peak resident memory during the scan (Linux ``VmHWM``, reset
  before it) and resident memory sampled over time, to show it stays flat.

``--limit N`` scans N images spread evenly over the folder (through a
temporary folder of symbolic links); without it the whole folder is scanned
(all 10,015 HAM10000 images: about 40 minutes on a 2-core CPU).

Usage: python bench/bench_scan.py [--folder DIR] [--limit N] [--workers N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "ham10000" / "images"
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def pick_files(folder: Path, limit: int | None) -> list[Path]:
    """All files of ``folder`` (recursively, in scan order), or ``limit`` of them spread evenly."""
    from skindesk.core.batch import iter_files

    files = [Path(f.path) for f in iter_files(folder, recursive=True)]
    if not files:
        raise SystemExit(f"no files under {folder}; this benchmark needs ../shared/data")
    if limit is None or limit >= len(files):
        return files
    return [files[i] for i in np.linspace(0, len(files) - 1, limit).round().astype(int)]


def link_folder(files: list[Path], target: Path) -> Path:
    """A folder of numbered symbolic links to ``files`` (the scan follows them)."""
    for index, path in enumerate(files):
        os.symlink(path, target / f"{index:06d}_{path.name}")
    return target


class RssSampler(threading.Thread):
    """Samples this process's resident memory every ``interval`` seconds."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self._halt = threading.Event()
        self._start = time.perf_counter()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.samples.append((time.perf_counter() - self._start, rss_mb()))

    def stop(self) -> list[tuple[float, float]]:
        self._halt.set()
        self.join()
        return self.samples


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_MB


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass


def pure_throughput(engine, files: list[Path], batches: int) -> dict:
    """Images/s (and CPU seconds per image) of ``predict_prepared`` alone, on prepared images."""
    from skindesk.core.imageio import load_image

    size = engine.batch_size
    chosen = files[: size * batches]
    prepared = np.stack([engine.prepare(load_image(f).rgb) for f in chosen])
    engine.predict_prepared(prepared[:size])  # warm for this batch shape
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(prepared) - size + 1, size):
        engine.predict_prepared(prepared[start : start + size])
    count = len(prepared) // size * size
    return {"ips": count / (time.perf_counter() - started),
            "cpu_s": (time.process_time() - cpu) / count}  # fmt: skip


class ModelTimer:
    """Wraps ``engine.predict_prepared`` to add up the time the model is busy."""

    def __init__(self, engine) -> None:
        self.engine, self.busy = engine, 0.0
        self.card, self.batch_size = engine.card, engine.batch_size

    def prepare(self, rgb):
        return self.engine.prepare(rgb)

    def predict_prepared(self, images, metadata=None):
        started = time.perf_counter()
        try:
            return self.engine.predict_prepared(images, metadata)
        finally:
            self.busy += time.perf_counter() - started


def run_scan(engine, folder: Path, workers: int | None) -> dict:
    from skindesk.core.batch import FolderScan

    timer = ModelTimer(engine)
    scan = FolderScan(folder, recursive=True, engine=timer, workers=workers)
    reset_peak()
    baseline, cpu = rss_mb(), time.process_time()
    sampler = RssSampler()
    sampler.start()
    for _ in scan.run():
        pass
    samples = sampler.stop()
    s = scan.summary
    return {
        "files": s.total, "analysed": s.analysed, "failed": len(s.failures),
        "elapsed_s": round(s.elapsed, 2), "scan_ips": round(s.rate, 3),
        "scan_cpu_s": round((time.process_time() - cpu) / max(1, s.analysed), 4),
        "model_busy": round(timer.busy / s.elapsed, 4),
        "rss_before_mb": round(baseline), "peak_mb": round(peak_mb()),
        "rss_samples_mb": rss_profile(samples),
    }  # fmt: skip


def rss_profile(samples: list[tuple[float, float]]) -> dict:
    """Resident memory at 10%, 25%, 50%, 75% and 100% of the scan, its max and when."""
    if not samples:
        return {}
    values = [mb for _, mb in samples]
    marks = {f"{p}%": round(values[min(len(values) - 1, len(values) * p // 100)]) for p in
             (10, 25, 50, 75)}  # fmt: skip
    top = int(np.argmax(values))
    return {**marks, "100%": round(values[-1]), "max": round(values[top]),
            "max at": f"{samples[top][0]:.1f} s", "samples": len(values)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--limit", type=int, help="scan this many images, spread over the folder")
    parser.add_argument("--workers", type=int, help="decoding threads (default: the scan's)")
    parser.add_argument(
        "--pure-batches", type=int, default=12, help="batches timed for the pure rate"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="skindesk-bench-scan-")
    os.environ["SKINDESK_HOME"] = home  # the scan journal goes there, not into the user's data
    from skindesk.core.service import SkinDeskService

    files = pick_files(args.folder, args.limit)
    engine = SkinDeskService().engine()
    engine.load()
    before = pure_throughput(engine, files, args.pure_batches)
    links = Path(tempfile.mkdtemp(prefix="scan-", dir=home))
    try:
        folder = link_folder(files, links) if args.limit else args.folder
        scan = run_scan(engine, folder, args.workers)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    after = pure_throughput(engine, files, args.pure_batches)
    report = make_report(engine, args, before, after, scan)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def make_report(engine, args, before: dict, after: dict, scan: dict) -> dict:
    pure_ips = (before["ips"] + after["ips"]) / 2
    pure_cpu = (before["cpu_s"] + after["cpu_s"]) / 2
    return {
        "device": engine.device().description, "model": engine.card.id,
        "batch_size": engine.batch_size, "folder": str(args.folder), "limit": args.limit,
        "pure_ips_before": round(before["ips"], 3), "pure_ips_after": round(after["ips"], 3),
        "pure_ips": round(pure_ips, 3), "pure_cpu_s": round(pure_cpu, 4), **scan,
        "ratio": round(scan["scan_ips"] / pure_ips, 3),
        "cpu_ratio": round(pure_cpu / scan["scan_cpu_s"], 3),
        "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
    }  # fmt: skip


def print_report(r: dict) -> None:
    print(f"device: {r['device']}   model: {r['model']}   batch size: {r['batch_size']}")
    print(f"folder: {r['folder']}   limit: {r['limit'] or 'all'}")
    pure = (
        f"{r['pure_ips']:.2f} img/s "
        f"(before {r['pure_ips_before']:.2f}, after {r['pure_ips_after']:.2f})"
    )
    cpu = f"pure {r['pure_cpu_s']:.3f}, scan {r['scan_cpu_s']:.3f} (ratio {r['cpu_ratio']:.3f})"
    rows = [
        ("files scanned", f"{r['files']} ({r['analysed']} analysed, {r['failed']} failed)"),
        ("scan time", f"{r['elapsed_s']:.1f} s"),
        ("pure batch throughput", pure),
        ("scan throughput", f"{r['scan_ips']:.2f} img/s"),
        ("ratio scan / pure", f"{r['ratio']:.3f}  (aim >= 0.9)"),
        ("model busy during scan", f"{r['model_busy']:.1%} of the scan's wall time"),
        ("CPU s per image", cpu),
        ("RSS before scan", f"{r['rss_before_mb']} MB"),
        ("peak RSS during scan", f"{r['peak_mb']} MB (VmHWM)"),
        ("RSS over time (MB)", ", ".join(f"{k} {v}" for k, v in r["rss_samples_mb"].items())),
        ("load average (1, 5, 15 min)", f"{r['load_average']} on {r['cpus']} CPUs"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
