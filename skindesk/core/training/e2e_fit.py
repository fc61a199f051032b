"""Fitting a whole network: a frozen-backbone phase, then fine-tuning its top.

With pretrained backbone weights, the new classifier is first trained on a
frozen backbone (so its random weights do not wreck the pretrained ones),
then the top of the backbone is unfrozen and trained further at a lower
learning rate. Without them, the whole network trains from the start. Each
phase stops early on validation loss and keeps its best epoch; the weights
kept at the end are those of the best epoch of either phase. The validation
loss is computed after each epoch by :mod:`skindesk.core.training.e2e_validation`
(which first re-estimates BatchNormalization statistics when training from scratch).
"""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from skindesk.core.training.e2e_model import set_trainable_top
from skindesk.core.training.e2e_validation import epoch_validation

Stage = Callable[[str, int, int], None]

# The choices of ``skindesk train --lr-schedule`` and ``--augmentation`` (first: the default).
LR_SCHEDULES = ("plateau", "constant")
AUGMENTATIONS = ("standard", "strong")


@dataclass(frozen=True)
class PhaseData:
    """The batches a training phase uses.

    Attributes:
        train: Augmented (images, labels, weights) training batches.
        val: (images, labels) validation batches.
        recalibrate_on: (images, labels) training batches, unaugmented, for
            re-estimating BatchNormalization statistics after each epoch (from scratch).
        batches: Training batches per epoch, for progress reports.
    """

    train: Any
    val: Any
    recalibrate_on: Any | None
    batches: int


@dataclass(frozen=True)
class EndToEndConfig:
    """How an end-to-end model is built and trained (recorded in its card).

    ``epochs`` is the most each phase may run; early stopping with ``patience``
    usually ends it sooner.
    """

    arch: str
    img_size: int
    base_weights: str | None = None     # path of the weights file; None = from scratch
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 1e-3
    fine_tune_learning_rate: float = 1e-4
    fine_tune_fraction: float = 0.3     # of the backbone's layers, from the top
    frozen_epochs: int | None = None    # most epochs of the frozen phase (None: ``epochs``)
    patience: int = 5
    dropout: float = 0.3
    class_weight: str = "balanced"
    seed: int = 0
    lr_schedule: str = "plateau"        # or "constant" (how the first Lite2 default was trained)
    augmentation: str = "standard"      # or "strong" (skindesk.core.training.e2e_augment)
    init_from: str | None = None        # a model file skindesk train made, to go on training

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


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


def _progress_reporter(on_stage: Stage | None, phase: str, epochs: int, batches: int) -> Any:
    """Reports batches within each epoch, then the epoch's validation loss."""
    import keras

    class Report(keras.callbacks.Callback):
        epoch = 0

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch = epoch

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            if on_stage:
                on_stage(f"{phase}, epoch {self.epoch + 1}/{epochs}", min(batch + 1, batches), batches)

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            loss = (logs or {}).get("val_loss")
            if on_stage:
                on_stage(f"{phase}" + (f" (val loss {loss:.3f})" if loss is not None else ""),
                         epoch + 1, epochs)

    return Report()


def _use_xla() -> bool | str:
    """XLA on a GPU (Keras decides); on a CPU its compile time outweighs what it saves.

    JAX always compiles: without it every step would run op by op.
    """
    if not keras_runs_on_tensorflow():
        return True
    return "auto" if gpu_name() else False


def _schedule(name: str, learning_rate: float) -> list[Any]:
    """The learning-rate callbacks of a schedule (after the validation callback, which logs val_loss)."""
    import keras

    if name not in LR_SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {name!r}")
    if name == "constant":
        return []
    # A tenth of the rate once the validation loss stalls: a constant rate let it swing
    # between epochs (0.89 → 1.11 → 0.93) instead of settling near its best.
    return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=1,
                                              min_lr=learning_rate / 100)]


def fit_phase(model: Any, data: PhaseData, learning_rate: float, config: EndToEndConfig,
              name: str, on_stage: Stage | None = None, epochs: int | None = None) -> dict[str, Any]:
    """Compile and fit ``model`` for one phase; the best epoch's weights are kept.

    Returns:
        The phase's record: name, learning rate, epochs run, best validation loss.
    """
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=_use_xla())
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience,
                                         restore_best_weights=True)
    epochs = epochs or config.epochs
    validate = epoch_validation(model, data.val, data.recalibrate_on)  # before early stopping reads
    report = _progress_reporter(on_stage, name, epochs, data.batches)
    callbacks = [validate, *_schedule(config.lr_schedule, learning_rate), stop, report]
    with warnings.catch_warnings():  # batches per epoch are unknown until the first pass ends
        warnings.filterwarnings("ignore", message="Your input ran out of data")
        history = model.fit(data.train, epochs=epochs, verbose=0, shuffle=False,
                            callbacks=callbacks).history
    losses = history.get("val_loss", [])
    return {"phase": name, "learning_rate": learning_rate, "epochs_run": len(losses),
            "best_val_loss": round(float(min(losses)), 5) if losses else None,
            "train_loss": [round(float(v), 5) for v in history.get("loss", [])],
            "val_loss": [round(float(v), 5) for v in losses],
            "learning_rates": [float(f"{v:.3g}") for v in history.get("learning_rate", [])]}


def fit_network(model: Any, base: Any, data: PhaseData, config: EndToEndConfig,
                on_stage: Stage | None = None) -> list[dict[str, Any]]:
    """Train ``model`` (whose backbone is ``base``) in one or two phases; their records."""
    if config.init_from:  # already trained: no frozen phase, its batch norms stay as trained
        unfrozen = set_trainable_top(base, config.fine_tune_fraction)
        data = dataclasses.replace(data, recalibrate_on=None)
        return [fit_phase(model, data, config.fine_tune_learning_rate, config,
                          f"continuing {Path(config.init_from).parent.name}: the top {unfrozen} layers",
                          on_stage)]
    if config.base_weights is None:
        base.trainable = True
        return [fit_phase(model, data, config.learning_rate, config, "from scratch", on_stage)]
    base.trainable = False
    data = dataclasses.replace(data, recalibrate_on=None)  # its BatchNormalization stays frozen
    frozen = fit_phase(model, data, config.learning_rate, config, "frozen backbone", on_stage,
                       epochs=config.frozen_epochs)
    kept = model.get_weights()
    unfrozen = set_trainable_top(base, config.fine_tune_fraction)
    tuned = fit_phase(model, data, config.fine_tune_learning_rate, config,
                      f"fine-tuning the top {unfrozen} layers", on_stage)
    worse = tuned["best_val_loss"] is not None and frozen["best_val_loss"] is not None \
        and tuned["best_val_loss"] > frozen["best_val_loss"]
    if worse:  # fine-tuning did not help: keep the frozen phase's best weights
        model.set_weights(kept)
    tuned["kept"] = not worse
    frozen["kept"] = worse
    return [frozen, tuned]


def predict_logits(model: Any, batches: Any) -> tuple[Any, Any]:
    """(logits, row indices) over a ``"predict"`` dataset, in inference mode."""
    import numpy as np

    logits, rows = [], []
    for images, index in batches:
        logits.append(np.asarray(model(images, training=False), dtype=np.float64))
        rows.append(np.asarray(index))
    if not logits:
        return np.zeros((0, int(model.outputs[0].shape[-1]))), np.zeros(0, dtype=np.int64)
    return np.concatenate(logits), np.concatenate(rows)
