"""Training batches without TensorFlow (:mod:`skindesk.core.training.e2e_batches`) and a JAX run.

``skindesk train`` under ``KERAS_BACKEND=jax`` (a GPU machine with JAX but no
TensorFlow) streams its batches from NumPy and OpenCV instead of ``tf.data``.
These tests check those batches against the engine's own reading and
scaling, their augmentation and order, and one tiny end-to-end run in a
JAX subprocess whose saved model then works here, under TensorFlow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from skindesk.core.imageprep import scale_pixels
from skindesk.core.training import e2e_data
from skindesk.core.training.e2e_batches import NumpyImageBatches, jitter
from skindesk.core.training.e2e_data import ImageTable, read_resized
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask

ROOT = Path(__file__).resolve().parents[2]


def _image(seed: int, size: int = 48) -> np.ndarray:
    mask = ellipse_mask(size, size, axes=(size // 3, size // 4), angle=float(seed * 30))
    return dermoscopy_like(mask, seed=seed)


@pytest.fixture
def table(tmp_path: Path) -> ImageTable:
    """Five readable images (classes 0, 1, 0, 1, 2) and one broken file at row 2."""
    paths = []
    for i in range(6):
        path = tmp_path / f"img{i}.png"
        if i == 2:
            path.write_bytes(b"not an image")
        else:
            cv2.imwrite(str(path), _image(i)[..., ::-1])
        paths.append(str(path))
    labels = np.array([0, 1, 0, 1, 2, 0])
    return ImageTable(paths, labels, labels > 0, np.array(["a"] * 6))


def test_jitter_keeps_the_size_and_range_and_follows_its_generator() -> None:
    pixels = _image(3).astype(np.float32)
    first = jitter(pixels, np.random.default_rng(7))
    assert first.shape == pixels.shape and first.dtype == np.float32
    assert 0.0 <= first.min() and first.max() <= 255.0
    np.testing.assert_array_equal(first, jitter(pixels, np.random.default_rng(7)))
    assert not np.allclose(first, jitter(pixels, np.random.default_rng(8)))
    assert abs(float(first.mean()) - float(pixels.mean())) < 40  # jitter, not a new image


def test_the_colour_steps_match_tensorflows_at_the_same_draws() -> None:
    import tensorflow as tf

    from skindesk.core.training.e2e_batches import _brightness_and_contrast, _saturation_and_hue

    pixels = _image(4, 64).astype(np.float32)
    ours = _saturation_and_hue(_brightness_and_contrast(pixels.copy(), 0.06, 1.15), 0.85, 0.02)
    x = tf.image.adjust_contrast(tf.image.adjust_brightness(pixels / 255.0, 0.06), 1.15)
    x = tf.image.adjust_hue(tf.image.adjust_saturation(tf.clip_by_value(x, 0.0, 1.0), 0.85), 0.02)
    np.testing.assert_allclose(ours, np.asarray(x), atol=2e-3)


def test_predict_batches_are_the_engines_pixels_in_order_without_the_broken_file(table) -> None:
    batches = NumpyImageBatches(table, 32, "minus-one-one", 4, "predict", workers=2)
    assert len(batches) == 2
    (x0, rows0), (_x1, rows1) = list(batches)
    assert rows0.tolist() == [0, 1, 3] and rows1.tolist() == [4, 5]
    expected = scale_pixels(read_resized(table.paths[3], 32)[0], "minus-one-one")
    np.testing.assert_allclose(x0[2], expected, atol=1e-6)
    assert x0.dtype == np.float32
    with pytest.raises(IndexError):
        batches[2]


def test_val_batches_carry_the_class_index(table) -> None:
    batches = NumpyImageBatches(table, 32, "rescale", 6, "val", workers=1)
    images, labels = batches[0]
    assert labels.tolist() == [0, 1, 1, 2, 0] and images.shape == (5, 32, 32, 3)
    assert 0.0 <= images.min() and images.max() <= 1.0


def test_training_batches_are_shuffled_by_seed_and_epoch_with_row_weights(table) -> None:
    weights = 10.0 * np.arange(6) + table.labels  # row r, label y: 10 r + y
    batches = NumpyImageBatches(table, 32, "none", 6, "train", weights=weights, seed=5, workers=1)
    images, labels, sample_weights = batches[0]
    assert images.dtype == np.uint8 and images.shape == (5, 32, 32, 3)  # whole pixels for the pipe
    np.testing.assert_array_equal(sample_weights % 10, labels)
    assert sorted((sample_weights // 10).astype(int).tolist()) == [0, 1, 3, 4, 5]  # row 2 is unreadable
    again = NumpyImageBatches(table, 32, "none", 6, "train", weights=weights, seed=5, workers=1)
    np.testing.assert_array_equal(again[0][0], images)          # same seed, same epoch: same batch
    order = batches.order.copy()
    batches.on_epoch_end()
    assert batches.epoch == 1
    assert not np.array_equal(batches[0][0], images)             # a new epoch draws again
    assert sorted(batches.order.tolist()) == sorted(order.tolist()) == list(range(6))


def test_image_dataset_uses_numpy_batches_off_tensorflow(table, monkeypatch) -> None:
    monkeypatch.setattr(e2e_data, "keras_runs_on_tensorflow", lambda: False)
    batches = e2e_data.image_dataset(table, 32, "none", 4, "val")
    assert isinstance(batches, NumpyImageBatches) and batches.mode == "val"


@pytest.mark.parametrize(("backend", "gpu", "device", "policy"), [
    ("tensorflow", None, "CPU", None),
    ("tensorflow", "NVIDIA T4", "GPU (NVIDIA T4)", "mixed_float16"),
    ("jax", "NVIDIA H100 80GB HBM3", "GPU (NVIDIA H100 80GB HBM3), Keras on jax", "mixed_bfloat16")])
def test_mixed_precision_and_the_recorded_device_follow_the_gpu_and_backend(monkeypatch, backend, gpu,
                                                                          device, policy) -> None:
    import keras

    from skindesk.core.training import e2e_device

    monkeypatch.setattr(e2e_device, "gpu_name", lambda: gpu)
    monkeypatch.setattr(keras.backend, "backend", lambda: backend)
    before = keras.config.dtype_policy().name
    with e2e_device.device_precision() as (recorded, mixed):
        assert (recorded, mixed) == (device, gpu is not None)
        assert keras.config.dtype_policy().name == (policy or before)
    assert keras.config.dtype_policy().name == before


def _jax_environment() -> dict[str, str]:
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", PYTHONPATH=str(ROOT))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return env


@pytest.mark.timeout(600)
def test_skindesk_train_runs_on_jax_and_its_model_works_under_tensorflow(tmp_path: Path) -> None:
    pytest.importorskip("jax", reason="JAX is in the test extra: pip install -e .[test]")
    data = tmp_path / "clinic"
    (data / "images").mkdir(parents=True)
    lines = ["image_id,dx,lesion_id,split"]
    for i in range(16):
        image = _image(i, 64)
        if i % 2 == 0:
            image = (image * 0.5).astype(np.uint8)
        cv2.imwrite(str(data / "images" / f"IMG_{i:02d}.png"), image[..., ::-1])
        lines.append(f"IMG_{i:02d},{'mel' if i % 2 == 0 else 'nv'},L{i},{'train' if i < 10 else 'val'}")
    (data / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    run = subprocess.run([sys.executable, "-m", "skindesk.cli", "train", str(data / "labels.csv"),
                          "--out", str(out), "--arch", "mobilenetv2", "--base-weights", "none",
                          "--img-size", "64", "--epochs", "1", "--no-evaluate"],
                         env=_jax_environment(), capture_output=True, text=True, timeout=540, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert card["training"]["device"] == "CPU, Keras on jax"
    import keras

    model = keras.models.load_model(out / "model.keras", compile=False)  # here: TensorFlow
    probabilities = np.asarray(model(np.full((1, 64, 64, 3), 128.0, np.float32), training=False))
    assert probabilities.shape == (1, 2) and abs(float(probabilities.sum()) - 1.0) < 1e-5
