"""Training-batch benchmark: images/s of the end-to-end training input pipelines.

On a lent H100 the GPU sat mostly idle while ``skindesk train`` ran under JAX:
the input pipeline, not the network, set the pace. This measures, in one
run, over the same real images (HAM10000 by default), at the Lite2 size:

* the naive baseline: one thread reading, resizing and augmenting one image
  after another (``NumpyImageBatches.__getitem__`` with no workers);
* the NumPy pipeline as training uses it under JAX: Keras's ``PyDataset``
  worker processes (``NumpyImageBatches`` in ``"train"`` mode);
* the ``tf.data`` pipeline TensorFlow training uses (``image_dataset``);

and prints each rate with its ratio to the baseline. The per-image jitter
cost is reported on its own too (it is the largest CPU step after decoding).

Usage: python bench/bench_training_batches.py [--folder DIR] [--images N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "ham10000" / "images"
SIZE, BATCH = 260, 32


def image_table(folder: Path, count: int):
    """The first ``count`` JPEGs under ``folder`` as a training table (labels by folder order)."""
    from skindesk.core.training.e2e_data import ImageTable

    files = sorted(folder.rglob("*.jpg"))[:count]
    if len(files) < BATCH:
        raise SystemExit(f"too few images under {folder}; this benchmark needs ../shared/data")
    labels = np.arange(len(files)) % 2
    return ImageTable([str(f) for f in files], labels, labels == 1, np.array(["bench"] * len(files)))


def rate(batches, table_size: int) -> float:
    """Images/s to draw ``table_size`` images from an iterable of training batches."""
    start, seen = time.perf_counter(), 0
    for batch in batches:
        seen += int(np.asarray(batch[0]).shape[0])
        if seen >= table_size:
            break
    return seen / (time.perf_counter() - start)


def pyds_batches(dataset):
    """Batches as Keras's fit reads a PyDataset (its worker pool), for one epoch."""
    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    adapter = PyDatasetAdapter(dataset, shuffle=False)
    adapter.on_epoch_begin()
    yield from adapter.get_numpy_iterator()
    adapter.on_epoch_end()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from skindesk.core.training.e2e_batches import NumpyImageBatches, jitter, numpy_image_batches
    from skindesk.core.training.e2e_data import image_dataset

    table = image_table(args.folder, args.images)
    naive = NumpyImageBatches(table, SIZE, "none", BATCH, "train", workers=1)
    results = {"images": len(table), "cores": os.cpu_count(),
               "naive_one_thread": rate((naive[i] for i in range(len(naive))), len(table)),
               "numpy_pyds_workers": rate(pyds_batches(numpy_image_batches(table, SIZE, "none", BATCH, "train")),
                                          len(table)),
               "tf_data": rate(image_dataset(table, SIZE, "none", BATCH, "train"), len(table))}
    pixels = np.random.default_rng(0).uniform(0, 255, (SIZE, SIZE, 3)).astype(np.float32)
    rng, start = np.random.default_rng(1), time.perf_counter()
    for _ in range(200):
        jitter(pixels, rng)
    results["jitter_ms_per_image"] = (time.perf_counter() - start) / 200 * 1e3
    for key in ("numpy_pyds_workers", "tf_data"):
        results[f"{key}_vs_naive"] = results[key] / results["naive_one_thread"]
    for key, value in results.items():
        print(f"{key:28s} {value:10.2f}" if isinstance(value, float) else f"{key:28s} {value:>10}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
