"""A resumable on-disk cache of backbone features for a list of images.

Layout of a cache folder, per image set and view::

    <set>.json                the ordered image keys (verified on reuse)
    <set>.<view>.pooled.npy   float16 (N, 2048)
    <set>.<view>.block13.npy  float16 (N, 8, 8, 1024), optional
    <set>.<view>.done.npy     bool (N,): rows written so far

Rows are written batch by batch, so an interrupted extraction resumes where
it stopped. Decoding and augmentation run in a thread pool (OpenCV and
Pillow release the GIL) while TensorFlow computes the previous batch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from skindesk.core.errors import UserError
from skindesk.core.imageio import load_image
from skindesk.core.jsonfile import write_json_atomic
from skindesk.core.training.backbone import Backbone
from skindesk.core.training.views import apply_view

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class FeatureCache:
    """One cache folder; see the module docstring for its layout."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str, view: str, kind: str) -> Path:
        return self.folder / f"{name}.{view}.{kind}.npy"

    def register(self, name: str, keys: Sequence[str]) -> None:
        """Record the image order of set ``name``; refuse a different order later."""
        index = self.folder / f"{name}.json"
        if index.exists():
            if json.loads(index.read_text(encoding="utf-8")) != list(keys):
                raise ValueError(f"feature cache set '{name}' holds a different image list")
            return
        write_json_atomic(index, list(keys), indent=None)

    def is_complete(self, name: str, view: str) -> bool:
        """True when every row of ``name``/``view`` has been extracted."""
        done = self._path(name, view, "done")
        return done.exists() and bool(np.load(done).all())

    def has_block13(self, name: str, view: str) -> bool:
        """True when block-13 maps were cached for ``name``/``view``."""
        return self._path(name, view, "block13").exists()

    def forget(self, name: str, view: str) -> None:
        """Drop the cached rows of ``name``/``view`` (the image list stays)."""
        for kind in ("done", "pooled", "block13"):
            self._path(name, view, kind).unlink(missing_ok=True)

    def load(self, name: str, view: str, kind: str = "pooled") -> np.ndarray:
        """The cached array (memory-mapped; read-only)."""
        return np.load(self._path(name, view, kind), mmap_mode="r")

    def open_for_writing(self, name: str, view: str, rows: int, width: int,
                         block13_shape: tuple[int, ...] | None) -> tuple[np.memmap, np.memmap | None, np.ndarray]:
        """Memory-mapped arrays to fill (created on first use) and the done mask."""
        pooled = _open_memmap(self._path(name, view, "pooled"), (rows, width))
        block13 = None
        if block13_shape is not None:
            block13 = _open_memmap(self._path(name, view, "block13"), (rows, *block13_shape))
        done_path = self._path(name, view, "done")
        done = np.load(done_path) if done_path.exists() else np.zeros(rows, dtype=bool)
        return pooled, block13, done

    def save_done(self, name: str, view: str, done: np.ndarray) -> None:
        """Persist the done mask atomically (after the rows it marks are flushed)."""
        target = self._path(name, view, "done")
        temporary = target.with_name(target.name + ".tmp.npy")
        np.save(temporary, done)
        temporary.replace(target)


def _open_memmap(path: Path, shape: tuple[int, ...]) -> np.memmap:
    if path.exists():
        array = np.load(path, mmap_mode="r+")
        if array.shape != shape:
            raise ValueError(f"{path} has shape {array.shape}, expected {shape}")
        return array
    return np.lib.format.open_memmap(path, mode="w+", dtype=np.float16, shape=shape)


def _prepared(path: str, key: str, view: str, size: tuple[int, int]) -> np.ndarray | None:
    """The resized float32 view of one image, or None if the file cannot be read."""
    try:
        rgb = load_image(path).rgb
    except UserError as error:  # a bad file must not stop a long extraction
        log.warning("feature cache: skipping %s: %s", path, error)
        return None
    height, width = size
    import cv2

    return cv2.resize(apply_view(rgb, view, key).astype(np.float32), (width, height),
                      interpolation=cv2.INTER_LINEAR)


def _batches(todo: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    for start in range(0, len(todo), batch_size):
        yield todo[start:start + batch_size]


def extract_features(backbone: Backbone, cache: FeatureCache, name: str, paths: Sequence[str],
                     keys: Sequence[str], view: str, *, with_block13: bool = False,
                     batch_size: int = 32, workers: int = 2, on_progress: Progress | None = None) -> np.ndarray:
    """Fill ``cache`` with ``view`` features of every image; returns the done mask.

    Rows of unreadable images stay zero and not done; callers drop them.
    ``with_block13`` also stores block 13's maps (re-extracting a set cached
    without them); a set that has maps keeps getting them either way.
    """
    cache.register(name, keys)
    if with_block13 and not cache.has_block13(name, view):
        cache.forget(name, view)  # rows cached earlier without maps: extract again, maps included
    # Once a set has maps, every row gets them, so a later tuning run never reads a blank map.
    with_block13 = with_block13 or cache.has_block13(name, view)
    block13_shape = tuple(backbone.features.outputs[0].shape[1:]) if with_block13 else None
    pooled, block13, done = cache.open_for_writing(name, view, len(paths), backbone.feature_width, block13_shape)
    todo = np.flatnonzero(~done)
    compute = _compiled(backbone)
    load = lambda i: _prepared(paths[i], keys[i], view, backbone.input_size)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = None
        for rows in _batches(todo, batch_size):
            images = pool.map(load, rows)
            if pending is not None:
                _write(pending, compute, pooled, block13, done)
                cache.save_done(name, view, done)
                _report(on_progress, done)
            pending = (rows, list(images))
        if pending is not None:
            _write(pending, compute, pooled, block13, done)
            cache.save_done(name, view, done)
            _report(on_progress, done)
    return done


def _report(on_progress: Progress | None, done: np.ndarray) -> None:
    if on_progress is not None:
        on_progress(int(done.sum()), len(done))


def _compiled(backbone: Backbone) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def run(batch: tf.Tensor) -> list[tf.Tensor]:
        return backbone.features(batch, training=False)

    def compute(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        block13, pooled = run(tf.constant(batch))
        return block13.numpy(), pooled.numpy()

    return compute


def _write(pending: tuple[np.ndarray, list[np.ndarray | None]], compute: Callable,
           pooled: np.memmap, block13: np.memmap | None, done: np.ndarray) -> None:
    rows, images = pending
    good = [(row, image) for row, image in zip(rows, images) if image is not None]
    if not good:
        return
    block13_batch, pooled_batch = compute(np.stack([image for _, image in good]))
    indices = np.array([row for row, _ in good])
    pooled[indices] = pooled_batch.astype(np.float16)
    if block13 is not None:
        block13[indices] = block13_batch.astype(np.float16)
        block13.flush()
    pooled.flush()
    done[indices] = True
