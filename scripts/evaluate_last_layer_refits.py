"""Issue #8: does the bundled pair flag more benign lesions from some sources? Last-layer levers.

Usage: python scripts/evaluate_last_layer_refits.py OUT_DIR [--model skindesk-lite2-pair]

At the threshold chosen on ISIC 2017 `val` (sensitivity 0.90), the pair's
HAM10000 and ISIC 2019 validation images are flagged far more often
(sensitivity 0.997 / 0.989, specificity 0.45 / 0.22) than ISIC 2017's. The
recipe's per-class caps give the sources different class mixes, so a network
that can tell them apart learns a source-specific melanoma prior. This script
tests, on validation splits only, three ways of refitting only each network's
last layer (Dense, pooled features -> logits) with every (source, class)
weighted the same:

(a) the whole layer, on the networks' own training images (capped recipe);
(b) the whole layer, on every training image (~15,000 more, never seen);
(c) the layer kept, plus a source-prior correction folded into it: the logits
    of a source classifier on the same features, times a 3x7 matrix, plus a
    bias (28 fitted numbers), on the networks' own training images.

Temperature and threshold are then chosen on validation, as ``skindesk
train`` does. The rule (written before the results): see README, "Why one
threshold flags more benign lesions from some sources". Pooled features come
from one ONNX Runtime pass of the pair (about 13 minutes for 22,855 images
on 2 cores) and are kept in OUT_DIR/features.npz. Test splits are not read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.imageio import load_image
from skindesk.core.imageprep import prepare_image
from skindesk.core.modelcard import ModelCard
from skindesk.core.registry import ModelRegistry
from skindesk.core.training.arrays import Arrays, class_targets
from skindesk.core.training.calibration import fit_temperature, softmax
from skindesk.core.training.data import select_images
from skindesk.core.training.head import sample_weights
from skindesk.core.training.recipe import load_recipe
from skindesk.core.training.selection import in_splits
from skindesk.core.training.validation import choose_operating_threshold, per_source

RECIPES = Path(__file__).resolve().parent / "recipes"
NETWORKS = ("member_0", "own_network")  # the pair's joined-model prefixes (see skindesk.core.ensemble)


def image_rows(card: ModelCard) -> dict[str, Any]:
    """Every train and val image of the full recipe, with labels, sources, splits and 'seen in training'."""
    seen = {i.key for s in select_images(load_recipe(RECIPES / "default-model-e2e.json")) for i in s.train}
    recipe = load_recipe(RECIPES / "default-model-e2e-full.json")
    images, sources, splits = [], [], []
    for source in select_images(recipe):
        for split in ("val", "train"):
            part = in_splits(source.cached, (split,))
            images += part
            sources += [source.name] * len(part)
            splits += [split] * len(part)
    labels, malignant = class_targets(images, card, recipe.label_map)
    return {"images": images, "labels": labels, "malignant": malignant, "sources": np.array(sources),
            "splits": np.array(splits), "seen": np.array([i.key in seen for i in images]), "recipe": recipe}


def pooled_features(card: ModelCard, paths: list[str], out: Path) -> dict[str, np.ndarray]:
    """Each network's pooled features for ``paths`` (cached in ``out``), from the pair's ONNX export."""
    cached = out / "features.npz"
    if cached.exists():
        return dict(np.load(cached))
    import onnx
    import onnxruntime

    graph = onnx.load(str(card.folder / card.onnx["file"]))
    names = {}
    for node in graph.graph.node:
        for prefix in NETWORKS:
            if node.op_type == "Squeeze" and f"{prefix}_1/pool_1/Mean" in node.name:
                names[prefix] = node.output[0]
                graph.graph.output.append(onnx.helper.make_tensor_value_info(
                    node.output[0], onnx.TensorProto.FLOAT, [None, None]))
    session = onnxruntime.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = {prefix: [] for prefix in NETWORKS}
    for start in range(0, len(paths), 32):
        batch = np.stack([prepare_image(load_image(p).rgb, card) for p in paths[start:start + 32]])
        for prefix, values in zip(NETWORKS, session.run([names[p] for p in NETWORKS], {"image": batch})):
            outputs[prefix].append(values)
        print(f"\rfeatures {min(start + 32, len(paths))}/{len(paths)}", end="", flush=True)
    features = {prefix: np.concatenate(parts) for prefix, parts in outputs.items()}
    np.savez(cached, **features)
    return features


def shipped_heads(card: ModelCard) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """(W, b, T) of each network's last layer and temperature, from their Keras files."""
    import keras

    files = {"member_0": ModelRegistry().get(card.raw["ensemble"]["members"][0]["model"]).model_path,
             "own_network": card.model_path}
    heads = {}
    for prefix, path in files.items():
        model = keras.models.load_model(path, compile=False)
        kernel, bias = model.get_layer("logits").get_weights()
        heads[prefix] = (kernel, bias, float(1.0 / model.get_layer("temperature").scale))
    return heads


def refit_layer(features: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a), (b): a new last layer, multinomial logistic regression (sklearn's default C = 1)."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=1.0, max_iter=3000).fit(features, labels, sample_weight=weights)
    return fitted.coef_.T, fitted.intercept_


def prior_correction(features: np.ndarray, kernel: np.ndarray, bias: np.ndarray, labels: np.ndarray,
                     sources: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(c): the shipped layer plus (A f + a) U + c, folded into one layer (W0 + A U, b0 + a U + c)."""
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    source_model = LogisticRegression(C=1.0, max_iter=3000).fit(features, sources)
    a_kernel, a_bias = source_model.coef_.T, source_model.intercept_
    source_logits = features @ a_kernel + a_bias
    base = features @ kernel + bias
    shape = (source_logits.shape[1], kernel.shape[1])

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        u, c = theta[:-shape[1]].reshape(shape), theta[-shape[1]:]
        probabilities = softmax(base + source_logits @ u + c)
        share = weights / weights.sum()
        value = -np.sum(share * np.log(np.clip(probabilities[np.arange(len(labels)), labels], 1e-12, 1)))
        gradient = probabilities.copy()
        gradient[np.arange(len(labels)), labels] -= 1.0
        gradient *= share[:, None]
        l2 = 1e-3
        return value + l2 * float(theta @ theta), np.concatenate(
            [(source_logits.T @ gradient).ravel(), gradient.sum(0)]) + 2 * l2 * theta

    theta = minimize(loss, np.zeros(shape[0] * shape[1] + shape[1]), jac=True, method="L-BFGS-B").x
    u, c = theta[:-shape[1]].reshape(shape), theta[-shape[1]:]
    return kernel + a_kernel @ u, bias + a_bias @ u + c


def validation_numbers(rows: dict[str, Any], card: ModelCard, probabilities: list[np.ndarray]) -> dict[str, Any]:
    """The ensemble's threshold (ISIC 2017 val, sensitivity 0.90) and per-source validation numbers."""
    val = rows["splits"] == "val"
    mean = np.mean([p[val] for p in probabilities], axis=0)
    logits = np.log(np.clip(mean, 1e-12, 1.0))
    empty = np.zeros((int(val.sum()), 0), np.float32)
    arrays = Arrays(empty, empty, rows["labels"][val], rows["malignant"][val], rows["sources"][val],
                    [i.key for i, v in zip(rows["images"], val) if v])
    recipe = rows["recipe"]
    malignant_columns = [card.class_ids.index(c) for c in card.malignant_class_ids]
    chosen = np.isin(arrays.sources, recipe.threshold_sources)
    threshold = choose_operating_threshold(arrays.subset(chosen), logits[chosen], 1.0, malignant_columns,
                                           recipe.target_sensitivity)
    return {"threshold": threshold["value"],
            "validation": per_source(arrays, logits, 1.0, malignant_columns, threshold["value"])}


def equal_sources(weights: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """``weights`` rescaled so that every source has the same total (mean 1), as the levers were defined."""
    names = np.unique(sources)
    scaled = weights.astype(np.float64).copy()
    for name in names:
        in_source = sources == name
        scaled[in_source] *= len(weights) / (len(names) * scaled[in_source].sum())
    return scaled


def candidate(rows: dict[str, Any], features: dict[str, np.ndarray], heads: dict[str, Any], name: str) -> list:
    """Each network's probabilities (temperature fitted on validation) for one lever."""
    train = (rows["splits"] == "train") & (rows["seen"] if name != "b" else True)
    val = rows["splits"] == "val"
    labels, sources = rows["labels"], rows["sources"]
    weights = equal_sources(sample_weights(labels[train], sources[train], len(heads["own_network"][1]),
                                           "source-balanced"), sources[train])
    probabilities = []
    for prefix in NETWORKS:
        kernel, bias, temperature = heads[prefix]
        x = features[prefix]
        if name in ("a", "b"):
            kernel, bias = refit_layer(x[train], labels[train], weights)
        elif name == "c":
            kernel, bias = prior_correction(x[train], kernel, bias, labels[train], sources[train], weights)
        logits = x @ kernel + bias
        if name != "shipped":
            temperature = fit_temperature(logits[val], labels[val])
        probabilities.append(softmax(logits, temperature))
    return probabilities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--model", default="skindesk-lite2-pair")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    card = ModelRegistry().get(args.model)
    rows = image_rows(card)
    features = pooled_features(card, [i.path for i in rows["images"]], args.out)
    heads = shipped_heads(card)
    results = {name: validation_numbers(rows, card, candidate(rows, features, heads, name))
               for name in ("shipped", "a", "b", "c")}
    (args.out / "last-layer-refits.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    for name, result in results.items():
        print(f"\n{name}: threshold {result['threshold']:.4f}")
        for source, m in result["validation"].items():
            print(f"  {source:12s} AUC {m.get('roc_auc', float('nan')):.4f} sens {m.get('sensitivity', 0):.3f} "
                  f"spec {m.get('specificity', 0):.3f} balanced accuracy {m['balanced_accuracy']:.3f}")


if __name__ == "__main__":
    main()
