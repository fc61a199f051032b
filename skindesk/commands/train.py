"""``skindesk train``: train a classifier on local labelled images.

On any machine: a new head on the bundled dermoscopy backbone
(``--base-weights skindesk-default``, Xception) from cached features, with
class weighting, early stopping, temperature scaling and a threshold for a
target sensitivity chosen on the validation split. The result is a model
folder (model.keras, card.json, recipe.json) that ``--install`` copies
into the user's models, evaluated on its hold-out split. With ``--arch``
and ``--base-weights FILE|none``, a whole ``keras.applications`` network
is trained end to end instead (see ``_train_e2e``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from skindesk.commands._output import print_table
from skindesk.commands._train_e2e import ARCH_CHOICES, is_end_to_end, train_end_to_end
from skindesk.core.training.e2e_fit import AUGMENTATIONS, LR_SCHEDULES
from skindesk.core.training.head import CLASS_WEIGHTS


def register(subparsers: Any) -> None:
    """Add the ``train`` sub-command."""
    parser = subparsers.add_parser(
        "train", help="train a model on labelled images (head on the bundled backbone, or end to end)",
        description="Train a classifier head on the bundled dermoscopy backbone from cached features, "
        "or (--arch resnet50|efficientnetb0|mobilenetv2|xception --base-weights FILE|none) a whole "
        "network end to end. "
        "DATASET is a folder per class or a labels CSV; split by lesion id when known (70/15/15), "
        "or by the CSV's own split column. --recipe FILE trains on several sources.")
    parser.add_argument("dataset", nargs="?", metavar="DATASET", help="folder per class, or labels CSV")
    parser.add_argument("--recipe", metavar="FILE", help="JSON recipe with several sources (see README)")
    parser.add_argument("--out", required=True, metavar="MODEL_DIR", help="folder to write the model to")
    parser.add_argument("--id", dest="model_id", metavar="ID", help="model id (default: the folder name)")
    parser.add_argument("--name", metavar="TEXT", help="readable model name")
    parser.add_argument("--arch", default="xception", choices=list(ARCH_CHOICES),
                        help="backbone architecture (xception with skindesk-default: the bundled one)")
    parser.add_argument("--base-weights", default=None, metavar="skindesk-default|MODEL_ID|FILE|none",
                        help="installed Xception model whose backbone to reuse (default for xception: "
                        "the bundled one), or a Keras weights file (.h5, no top) / none to train the "
                        "whole network end to end")
    parser.add_argument("--img-size", type=int, metavar="N",
                        help="end-to-end input size (default 224; xception 254)")
    parser.add_argument("--epochs", type=int, help="maximum epochs (early stopping decides)")
    parser.add_argument("--frozen-epochs", type=int, metavar="N",
                        help="end to end with a weights file: maximum epochs of the frozen-backbone phase "
                        "(default: --epochs)")
    parser.add_argument("--fine-tune-fraction", type=float, metavar="F",
                        help="end to end with a weights file: share of the backbone's layers fine-tuned, "
                        "from the top (default 0.3; 1 = all)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="end to end: random seed of the head, the data order and the augmentation "
                        "(default 0; another seed gives a different network, e.g. for an ensemble)")
    parser.add_argument("--augmentation", choices=AUGMENTATIONS,
                        help="end to end: 'standard' (default) flips, turns, rotates and jitters colours; "
                        "'strong' also crops, blurs, lowers the resolution, balances colours and adds "
                        "simulated hair, ink and rulers")
    parser.add_argument("--lr-schedule", choices=LR_SCHEDULES,
                        help="end to end: 'plateau' (default) cuts the learning rate tenfold when the "
                        "validation loss stalls; 'constant' keeps it")
    parser.add_argument("--init-from", metavar="MODEL_ID|FOLDER|FILE",
                        help="end to end: go on training a network skindesk train made (an installed "
                        "model's id, its folder or its .keras file; same --arch), e.g. on your own "
                        "images or with --class-weight source-balanced; every layer from the first epoch")
    parser.add_argument("--learning-rate", type=float, metavar="LR",
                        help="end to end: learning rate of fine-tuning (default 1e-4)")
    parser.add_argument("--class-weight", choices=CLASS_WEIGHTS,
                        help="loss weight of each training image: 'balanced' (end to end: the default) "
                        "weighs every class the same; 'source-balanced' does so within each source, "
                        "so no source teaches the network a melanoma prior of its own; 'none'. "
                        "Default for a head: the recipe's head.class_weight")
    parser.add_argument("--hidden", type=int, help="hidden units of the head (0: linear)")
    parser.add_argument("--metadata", action="store_true", help="also feed age, sex and site to the head")
    parser.add_argument("--views", metavar="LIST", help="augmented views of training images, e.g. mixed,geo")
    parser.add_argument("--tune-last-block", action="store_true",
                        help="also retrain the backbone's last block (block 14) on cached block-13 maps")
    parser.add_argument("--cap", type=int, metavar="N", help="at most N images per class and split")
    parser.add_argument("--label-map", metavar="JSON", help="map dataset labels to model classes")
    parser.add_argument("--target-sensitivity", type=float, default=None, metavar="T",
                        help="threshold for this validation sensitivity (default 0.90)")
    parser.add_argument("--cache", metavar="DIR", help="feature cache folder (default: user cache)")
    parser.add_argument("--resume", action="store_true",
                        help="end to end: go on with the run interrupted in --out (same command line)")
    parser.add_argument("--no-evaluate", action="store_true", help="skip the hold-out evaluation")
    parser.add_argument("--install", action="store_true", help="copy the model into the user's models")
    parser.set_defaults(run=run)


def build_recipe(args: argparse.Namespace) -> Any:
    """The recipe from --recipe, or a one-source recipe from DATASET, with CLI overrides."""
    import dataclasses

    from skindesk.core.errors import SettingsError
    from skindesk.core.evaluation.labelmap import parse_label_map
    from skindesk.core.training.recipe import SourceSpec, load_recipe, recipe_from_dict

    if bool(args.recipe) == bool(args.dataset):
        raise SettingsError("give either DATASET or --recipe FILE")
    recipe = load_recipe(args.recipe) if args.recipe else recipe_from_dict({"sources": []}, Path.cwd())
    if args.dataset:
        views = tuple(v for v in (args.views or "").split(",") if v)
        cap = {"train": args.cap, "val": args.cap} if args.cap else None
        source = recipe_from_dict({"sources": [{"path": args.dataset, "views": views, "cap": cap}]},
                                  Path.cwd()).sources[0]
        recipe = dataclasses.replace(recipe, sources=(SourceSpec(**dataclasses.asdict(source)),))
    head = recipe.head
    overrides = {"epochs": args.epochs, "hidden": args.hidden, "use_metadata": args.metadata or None,
                 "class_weight": args.class_weight}
    head = dataclasses.replace(head, **{k: v for k, v in overrides.items() if v is not None})
    changes: dict[str, Any] = {"head": head}
    if args.label_map:
        changes["label_map"] = parse_label_map(args.label_map)
    if args.target_sensitivity is not None:
        changes["target_sensitivity"] = args.target_sensitivity
    if args.tune_last_block and recipe.tune is None:
        from skindesk.core.training.tune import TuneConfig

        changes["tune"] = TuneConfig()
    return dataclasses.replace(recipe, **changes)


def _stage_printer() -> Any:
    last: dict[str, Any] = {"stage": None, "shown": -1}

    def show(stage: str, done: int, total: int) -> None:
        step = max(1, total // 20)
        if stage != last["stage"] or done == total or done // step != last["shown"]:
            print(f"{stage}: {done}/{total}", file=sys.stderr, flush=True)
            last.update(stage=stage, shown=done // step)

    return show


def _print_results(card: dict[str, Any], holdout: dict[str, Any]) -> None:
    rows = [[f"val {name}", str(m["n"]), _fmt(m.get("roc_auc")), _fmt(m.get("sensitivity")),
             _fmt(m.get("specificity")), _fmt(m.get("balanced_accuracy"))]
            for name, m in card["validation"].items()]
    rows += [[f"hold-out {name}", str(r["n"]), _fmt(r.get("roc_auc")), _fmt(r.get("sensitivity")),
              _fmt(r.get("specificity")), _fmt(r.get("balanced_accuracy"))] for name, r in holdout.items()]
    print_table(rows, ["split", "n", "AUC", "sensitivity", "specificity", "bal. acc."])
    print(f"\nthreshold {card['threshold']['value']:.4g}: {card['threshold']['method']} "
          f"on the {card['threshold']['dataset']}")


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def run(args: argparse.Namespace) -> int:
    """Train, evaluate on the hold-out, optionally install; 0 on success."""
    from skindesk import paths
    from skindesk.core.training.backbone import DEFAULT_BACKBONE_MODEL
    from skindesk.core.training.finish import finish_training
    from skindesk.core.training.trainer import train_model

    recipe = build_recipe(args)
    out = Path(args.out).expanduser().resolve()
    model_id = args.model_id or out.name
    stage = _stage_printer()
    if is_end_to_end(args):
        result = train_end_to_end(args, recipe, out, model_id, stage)
    else:
        base = DEFAULT_BACKBONE_MODEL if args.base_weights == "skindesk-default" else args.base_weights
        cache = Path(args.cache) if args.cache else paths.cache_dir() / "features" / base
        result = train_model(recipe, out, model_id, args.name or f"{model_id} (trained with SkinDesk)",
                             cache, base_model=base, on_stage=stage)
    holdout = finish_training(result, model_id, evaluate=not args.no_evaluate, install=args.install,
                              on_stage=stage)
    _print_results(result.card, holdout)
    print(json.dumps({"model": str(out), "id": model_id, "installed": args.install}))
    return 0
