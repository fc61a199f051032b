"""Issue #8's lever comparison on cached features: one row per recipe variant.

Each variant is fitted by the same core code as `skindesk train`
(:func:`skindesk.core.training.trainer.fit`) on the default recipe's
cached features, and scored on the validation splits. The variant to ship
is chosen on validation only (mean of the ISIC 2017 and ISIC 2019 val AUCs,
the non-HAM10000 clinics; HAM10000 val balanced accuracy breaks ties). The
ISIC 2017 test column is computed for the report and never used to choose.

Usage: python scripts/compare_recipes.py CACHE_DIR OUT.json ['variant|variant...']
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core import tfruntime
from skindesk.core.operating_point import evaluate_threshold, roc_auc
from skindesk.core.registry import ModelRegistry
from skindesk.core.training.arrays import Arrays, build_arrays
from skindesk.core.training.calibration import softmax
from skindesk.core.training.data import select_images, training_arrays
from skindesk.core.training.features import FeatureCache
from skindesk.core.training.head import head_logits
from skindesk.core.training.recipe import load_recipe
from skindesk.core.training.selection import in_splits
from skindesk.core.training.sources import load_source
from skindesk.core.training.trainer import fit
from skindesk.core.training.validation import malignant_probability

RECIPE = Path(__file__).parent / "recipes" / "default-model.json"


def variants(base: Any) -> dict[str, Any]:
    """Recipe variants: the levers of issue #8 that cached features allow."""
    def only(*names: str, views: bool = True) -> Any:
        sources = tuple(dataclasses.replace(s, views=s.views if views else ())
                        for s in base.sources if Path(s.path).parent.name in names)
        return dataclasses.replace(base, sources=sources)

    head = base.head
    return {
        "ham10000 only, no augmentation": only("ham10000", views=False),
        "+ isic2017 train": only("ham10000", "isic2017", views=False),
        "+ isic2019_84 (all sources)": only("ham10000", "isic2017", "isic2019_84", views=False),
        "all sources + augmented views": base,
        "... without class weighting": dataclasses.replace(base, head=dataclasses.replace(head, class_weight="none")),
        "... with patient metadata": dataclasses.replace(base, head=dataclasses.replace(head, use_metadata=True)),
        "... linear head": dataclasses.replace(base, head=dataclasses.replace(head, hidden=0)),
        "... wider head (512)": dataclasses.replace(base, head=dataclasses.replace(head, hidden=512)),
    }


def _auc(scores: np.ndarray, malignant: np.ndarray) -> float | None:
    return round(roc_auc(scores, malignant), 4) if 0 < malignant.sum() < len(malignant) else None


def score_rows(arrays: Arrays, probabilities: np.ndarray, columns: list[int], threshold: float) -> dict:
    """Per-source AUC / sensitivity / specificity / balanced accuracy of probabilities."""
    scores = malignant_probability(probabilities, columns)
    rows = {}
    for source in sorted(set(arrays.sources)):
        mask = arrays.sources == source
        point = evaluate_threshold(scores[mask], arrays.malignant[mask], threshold)
        labels, predicted = arrays.labels[mask], probabilities[mask].argmax(1)
        bal = float(np.mean([np.mean(predicted[labels == c] == c) for c in np.unique(labels)]))
        rows[str(source)] = {"auc": _auc(scores[mask], arrays.malignant[mask]),
                             "sens": round(point.sensitivity, 3), "spec": round(point.specificity, 3),
                             "bal_acc": round(bal, 3)}
    return rows


def bundled_head(card: Any) -> Any:
    """The shipped model's own head as a model on cached features (+ metadata input)."""
    import keras

    from skindesk.core.model_loader import load_keras_model

    model = load_keras_model(card.model_path)
    pooled = model.get_layer("xception")._inbound_nodes[0].output_tensors[0]
    return keras.Model([pooled, model.inputs[1]], model.outputs)


def bundled_probabilities(head: Any, card: Any, arrays: Arrays) -> np.ndarray:
    """Bundled-model probabilities with metadata unknown (as `skindesk evaluate` runs it)."""
    from skindesk.core.metadata import UNKNOWN, encode_metadata

    unknown = np.repeat(encode_metadata(card.metadata_input, UNKNOWN)[None], len(arrays), axis=0)
    return np.asarray(head.predict([arrays.features, unknown], batch_size=512, verbose=0))


def reference_rows(card: Any, columns: list[int], val: Arrays, test: Arrays, new: dict) -> dict:
    """Rows for the bundled model and its ensemble with the chosen new head."""
    head = bundled_head(card)
    old_val, old_test = bundled_probabilities(head, card, val), bundled_probabilities(head, card, test)
    threshold = card.threshold.value
    rows = {"bundled model (as shipped)": {
        "threshold": threshold, "val_rows": score_rows(val, old_val, columns, threshold),
        "isic2017_test_report_only": score_rows(test, old_test, columns, threshold)}}
    mixed_val, mixed_test = (old_val + new["val_probs"]) / 2, (old_test + new["test_probs"]) / 2
    from skindesk.core.operating_point import threshold_for_sensitivity

    chosen = np.isin(val.sources, ["isic2017", "isic2019_84"])
    point = threshold_for_sensitivity(malignant_probability(mixed_val, columns)[chosen], val.malignant[chosen], 0.9)
    rows["ensemble: mean of bundled and all sources + augmented views"] = {
        "threshold": point.threshold, "val_rows": score_rows(val, mixed_val, columns, point.threshold),
        "isic2017_test_report_only": score_rows(test, mixed_test, columns, point.threshold)}
    return rows


def main() -> None:
    tfruntime.tensorflow()
    cache, out = FeatureCache(sys.argv[1]), Path(sys.argv[2])
    base = load_recipe(RECIPE)
    card = ModelRegistry().get("ham10000-xception")
    columns = [card.class_ids.index(c) for c in card.malignant_class_ids]
    test_images = in_splits(load_source(base.sources[0].path), ("holdout",))
    results = {}
    wanted = sys.argv[3].split("|") if len(sys.argv) > 3 else None
    reference = None
    for name, recipe in variants(base).items():
        if wanted and name not in wanted:
            continue
        spec = card.metadata_input if recipe.head.use_metadata else None
        sources = select_images(recipe)
        train, val = training_arrays(cache, sources, card, spec, recipe.label_map)
        fitted = fit(recipe, train, val, len(card.class_ids), columns)
        threshold = fitted["threshold"]["value"]
        val_probs = softmax(head_logits(fitted["head"], val, recipe.head.use_metadata), fitted["temperature"])
        have_test = cache.is_complete("isic2017-test", "orig")
        test = build_arrays(cache, "isic2017-test", "orig", test_images, test_images, card, spec,
                            recipe.label_map) if have_test else None
        test_probs = softmax(head_logits(fitted["head"], test, recipe.head.use_metadata),
                             fitted["temperature"]) if have_test else None
        if name == "all sources + augmented views" and have_test:
            reference = {"val": val, "test": test, "val_probs": val_probs, "test_probs": test_probs}
        results[name] = {"train_rows": len(train), "epochs": fitted["epochs"], "threshold": threshold,
                         "temperature": round(fitted["temperature"], 3), "val": fitted["validation"],
                         "val_rows": score_rows(val, val_probs, columns, threshold),
                         "isic2017_test_report_only": score_rows(test, test_probs, columns, threshold)
                         if have_test else None}
        print(name, json.dumps(results[name]["val_rows"]), "TEST", json.dumps(results[name]["isic2017_test_report_only"]), flush=True)
    for name, row in (reference_rows(card, columns, reference["val"], reference["test"], reference).items()
                      if reference else ()):
        results[name] = row
        print(name, json.dumps(row["val_rows"]), "TEST", json.dumps(row["isic2017_test_report_only"]), flush=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
