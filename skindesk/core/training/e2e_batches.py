"""End-to-end training batches in NumPy and OpenCV, for Keras backends other than TensorFlow.

:mod:`.e2e_data` streams images with ``tf.data``. A machine with a GPU but
no TensorFlow (JAX's CUDA build, say) can still run ``skindesk train`` with
``KERAS_BACKEND=jax``: this module makes the same batches as a
``keras.utils.PyDataset``. Keras reads training batches in worker
processes, which send whole pixels (uint8) to keep the pipe between them
cheap; validation and calibration batches are read in order by a pool of
threads (OpenCV releases the GIL while it decodes). The augmentation is the same recipe as the
TensorFlow pipeline: flips, 90° turns, brightness, contrast, saturation and
hue jitter, a rotation of up to ±15° with reflected borders, and, for
``strong``, :mod:`.e2e_augment`'s steps first. Each image's draw comes from
(seed, epoch, row), so a run does not depend on which worker read what.
Unreadable files are logged and dropped from their batch.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import cv2
import keras
import numpy as np

from skindesk.core.imageprep import scale_pixels
from skindesk.core.training.e2e_data import ImageTable, read_resized

MAX_ROTATION_DEGREES = 15.0


def jitter(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One image's flips, 90° turn, colour jitter and small rotation (0–255 float32 in and out)."""
    x = pixels[:, ::-1] if rng.random() < 0.5 else pixels
    x = x[::-1] if rng.random() < 0.5 else x
    x = np.ascontiguousarray(np.rot90(x, int(rng.integers(0, 4))), np.float32)
    x = _brightness_and_contrast(x, rng.uniform(-0.1, 0.1), rng.uniform(0.8, 1.2))
    x = _saturation_and_hue(x, rng.uniform(0.8, 1.2), rng.uniform(-0.03, 0.03))
    return _rotate(np.clip(x, 0.0, 1.0, out=x) * 255.0, rng.uniform(-1.0, 1.0) * MAX_ROTATION_DEGREES)


def _brightness_and_contrast(pixels: np.ndarray, delta: float, factor: float) -> np.ndarray:
    """tf.image's brightness (+delta on 0–1) then contrast (about each channel's mean), clipped to 0–1.

    One pass: ((x + d) - (m + d)) * f + (m + d) = x * f + (m * (1 - f) + d), with the
    channel means from OpenCV (NumPy's reduction over a 3-long axis is several times slower).
    """
    means = np.array(cv2.mean(pixels)[:3], np.float32) / 255.0
    x = pixels * np.float32(factor / 255.0) + (means * np.float32(1.0 - factor) + np.float32(delta))
    return np.clip(x, 0.0, 1.0, out=x)


def _saturation_and_hue(rgb: np.ndarray, saturation: float, hue: float) -> np.ndarray:
    """Scale saturation and shift hue (a fraction of the colour circle), in HSV as tf.image does."""
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2HSV)  # float: H in degrees
    hsv[..., 0] = np.mod(hsv[..., 0] + hue * 360.0, 360.0)
    hsv[..., 1] = np.clip(hsv[..., 1] * saturation, 0.0, 1.0)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def _rotate(pixels: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate about the centre, reflecting the image into the corners (RandomRotation's "reflect")."""
    height, width = pixels.shape[:2]
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2.0, (height - 1) / 2.0), degrees, 1.0)
    return cv2.warpAffine(np.ascontiguousarray(pixels, np.float32), matrix, (width, height),
                          flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


class NumpyImageBatches(keras.utils.PyDataset):
    """Batches of one split (see :func:`skindesk.core.training.e2e_data.image_dataset` for ``mode``).

    Training batches are (images, class index, loss weight); ``"val"`` batches
    (images, class index); ``"predict"`` batches (images, row index).
    """

    def __init__(self, table: ImageTable, size: int, scaling: str, batch_size: int, mode: str, *,
                 weights: np.ndarray | None = None, seed: int = 0, shuffle: bool = False,
                 augmentation: str = "standard", workers: int = 8) -> None:
        # Training batches are read by processes: threads, held back by NumPy's share of the GIL,
        # fed an H100 at 2% use. Other batches are read in order by __iter__'s threads.
        super().__init__(workers=workers, use_multiprocessing=mode == "train", max_queue_size=2 * workers)
        self.table, self.size, self.scaling, self.batch_size = table, size, scaling, batch_size
        self.mode, self.seed, self.epoch, self.threads = mode, seed, 0, workers
        self.shuffled = mode == "train" or shuffle
        self.strong = mode == "train" and augmentation == "strong"
        self.row_weight = np.ones(len(table), np.float32) if weights is None else np.asarray(weights, np.float32)
        self.order = self._order()

    def _order(self) -> np.ndarray:
        rows = np.arange(len(self.table))
        return np.random.default_rng((self.seed, self.epoch)).permutation(rows) if self.shuffled else rows

    def on_epoch_end(self) -> None:
        """Keras calls this after each epoch: the next epoch gets a new order and new draws."""
        self.epoch += 1
        self.order = self._order()

    def __len__(self) -> int:
        return math.ceil(len(self.table) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        if not 0 <= index < len(self):
            raise IndexError(index)
        rows = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        images, kept = [], []
        for row in rows:
            pixels, ok = self._image(int(row))
            if ok:
                images.append(pixels)
                kept.append(int(row))
        x = np.stack(images) if images else np.zeros((0, self.size, self.size, 3), np.float32)
        if self.mode == "train" and self.scaling == "none":
            # Whole pixels: a quarter of float32's bytes through the worker processes' pipe,
            # which bounded training at ~170 MB/s; the model casts its input to float.
            x = np.clip(np.rint(x), 0, 255).astype(np.uint8)
        else:
            x = np.asarray(scale_pixels(x, self.scaling), np.float32)
        kept_rows = np.asarray(kept, np.int64)
        if self.mode == "predict":
            return x, kept_rows
        labels = self.table.labels[kept_rows]
        if self.mode == "val":
            return x, labels
        return x, labels, self.row_weight[kept_rows]

    def _image(self, row: int) -> tuple[np.ndarray, bool]:
        cv2.setNumThreads(1)  # the workers are the parallelism; OpenCV's own pool would oversubscribe
        rng = np.random.default_rng((self.seed, self.epoch, row))
        strong_seed = int(rng.integers(0, 2**31 - 1)) if self.strong else None
        pixels, ok = read_resized(self.table.paths[row], self.size, strong_seed)
        if ok and self.mode == "train":
            pixels = jitter(pixels, rng)
        return pixels, ok

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        """All batches in order, read ahead by the thread pool (validation, calibration)."""
        with ThreadPoolExecutor(self.threads) as pool:
            ahead = 2 * self.threads
            for start in range(0, len(self), ahead):
                yield from pool.map(self.__getitem__, range(start, min(start + ahead, len(self))))


def numpy_image_batches(table: ImageTable, size: int, scaling: str, batch_size: int, mode: str,
                        **options: Any) -> NumpyImageBatches:
    """:class:`NumpyImageBatches` with as many readers as cores (at most 16)."""
    return NumpyImageBatches(table, size, scaling, batch_size, mode,
                             workers=min(16, os.cpu_count() or 1), **options)
