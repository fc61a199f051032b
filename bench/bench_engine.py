"""Inference engine benchmark: SkinDesk's engine against the notebooks' naive way.

In one run, on the same images, it measures:

* naive single-image latency: what public notebooks do, ``keras.utils.load_img``
  + ``img_to_array`` + ``model.predict`` on one image at a time (warm);
* the engine's single-image latency: ``load_image`` + ``engine.predict``;
* the engine's batch throughput on files (decode + resize + inference) and
  the model's pure compute throughput on already-prepared arrays, at the
  same batch size, so their ratio shows the engine's overhead;
* peak resident memory of each phase (Linux ``VmHWM``, reset between phases).

With a model whose card ships an ONNX export (the default), the engine runs
on ONNX Runtime, and the same engine forced onto TensorFlow is timed too.

Usage: python bench/bench_engine.py [--images 48] [--batch 8 16] [--model ID] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def sample_images(count: int) -> list[Path]:
    """A fixed mix of HAM10000 (200×150) and ISIC 2017 (256×256) JPEGs."""
    files = sorted((DATA / "ham10000" / "images").glob("*/*.jpg"))
    files += sorted((DATA / "isic2017" / "images").glob("*/*.jpg"))
    if not files:
        raise SystemExit(f"no images under {DATA}; this benchmark needs ../shared/data")
    rng = np.random.default_rng(0)
    return [files[i] for i in rng.choice(len(files), size=count, replace=False)]


def reset_peak_memory() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_memory_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return times


def bench_naive(card, files, meta) -> dict:
    import keras

    from skindesk.core.model_loader import load_card_keras_model

    model = load_card_keras_model(card)  # the whole model (a composite's backbone and head)
    height, width = card.input_size

    def one(i: int) -> None:
        img = keras.utils.load_img(files[i % len(files)], target_size=(height, width))
        x = np.expand_dims(keras.utils.img_to_array(img), 0)
        model.predict([x, meta[None]] if meta is not None else x, verbose=0)

    one(0)  # warm: the first predict call builds its function
    reset_peak_memory()
    times = timed(one, len(files))
    return {"median_s": statistics.median(times), "peak_mb": peak_memory_mb()}


def bench_engine_single(engine, files) -> dict:
    from skindesk.core.imageio import load_image

    def one(i: int) -> None:
        engine.predict([load_image(files[i % len(files)]).rgb])

    one(0)
    reset_peak_memory()
    times = timed(one, len(files))
    return {"median_s": statistics.median(times), "peak_mb": peak_memory_mb()}


def bench_engine_on_tensorflow(card, files) -> dict:
    """The same engine forced onto TensorFlow (what the ONNX export saves)."""
    from skindesk.core.engine import InferenceEngine

    os.environ["SKINDESK_RUNTIME"] = "tensorflow"
    try:
        engine = InferenceEngine(card)
        engine.load()
    finally:
        del os.environ["SKINDESK_RUNTIME"]
    return bench_engine_single(engine, files)


def bench_batches(service, engine, files, batch: int) -> dict:
    engine.batch_size = batch
    prepared = np.stack([engine.prepare(np.zeros((150, 200, 3), np.uint8))] * batch)
    engine.predict_prepared(prepared)
    reset_peak_memory()
    rounds = max(1, len(files) // batch)
    start = time.perf_counter()
    for _ in range(rounds):
        engine.predict_prepared(prepared)
    compute = rounds * batch / (time.perf_counter() - start)
    start = time.perf_counter()
    done = sum(1 for r in service.predict_files(files[: rounds * batch], model_id=engine.card.id) if r.ok)
    end_to_end = done / (time.perf_counter() - start)
    return {"batch": batch, "compute_ips": compute, "files_ips": end_to_end,
            "ratio": end_to_end / compute, "peak_mb": peak_memory_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=48)
    parser.add_argument("--batch", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--model", help="model id (the default model when omitted)")
    args = parser.parse_args()

    from skindesk.core.metadata import UNKNOWN, encode_metadata
    from skindesk.core.service import SkinDeskService

    files = sample_images(args.images)
    service = SkinDeskService()
    engine = service.engine(args.model)
    started = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - started
    card = engine.card
    meta = encode_metadata(card.metadata_input, UNKNOWN) if card.metadata_input else None
    engine_single = bench_engine_single(engine, files)
    tf_single = bench_engine_on_tensorflow(card, files) if engine.runtime == "onnx" else None
    naive = bench_naive(card, files, meta)
    batches = [bench_batches(service, engine, files, b) for b in args.batch]
    report = {
        "device": engine.device().description,
        "runtime": engine.runtime,
        "model": engine.card.id,
        "images": len(files),
        "model_load_s": round(load_s, 2),
        "naive_single_s": round(naive["median_s"], 4),
        "engine_single_s": round(engine_single["median_s"], 4),
        "single_latency_ratio": round(engine_single["median_s"] / naive["median_s"], 3),
        **({"engine_tensorflow_single_s": round(tf_single["median_s"], 4),
            "tensorflow_latency_ratio": round(tf_single["median_s"] / naive["median_s"], 3)}
           if tf_single else {}),
        "naive_single_ips": round(1 / naive["median_s"], 2),
        "engine_single_ips": round(1 / engine_single["median_s"], 2),
        "peak_mb": {"engine_single": round(engine_single["peak_mb"]), "naive": round(naive["peak_mb"])},
        "batches": [{k: round(v, 3) if isinstance(v, float) else v for k, v in b.items()}
                    for b in batches],
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def print_report(r: dict) -> None:
    print(f"device: {r['device']}   runtime: {r['runtime']}   model: {r['model']}   "
          f"images: {r['images']}   model load: {r['model_load_s']} s")
    print(f"single image, end to end (decode + resize + predict), median of {r['images']}:")
    print(f"  naive notebook way (load_img + model.predict): {r['naive_single_s'] * 1000:7.1f} ms"
          f"  ({r['naive_single_ips']:.2f} img/s)")
    print(f"  SkinDesk engine:                               {r['engine_single_s'] * 1000:7.1f} ms"
          f"  ({r['engine_single_ips']:.2f} img/s)")
    if "engine_tensorflow_single_s" in r:
        print(f"  SkinDesk engine on TensorFlow instead:         "
              f"{r['engine_tensorflow_single_s'] * 1000:7.1f} ms  "
              f"(ratio {r['tensorflow_latency_ratio']:.2f})")
    print(f"  latency ratio engine/naive: {r['single_latency_ratio']:.2f}  (aim <= 0.5)")
    for b in r["batches"]:
        print(f"batch {b['batch']:>3}: pure compute {b['compute_ips']:.2f} img/s, files end to end "
              f"{b['files_ips']:.2f} img/s, ratio {b['ratio']:.2f} (aim >= 0.9), "
              f"peak RSS {b['peak_mb']:.0f} MB")
    print(f"peak RSS single-image phases: engine {r['peak_mb']['engine_single']} MB, "
          f"naive {r['peak_mb']['naive']} MB (naive holds a second copy of the model)")


if __name__ == "__main__":
    main()
