"""Streaming labelled images from disk for end-to-end training (tf.data).

Images are decoded one at a time by SkinDesk's own loader (EXIF
orientation, 16-bit, CMYK, DICOM...) and resized exactly as the engine
resizes them, in a few parallel workers, so memory stays flat however large
the dataset. Training batches are augmented (flips, 90° turns, small
rotations, brightness, contrast, saturation and hue jitter; ``strong`` adds
crops, blur, low resolution, colour constancy and artefacts first, see
:mod:`.e2e_augment`) and carry each image's class weight; the pixel scaling
is the card's, in TensorFlow. Under another Keras backend (JAX on a GPU
machine without TensorFlow) the same batches come from :mod:`.e2e_batches`.
Unreadable files are logged and skipped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from skindesk.core.errors import ImageLoadError
from skindesk.core.imageio import load_image
from skindesk.core.imageprep import scale_pixels
from skindesk.core.modelcard import ModelCard
from skindesk.core.training.arrays import Arrays, class_targets
from skindesk.core.training.e2e_augment import strong_augment
from skindesk.core.training.e2e_device import keras_runs_on_tensorflow
from skindesk.core.training.e2e_fit import AUGMENTATIONS
from skindesk.core.training.sources import TrainImage

log = logging.getLogger(__name__)

_MAX_ROTATION = 15.0 / 360.0   # RandomRotation's factor: ±15°; 90° turns do the rest


@dataclass
class ImageTable:
    """The images of one split with their class index, malignancy and source."""

    paths: list[str]
    labels: np.ndarray      # (N,) class index of the model
    malignant: np.ndarray   # (N,) bool
    sources: np.ndarray     # (N,) str

    def __len__(self) -> int:
        return len(self.paths)

    def rows(self, index: np.ndarray) -> Arrays:
        """The rows ``index`` as :class:`Arrays` (no features), for the validation functions."""
        return Arrays(np.zeros((len(index), 0), np.float32), np.zeros((len(index), 0), np.float32),
                      self.labels[index], self.malignant[index], self.sources[index],
                      [self.paths[i] for i in index])


def image_table(images: Sequence[TrainImage], card: ModelCard, label_map: dict[str, Any]) -> ImageTable:
    """Class targets of ``images`` for ``card``'s classes (labels mapped as ``evaluate`` does)."""
    labels, malignant = class_targets(images, card, label_map)
    return ImageTable([i.path for i in images], labels, malignant, np.array([i.source for i in images]))


def read_resized(path: str, size: int, augment_seed: int | None = None) -> tuple[np.ndarray, bool]:
    """(size×size×3 float32 RGB, True), or (zeros, False) for an unreadable file.

    Bilinear in float, as :func:`skindesk.core.imageprep.resize_for_model` resizes for the engine.
    With ``augment_seed``, one draw of the ``strong`` augmentation comes first.
    """
    try:
        rgb = load_image(path).rgb
    except ImageLoadError as error:
        log.warning("training skips %s", error)
        return np.zeros((size, size, 3), np.float32), False
    if augment_seed is not None:
        rgb = strong_augment(rgb, np.random.default_rng(augment_seed))
    pixels = rgb.astype(np.float32)
    if pixels.shape[:2] == (size, size):
        return pixels, True
    return np.asarray(cv2.resize(pixels, (size, size), interpolation=cv2.INTER_LINEAR), np.float32), True


def _jitter(pixels: Any) -> Any:
    """One image's flips, 90° turn and colour jitter (0–255 float in and out)."""
    import tensorflow as tf

    x = tf.image.random_flip_left_right(tf.image.random_flip_up_down(pixels))
    x = tf.image.rot90(x, tf.random.uniform((), 0, 4, dtype=tf.int32))
    x = tf.image.random_brightness(x / 255.0, 0.1)
    x = tf.image.random_contrast(x, 0.8, 1.2)
    x = tf.image.random_saturation(tf.clip_by_value(x, 0.0, 1.0), 0.8, 1.2)
    x = tf.image.random_hue(x, 0.03)
    return tf.clip_by_value(x, 0.0, 1.0) * 255.0


def _decoder(table: ImageTable, size: int, strong: bool = False) -> Any:
    import tensorflow as tf

    paths = tf.constant(table.paths)

    def read(path: bytes, seed: int) -> tuple[np.ndarray, bool]:
        return read_resized(path.decode(), size, int(seed) if strong else None)

    def decode(index: Any) -> tuple[Any, Any, Any]:
        # The draw comes from TensorFlow's seeded generator, so a run's augmentation follows its --seed.
        seed = tf.random.uniform((), 0, 2**31 - 1, dtype=tf.int64) if strong else tf.constant(0, tf.int64)
        pixels, ok = tf.numpy_function(read, [paths[index], seed], [tf.float32, tf.bool], stateful=False)
        pixels.set_shape((size, size, 3))
        return pixels, ok, index

    return decode


def image_dataset(table: ImageTable, size: int, scaling: str, batch_size: int, mode: str, *,
                  weights: np.ndarray | None = None, seed: int = 0, shuffle: bool = False,
                  augmentation: str = "standard") -> Any:
    """Batches of scaled images streamed from disk.

    Args:
        mode: ``"train"`` (shuffled, augmented; yields images, class index and the
            loss weight of each image), ``"val"`` (images and class index, in order)
            or ``"predict"`` (images and row index of ``table``, in order).
        weights: Each row's loss weight for ``"train"`` (default: all 1).
        shuffle: Shuffle a ``"val"`` dataset too (``"train"`` always is).
        augmentation: ``"standard"`` or ``"strong"`` (adds :mod:`.e2e_augment`'s
            image-side steps; training batches only).
    """
    if augmentation not in AUGMENTATIONS:
        raise ValueError(f"unknown augmentation {augmentation!r}")
    if not keras_runs_on_tensorflow():
        from skindesk.core.training.e2e_batches import numpy_image_batches

        return numpy_image_batches(table, size, scaling, batch_size, mode, weights=weights, seed=seed,
                                   shuffle=shuffle, augmentation=augmentation)
    import tensorflow as tf

    workers = min(8, os.cpu_count() or 1)
    data = tf.data.Dataset.range(len(table))
    shuffled = mode == "train" or shuffle
    if shuffled:
        data = data.shuffle(len(table), seed=seed, reshuffle_each_iteration=True)
    strong = mode == "train" and augmentation == "strong"
    data = data.map(_decoder(table, size, strong), num_parallel_calls=workers, deterministic=not shuffled)
    data = data.filter(_readable).map(_without_flag)
    if mode == "train":
        data = data.map(_jittered, num_parallel_calls=workers)
    data = data.batch(batch_size)
    labels = tf.constant(table.labels)
    if mode == "train":
        return data.map(_augmented_batch(table.labels, scaling, weights, seed)).prefetch(2)

    def scaled(images: Any, index: Any) -> tuple[Any, Any]:
        return scale_pixels(images, scaling), (tf.gather(labels, index) if mode == "val" else index)

    return data.map(scaled).prefetch(2)


def _readable(pixels: Any, ok: Any, index: Any) -> Any:
    return ok


def _without_flag(pixels: Any, ok: Any, index: Any) -> tuple[Any, Any]:
    return pixels, index


def _jittered(pixels: Any, index: Any) -> tuple[Any, Any]:
    return _jitter(pixels), index


def _augmented_batch(table_labels: np.ndarray, scaling: str, weights: np.ndarray | None,
                     seed: int) -> Any:
    """Batch-level step of training: a small random rotation, scaling, labels and weights."""
    import keras
    import tensorflow as tf

    rotate = keras.layers.RandomRotation(_MAX_ROTATION, fill_mode="reflect", seed=seed)
    labels = tf.constant(table_labels)
    row_weight = tf.constant(np.ones(len(table_labels)) if weights is None else weights, tf.float32)

    def step(x: Any, index: Any) -> tuple[Any, Any, Any]:
        return scale_pixels(rotate(x, training=True), scaling), tf.gather(labels, index), \
            tf.gather(row_weight, index)

    return step
