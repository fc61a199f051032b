"""Where end-to-end training runs: Keras's backend, the GPU if any, and its precision."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


def keras_runs_on_tensorflow() -> bool:
    """Whether Keras's backend is TensorFlow (else batches come from :mod:`.e2e_batches`)."""
    import keras

    return keras.backend.backend() == "tensorflow"


def gpu_name() -> str | None:
    """The GPU Keras's backend trains on (TensorFlow or JAX), or None on a CPU."""
    import keras

    if keras.backend.backend() == "jax":
        import jax

        gpus = [d for d in jax.devices() if d.platform == "gpu"]
        return getattr(gpus[0], "device_kind", "GPU") if gpus else None
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    return tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)


@contextlib.contextmanager
def device_precision() -> Iterator[tuple[str, bool]]:
    """Mixed precision while a GPU is present (restored afterwards); yields (device, mixed).

    float16 under TensorFlow (with loss scaling), bfloat16 under JAX (which
    needs none); the device names the GPU and, off TensorFlow, the backend.
    """
    import keras

    gpu = gpu_name()
    previous = keras.config.dtype_policy()
    on_tensorflow = keras_runs_on_tensorflow()
    if gpu:
        keras.config.set_dtype_policy("mixed_float16" if on_tensorflow else "mixed_bfloat16")
    device = f"GPU ({gpu})" if gpu else "CPU"
    try:
        yield (device if on_tensorflow else f"{device}, Keras on {keras.backend.backend()}"), bool(gpu)
    finally:
        keras.config.set_dtype_policy(previous)
