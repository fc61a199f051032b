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

import dataclasses
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skindesk.core.training.e2e_device import gpu_name, keras_runs_on_tensorflow
from skindesk.core.training.e2e_model import set_trainable_top
from skindesk.core.training.e2e_validation import epoch_validation

if TYPE_CHECKING:
    from skindesk.core.training.e2e_checkpoint import TrainingCheckpoint
    from skindesk.core.training.e2e_phase_checkpoint import PhaseCheckpoint

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
              name: str, on_stage: Stage | None = None, epochs: int | None = None,
              saved: PhaseCheckpoint | None = None) -> dict[str, Any]:
    """Compile and fit ``model`` for one phase; the best epoch's weights are kept.

    Args:
        saved: The phase's checkpoint: saved after every epoch, and the phase goes on
            from its last saved epoch if it has one (``skindesk train --resume``).

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
    schedule = _schedule(config.lr_schedule, learning_rate)
    callbacks = [validate, *schedule, stop, report]
    if saved is not None:  # last: it restores and saves the other callbacks' state
        plateau = next((c for c in schedule if isinstance(c, keras.callbacks.ReduceLROnPlateau)), None)
        callbacks.append(saved.callback(stop, plateau))
    with warnings.catch_warnings():  # batches per epoch are unknown until the first pass ends
        warnings.filterwarnings("ignore", message="Your input ran out of data")
        history = model.fit(data.train, epochs=epochs, verbose=0, shuffle=False, callbacks=callbacks,
                            initial_epoch=saved.initial_epoch if saved else 0).history
    if saved is not None:  # every epoch's, those before an interruption too
        history = saved.history
    losses = history.get("val_loss", [])
    return {"phase": name, "learning_rate": learning_rate, "epochs_run": len(losses),
            "best_val_loss": round(float(min(losses)), 5) if losses else None,
            "train_loss": [round(float(v), 5) for v in history.get("loss", [])],
            "val_loss": [round(float(v), 5) for v in losses],
            "learning_rates": [float(f"{v:.3g}") for v in history.get("learning_rate", [])]}


def _run_phase(model: Any, data: PhaseData, learning_rate: float, config: EndToEndConfig, name: str,
               on_stage: Stage | None, index: int, checkpoint: TrainingCheckpoint | None,
               epochs: int | None = None) -> dict[str, Any]:
    """Fit phase ``index``; when resuming a run in which it had finished, restore its end instead."""
    if checkpoint is not None and (record := checkpoint.finished_phase(index)) is not None:
        model.set_weights(checkpoint.phase_end_weights(index))
        return record
    saved = checkpoint.phase(index, name, epochs or config.epochs) if checkpoint else None
    record = fit_phase(model, data, learning_rate, config, name, on_stage, epochs, saved)
    if checkpoint is not None:
        checkpoint.finish_phase(index, record, model.get_weights())
    return record


def fit_network(model: Any, base: Any, data: PhaseData, config: EndToEndConfig,
                on_stage: Stage | None = None,
                checkpoint: TrainingCheckpoint | None = None) -> list[dict[str, Any]]:
    """Train ``model`` (whose backbone is ``base``) in one or two phases; their records.

    With a ``checkpoint`` every epoch is saved, and an interrupted run goes on where it stopped.
    """
    if config.init_from:  # already trained: no frozen phase, its batch norms stay as trained
        unfrozen = set_trainable_top(base, config.fine_tune_fraction)
        data = dataclasses.replace(data, recalibrate_on=None)
        name = f"continuing {Path(config.init_from).parent.name}: the top {unfrozen} layers"
        return [_run_phase(model, data, config.fine_tune_learning_rate, config, name, on_stage, 0, checkpoint)]
    if config.base_weights is None:
        base.trainable = True
        return [_run_phase(model, data, config.learning_rate, config, "from scratch", on_stage, 0, checkpoint)]
    base.trainable = False
    data = dataclasses.replace(data, recalibrate_on=None)  # its BatchNormalization stays frozen
    frozen = _run_phase(model, data, config.learning_rate, config, "frozen backbone", on_stage, 0,
                        checkpoint, epochs=config.frozen_epochs)
    kept = model.get_weights()
    unfrozen = set_trainable_top(base, config.fine_tune_fraction)
    tuned = _run_phase(model, data, config.fine_tune_learning_rate, config,
                       f"fine-tuning the top {unfrozen} layers", on_stage, 1, checkpoint)
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
