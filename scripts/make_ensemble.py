"""Make an ensemble model folder: a trained network averaged with installed models.

Usage: python scripts/make_ensemble.py TRAINED_FOLDER OUT_FOLDER --id ID --name TEXT
       --member MODEL_ID [--member MODEL_ID ...]

TRAINED_FOLDER is a `skindesk train` output (its model.keras, card.json and
recipe.json). Every network gets the same weight (nothing is tuned). The
joined model is then run through the normal engine on the recipe's
validation images only, and the card records, from those: the operating
threshold (highest with the recipe's target sensitivity on its threshold
sources, as `skindesk train` chooses it) and the per-source validation
numbers. OUT_FOLDER must be a folder the registry reads (e.g. models/ID),
so that the engine can load it. Test numbers come afterwards from
scripts/report_default_model.py, which chooses nothing.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.ensemble import OWN_NETWORK
from skindesk.core.hashing import sha256_path
from skindesk.core.modelcard import load_card, write_card
from skindesk.core.registry import ModelRegistry
from skindesk.core.service import SkinDeskService
from skindesk.core.training.arrays import Arrays, class_targets
from skindesk.core.training.data import select_images
from skindesk.core.training.recipe import load_recipe
from skindesk.core.training.selection import in_splits
from skindesk.core.training.validation import choose_operating_threshold, per_source


def ensemble_card(trained: dict[str, Any], members: list[Any], model_id: str, name: str) -> dict[str, Any]:
    """The card before validation: the trained network's, plus the ensemble section."""
    weight = round(1.0 / (len(members) + 1), 6)
    card = dict(trained)
    card.update(id=model_id, name=name, version=datetime.date.today().isoformat())
    card["ensemble"] = {"weight": weight, "members": [
        {"model": m.id, "sha256": m.sha256, "weight": weight} for m in members]}
    card["architecture"] = (f"Ensemble, the mean of {len(members) + 1} networks' class probabilities "
                            f"(equal weights): {trained['architecture']} AND "
                            + " AND ".join(f"'{m.id}': {m.raw.get('architecture', '')}" for m in members))
    card["provenance"] = {"ensemble_of": [trained["id"], *[m.id for m in members]],
                          "made_with": "scripts/make_ensemble.py", **trained.get("provenance", {})}
    if trained.get("gradcam_layer"):  # the trained network is the joined model's own_network
        card["gradcam_layer"] = f"{OWN_NETWORK}/{trained['gradcam_layer']}"
    card["limitations"] = [*trained.get("limitations", []), *[
        f"{round(100 * weight)}% of the output comes from '{m.id}', whose limitations apply too: "
        + " ".join(m.raw.get("limitations", [])[:1]) for m in members]]
    card.pop("reported_performance", None)
    card.pop("holdout", None)
    card.pop("onnx", None)
    return card


def validation_arrays(recipe: Any, card: Any) -> tuple[Arrays, list[str]]:
    """Labels and sources of every validation image of the recipe, and their paths."""
    images, sources = [], []
    for source in select_images(recipe):
        val = in_splits(source.cached, ("val",))
        images += val
        sources += [source.name] * len(val)
    labels, malignant = class_targets(images, card, recipe.label_map)
    empty = np.zeros((len(images), 0), np.float32)
    return Arrays(empty, empty, labels, malignant, np.array(sources), [i.key for i in images]), \
        [i.path for i in images]


def validate(card_data: dict[str, Any], folder: Path, recipe: Any) -> dict[str, Any]:
    """Threshold and per-source numbers of the joined model on the validation images."""
    card = load_card(folder / "card.json")
    val, paths = validation_arrays(recipe, card)
    results = list(SkinDeskService().predict_files(paths, model_id=card.id))
    failed = [r for r in results if r.prediction is None]
    if failed:
        raise SystemExit(f"{len(failed)} validation images could not be read, e.g. {failed[0].path}")
    probabilities = np.array([[r.prediction.probabilities[c] for c in card.class_ids] for r in results])
    logits = np.log(np.clip(probabilities, 1e-12, 1.0))  # softmax(log p) = p: temperature 1
    malignant_columns = [card.class_ids.index(c) for c in card.malignant_class_ids]
    rows = np.isin(val.sources, recipe.threshold_sources) if recipe.threshold_sources else np.ones(len(val), bool)
    threshold = choose_operating_threshold(val.subset(rows), logits[rows], 1.0, malignant_columns,
                                           recipe.target_sensitivity)
    card_data["threshold"] = {**card_data["threshold"], **threshold}  # every number re-measured
    card_data["threshold"]["method"] = (f"highest threshold with sensitivity >= {recipe.target_sensitivity:g} "
                                        "for the ensemble's own output")
    card_data["validation"] = per_source(val, logits, 1.0, malignant_columns, threshold["value"])
    return card_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trained", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--id", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--member", action="append", required=True)
    args = parser.parse_args()
    trained = json.loads((args.trained / "card.json").read_text(encoding="utf-8"))
    registry = ModelRegistry()
    members = [registry.get(m) for m in args.member]
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(args.trained / trained["file"], args.out / trained["file"])
    shutil.copy2(args.trained / "recipe.json", args.out / "recipe.json")
    card = ensemble_card(trained, members, args.id, args.name)
    card["sha256"] = sha256_path(args.out / trained["file"])
    write_card(card, args.out)
    card = validate(card, args.out, load_recipe(args.trained / "recipe.json"))
    write_card(card, args.out)
    print(json.dumps({"threshold": card["threshold"], "validation": card["validation"]}, indent=1))


if __name__ == "__main__":
    main()
