"""Importing and configuring TensorFlow once, on first need.

TensorFlow takes seconds to import, so nothing imports it at module level:
the GUI window and ``skindesk --help`` come up without it. Thread counts and
GPU memory growth must be set before TensorFlow creates its runtime, which is
why every user goes through :func:`tensorflow`.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from types import ModuleType

log = logging.getLogger(__name__)

_lock = threading.Lock()
_tf: ModuleType | None = None
_device: DeviceInfo | None = None


@dataclass(frozen=True)
class DeviceInfo:
    """Where inference runs: 'GPU' or 'CPU', and a readable description."""

    kind: str
    description: str


def _quiet_environment() -> None:
    # TensorFlow's C++ start-up chatter means nothing to a clinician.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _configure(tf: ModuleType) -> DeviceInfo:
    cpus = os.cpu_count() or 1
    # Inference is one big graph at a time: all cores inside an op, one op at a time.
    tf.config.threading.set_intra_op_parallelism_threads(cpus)
    tf.config.threading.set_inter_op_parallelism_threads(min(2, cpus))
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        # Grow on demand so other programs on the workstation keep their GPU memory.
        tf.config.experimental.set_memory_growth(gpu, True)
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        name = details.get("device_name", gpus[0].name)
        return DeviceInfo("GPU", f"GPU ({name})")
    return DeviceInfo("CPU", f"CPU ({cpus} threads)")


def tensorflow() -> ModuleType:
    """Import TensorFlow (once, thread-safely), configured for SkinDesk."""
    global _tf, _device
    with _lock:
        if _tf is None:
            _quiet_environment()
            import tensorflow as tf

            try:
                _device = _configure(tf)
            except RuntimeError as error:  # runtime already initialised by someone else
                log.warning("TensorFlow was configured before SkinDesk could: %s", error)
                gpus = tf.config.list_physical_devices("GPU")
                _device = DeviceInfo("GPU" if gpus else "CPU", "GPU" if gpus else "CPU")
            log.info("TensorFlow %s on %s", tf.__version__, _device.description)
            _tf = tf
        return _tf


def device() -> DeviceInfo:
    """The device inference runs on (imports TensorFlow if needed)."""
    tensorflow()
    assert _device is not None
    return _device
