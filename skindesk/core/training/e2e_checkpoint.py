"""Going on with an interrupted end-to-end training run (``skindesk train ... --resume``).

A whole network trains for hours on a CPU (EfficientNet-Lite2 on 2 cores: about 23
minutes an epoch of 7,800 images), so a reboot, a closed laptop or a power cut must
cost no more than the epoch under way. After every epoch the run's state goes to
``OUT/.checkpoint/``: the model's weights with the optimizer's state, the best epoch's
weights (the ones early stopping keeps), the learning-rate schedule's and early
stopping's counters, each epoch's losses and the phases already finished. ``--resume``
rebuilds the network and goes on from the next epoch; a run whose configuration or
images differ from the saved one is refused, and so is a fresh run into a folder that
holds an interrupted one (it would throw those hours away). The folder is removed once
the model is saved.

A resumed run is not bit-identical to an uninterrupted one: its later epochs draw other
shuffles and augmentations. The card records where each resume picked up.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.errors import UserError
from skindesk.core.jsonfile import write_json_atomic
from skindesk.core.training.e2e_phase_checkpoint import (
    PhaseCheckpoint,
    load_arrays,
    save_arrays,
)

CHECKPOINT_DIR = ".checkpoint"
_STATE = "state.json"


def run_fingerprint(config: dict[str, Any], recipe: dict[str, Any], train: Any, val: Any) -> dict[str, Any]:
    """What a resumed run must share with the interrupted one: settings, recipe and images."""
    def digest(table: Any) -> str:
        rows = "\n".join(f"{p}\t{label}" for p, label in zip(table.paths, table.labels, strict=True))
        return hashlib.sha256(rows.encode("utf-8")).hexdigest()

    fingerprint = {"config": config, "recipe": recipe, "train_images": digest(train), "val_images": digest(val)}
    return json.loads(json.dumps(fingerprint))  # as it reads back from the state file (lists, not tuples)


def _now() -> str:
    return datetime.datetime.now().isoformat(timespec="seconds")


class TrainingCheckpoint:
    """The saved state of one training run in ``OUT/.checkpoint``; see the module docstring."""

    def __init__(self, folder: Path, state: dict[str, Any]) -> None:
        self.folder = folder
        self.state = state

    @classmethod
    def open(cls, out_dir: Path, fingerprint: dict[str, Any], resume: bool) -> TrainingCheckpoint:
        """The run's checkpoint: a new one, or with ``resume`` the interrupted one.

        Raises:
            UserError: An interrupted run without ``resume``; ``resume`` with nothing to
                resume, an unreadable state or other settings or images.
        """
        folder = Path(out_dir) / CHECKPOINT_DIR
        saved = _read_state(folder)
        if saved is not None and not resume:
            raise UserError(f"{out_dir} holds an interrupted training run ({describe(saved)}): add --resume "
                            f"to go on from there, give another --out, or remove {folder} to start again")
        if saved is None and resume:
            raise UserError(f"--resume: {out_dir} holds no interrupted training run")
        if saved is None:  # written with the first finished epoch: a failed start leaves nothing
            shutil.rmtree(folder, ignore_errors=True)  # a stray folder without a state file
            return cls(folder, {"fingerprint": fingerprint, "finished": [], "phase": None, "resumed": []})
        _check_same_run(saved["fingerprint"], fingerprint, out_dir)
        saved["resumed"].append({"at": _now(), "from": describe(saved)})
        checkpoint = cls(folder, saved)
        checkpoint.save_state()
        return checkpoint

    @property
    def resumed(self) -> list[dict[str, Any]]:
        """Where each ``--resume`` picked up (empty for a run never interrupted)."""
        return list(self.state["resumed"])

    def save_state(self) -> None:
        """Write the state file (the weights it points at are written first)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.folder / _STATE, self.state, indent=1)

    def finished_phase(self, index: int) -> dict[str, Any] | None:
        """The record of phase ``index`` if it finished before the interruption."""
        finished = self.state["finished"]
        return finished[index] if index < len(finished) else None

    def finish_phase(self, index: int, record: dict[str, Any], weights: list[np.ndarray]) -> None:
        """Phase ``index`` is over: keep its record and the weights it ended with."""
        self.folder.mkdir(parents=True, exist_ok=True)
        save_arrays(self.folder / f"phase{index}-end.npz", weights)
        self.state["finished"] = [*self.state["finished"][:index], record]
        self.state["phase"] = None
        self.save_state()

    def phase_end_weights(self, index: int) -> list[np.ndarray]:
        """The weights finished phase ``index`` ended with."""
        return load_arrays(self.folder / f"phase{index}-end.npz")

    def phase(self, index: int, name: str, epochs: int) -> PhaseCheckpoint:
        """The checkpoint of phase ``index`` (going on from its last epoch if it had begun)."""
        saved = self.state["phase"]
        if saved is None or saved["index"] != index:
            saved = {"index": index, "name": name, "epochs": epochs, "epochs_done": 0, "stopped": False,
                     "history": {}, "early_stopping": None, "plateau": None}
        return PhaseCheckpoint(self, saved)

    def remove(self) -> None:
        """Delete the checkpoint (the trained model is saved)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _read_state(folder: Path) -> dict[str, Any] | None:
    path = folder / _STATE
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        missing = [key for key in ("fingerprint", "finished", "phase", "resumed") if key not in state]
        if missing:
            raise ValueError(f"no {', '.join(missing)}")
        return state
    except (OSError, ValueError, TypeError) as error:
        raise UserError(f"the training checkpoint {path} cannot be read ({error}); remove {folder} "
                        "to start the run again") from None


def describe(state: dict[str, Any]) -> str:
    """Where an interrupted run stands, e.g. 'frozen backbone, 1 of 2 epochs done'."""
    phase = state.get("phase")
    if phase:
        return f"{phase['name']}, {phase['epochs_done']} of {phase['epochs']} epochs done"
    finished = state.get("finished") or []
    return f"{len(finished)} phase(s) finished" if finished else "no epoch finished yet"


def _check_same_run(saved: dict[str, Any], now: dict[str, Any], out_dir: Path) -> None:
    differ = [key for key in now if saved.get(key) != now[key]]
    if "config" in differ:
        options = sorted(k for k in now["config"] if saved["config"].get(k) != now["config"][k])
        differ[differ.index("config")] = "options " + ", ".join(options)
    if differ:
        raise UserError(f"--resume: the interrupted run in {out_dir} was started with other "
                        f"{'; '.join(d.replace('_', ' ') for d in differ)}; give the same command line "
                        f"and data, another --out, or remove {Path(out_dir) / CHECKPOINT_DIR} to start again")

