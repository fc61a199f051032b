"""One training phase's checkpoint: saved after every epoch, restored into ``fit`` on resume.

Keras's own ``BackupAndRestore`` saves the weights, the optimizer and the epoch, but
not early stopping's best epoch and weights, the learning-rate schedule's counters or
the losses of the epochs before the interruption; the card's record of the phase needs
them all, so this callback keeps them beside the weights
(:mod:`skindesk.core.training.e2e_checkpoint` holds the run around the phases).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from skindesk.core.training.e2e_checkpoint import TrainingCheckpoint

_HISTORY_KEYS = ("loss", "val_loss", "learning_rate")


def save_arrays(path: Path, arrays: list[np.ndarray]) -> None:
    """Save a weight list atomically (``model.get_weights()`` order)."""
    part = path.with_name(path.stem + ".part.npz")
    np.savez(part, *arrays)
    part.replace(path)


def load_arrays(path: Path) -> list[np.ndarray]:
    """A weight list saved by :func:`save_arrays`."""
    with np.load(path) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


class PhaseCheckpoint:
    """The saved epochs of one phase of a run's :class:`TrainingCheckpoint`."""

    def __init__(self, run: TrainingCheckpoint, saved: dict[str, Any]) -> None:
        self.run = run
        self.saved = saved
        index = saved["index"]
        self._latest = run.folder / f"phase{index}-latest.weights.h5"
        self._latest_part = run.folder / f"phase{index}-latest.part.weights.h5"  # Keras needs the suffix
        self._best = run.folder / f"phase{index}-best.npz"

    @property
    def initial_epoch(self) -> int:
        """The epoch ``fit`` starts at: after the last one saved (past the end if it had stopped)."""
        return self.saved["epochs"] if self.saved["stopped"] else self.saved["epochs_done"]

    @property
    def history(self) -> dict[str, list[float]]:
        """Every epoch's loss, validation loss and (with a schedule) learning rate, resumed or not."""
        return {key: list(values) for key, values in self.saved["history"].items()}

    def callback(self, stop: Any, plateau: Any | None) -> Any:
        """A Keras callback that restores this phase on train begin and saves it after each epoch.

        It must come after ``stop`` (EarlyStopping) and ``plateau`` (ReduceLROnPlateau, or
        None) in the callback list, so that it restores their state after they reset it
        and saves it after they update it.
        """
        import keras

        checkpoint = self

        class EpochCheckpoint(keras.callbacks.Callback):
            def on_train_begin(self, logs: dict | None = None) -> None:
                if checkpoint.saved["epochs_done"]:
                    checkpoint.restore(self.model, stop, plateau)

            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                checkpoint.save(self.model, epoch, logs or {}, stop, plateau)

        return EpochCheckpoint()

    def restore(self, model: Any, stop: Any, plateau: Any | None) -> None:
        """Weights, optimizer state and the callbacks' counters as the last saved epoch left them."""
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(self._latest)  # the optimizer's variables are saved with the model's
        early = self.saved["early_stopping"]
        stop.best, stop.wait, stop.best_epoch = early["best"], early["wait"], early["best_epoch"]
        if self._best.is_file():
            stop.best_weights = load_arrays(self._best)
        if plateau is not None and self.saved["plateau"]:
            for key, value in self.saved["plateau"].items():
                setattr(plateau, key, value)

    def save(self, model: Any, epoch: int, logs: dict[str, Any], stop: Any, plateau: Any | None) -> None:
        """Save the state after ``epoch``: weights first, then the state file that points at them."""
        self.run.folder.mkdir(parents=True, exist_ok=True)
        if stop.best_weights is not None and stop.best_epoch == epoch:
            save_arrays(self._best, stop.best_weights)
        model.save_weights(self._latest_part)
        self._latest_part.replace(self._latest)
        history = self.saved["history"]
        for key in _HISTORY_KEYS:
            if key in logs:
                history.setdefault(key, []).append(float(logs[key]))
        self.saved.update(epochs_done=epoch + 1, stopped=bool(model.stop_training), early_stopping={
            "best": None if stop.best is None else float(stop.best), "wait": int(stop.wait),
            "best_epoch": int(stop.best_epoch)})
        if plateau is not None:
            self.saved["plateau"] = {"best": None if plateau.best is None else float(plateau.best),
                                     "wait": int(plateau.wait), "cooldown_counter": int(plateau.cooldown_counter)}
        self.run.state["phase"] = self.saved
        self.run.save_state()
