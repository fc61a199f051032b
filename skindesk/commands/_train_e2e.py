"""``skindesk train``'s choice between the two training paths, and the end-to-end one.

``--base-weights skindesk-default`` (or an installed Xception model's id)
trains a head on cached features of that model's backbone; a weights file
or ``none`` trains a whole ``keras.applications`` network end to end.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from skindesk.core.errors import SettingsError

DEFAULT_BASE = "skindesk-default"
ARCH_CHOICES = ("xception", "resnet50", "efficientnetb0", "mobilenetv2", "efficientnet-lite0",
                "efficientnet-lite2")
_WEIGHTS_SUFFIXES = (".h5", ".hdf5", ".keras")


def _looks_like_file(value: str) -> bool:
    path = Path(value).expanduser()
    return path.is_file() or path.suffix.lower() in _WEIGHTS_SUFFIXES or "/" in value or "\\" in value


def is_end_to_end(args: argparse.Namespace) -> bool:
    """Whether these arguments ask for end-to-end training; checks the combination.

    Fills in ``args.base_weights`` when it was not given (xception: the bundled
    backbone; other architectures must say).

    Raises:
        SettingsError: An architecture and base weights that do not go together.
    """
    if args.init_from:
        _check_continuing(args)
        end_to_end = True
    else:
        end_to_end = _end_to_end_by_weights(args)
    if args.fine_tune_fraction is not None and not 0 < args.fine_tune_fraction <= 1:
        raise SettingsError(f"--fine-tune-fraction {args.fine_tune_fraction:g}: give a share in (0, 1]")
    return end_to_end


def _end_to_end_by_weights(args: argparse.Namespace) -> bool:
    """Whether ``--base-weights`` (filled in when absent) asks for a whole network; refuses what does not fit."""
    from skindesk.core.training.e2e_model import arch_spec

    spec = arch_spec(args.arch)
    if args.base_weights is None:
        if args.arch != "xception":
            raise SettingsError(f"--arch {args.arch} trains a whole network: give --base-weights FILE "
                                f"(e.g. {spec.weights_file}) or --base-weights none to start from scratch")
        args.base_weights = DEFAULT_BASE
    value = args.base_weights
    end_to_end = value.lower() == "none" or _looks_like_file(value)
    if not end_to_end and args.arch != "xception":
        what = "the bundled Xception backbone" if value == DEFAULT_BASE else f"'{value}'"
        raise SettingsError(f"--base-weights {value}: {what} only goes with --arch xception; for --arch "
                            f"{args.arch} give a weights file (e.g. {spec.weights_file}) or 'none'")
    if end_to_end:
        _refuse_head_options(args)
    else:
        for flag, value in (("--img-size", args.img_size), ("--frozen-epochs", args.frozen_epochs),
                            ("--fine-tune-fraction", args.fine_tune_fraction), ("--seed", args.seed),
                            ("--lr-schedule", args.lr_schedule), ("--augmentation", args.augmentation),
                            ("--learning-rate", args.learning_rate), ("--resume", args.resume or None)):
            if value is not None:
                raise SettingsError(f"{flag} is for end-to-end training; the bundled backbone takes 254×254 "
                                    "and its head trains on cached features")
    return end_to_end


def _check_continuing(args: argparse.Namespace) -> None:
    """``--init-from`` goes on training a network: no starting weights, no frozen phase, no head options."""
    for flag, value in (("--base-weights", args.base_weights), ("--frozen-epochs", args.frozen_epochs)):
        if value is not None:
            raise SettingsError(f"{flag} does not go with --init-from, which goes on training every "
                                "weight of an existing network (no frozen phase)")
    _refuse_head_options(args)


def _refuse_head_options(args: argparse.Namespace) -> None:
    given = [flag for flag, value in (("--views", args.views), ("--metadata", args.metadata),
                                      ("--hidden", args.hidden is not None),
                                      ("--tune-last-block", args.tune_last_block)) if value]
    if given:
        raise SettingsError(f"{', '.join(given)} only apply to a head on the bundled backbone "
                            f"(--base-weights {DEFAULT_BASE}); end-to-end training augments on the fly")


def end_to_end_config(args: argparse.Namespace) -> Any:
    """The :class:`EndToEndConfig` these arguments describe; checks the weights file."""
    from skindesk.core.training.e2e_fit import EndToEndConfig
    from skindesk.core.training.e2e_model import arch_spec, check_image_size, check_weights_file

    size = args.img_size or arch_spec(args.arch).default_size
    check_image_size(args.arch, size)
    if args.init_from:
        from skindesk.core.training.e2e_continue import init_model_file

        return EndToEndConfig(arch=args.arch, img_size=size, init_from=str(init_model_file(args.init_from)),
                              **_config_options(args))
    weights = None
    if args.base_weights.lower() != "none":
        path = Path(args.base_weights).expanduser().resolve()
        check_weights_file(args.arch, path)
        weights = str(path)
    return EndToEndConfig(arch=args.arch, img_size=size, base_weights=weights, **_config_options(args))


def _config_options(args: argparse.Namespace) -> dict[str, Any]:
    """The end-to-end options given on the command line (the others keep EndToEndConfig's defaults)."""
    return {key: value for key, value in (("epochs", args.epochs), ("frozen_epochs", args.frozen_epochs),
                                          ("fine_tune_fraction", args.fine_tune_fraction),
                                          ("seed", args.seed), ("lr_schedule", args.lr_schedule),
                                          ("augmentation", args.augmentation),
                                          ("class_weight", args.class_weight),
                                          ("fine_tune_learning_rate", args.learning_rate))
            if value is not None}


def train_end_to_end(args: argparse.Namespace, recipe: Any, out: Path, model_id: str, stage: Any) -> Any:
    """Run end-to-end training for the CLI; the :class:`TrainResult`."""
    from skindesk.core.training.e2e_trainer import train_end_to_end as train

    config = end_to_end_config(args)
    name = args.name or f"{model_id} ({args.arch}, trained with SkinDesk)"
    try:
        return train(recipe, config, out, model_id, name, on_stage=stage, resume=args.resume)
    except KeyboardInterrupt:
        from skindesk.core.training.e2e_checkpoint import CHECKPOINT_DIR

        if (out / CHECKPOINT_DIR / "state.json").is_file():
            print(f"skindesk train: every finished epoch is saved in {out / CHECKPOINT_DIR}; run the same "
                  "command with --resume to go on from there", file=sys.stderr)
        raise
