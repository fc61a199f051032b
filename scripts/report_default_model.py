"""Issue #8's final report: a model on the three test sets it was never chosen on.

For each of ISIC 2017 `test`, the Kaggle `test` split and the HAM10000
lesion-level hold-out (the split `skindesk train` keeps out), runs the same
core path as `skindesk evaluate` (predict_dataset + evaluate_scores, with
bootstrap CIs) and writes the report JSON, plus the issue's targets:

* ISIC 2017 test melanoma-vs-rest AUC, sensitivity and specificity at the card's threshold;
* Kaggle test: share of malignant images that are NOT HAM10000 images flagged,
  with a Wilson 95% interval;
* HAM10000 hold-out: specificity on benign images, 7-class balanced accuracy.

Usage: python scripts/report_default_model.py MODEL_ID OUT_DIR [--data ../shared/data]
Nothing here chooses anything: thresholds come from the model card.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.evaluation.dataset import load_dataset
from skindesk.core.evaluation.evaluate import evaluate_scores, predict_dataset
from skindesk.core.evaluation.labelmap import infer_label_map
from skindesk.core.evaluation.metrics import wilson_interval
from skindesk.core.service import SkinDeskService
from skindesk.core.training.sources import keep_lesion_split

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _datasets(data: Path) -> dict[str, Any]:
    return {
        "isic2017_test": load_dataset(data / "isic2017" / "labels.csv", split="test"),
        "kaggle_test": load_dataset(data / "kaggle_benign_malignant" / "test"),
        "ham10000_holdout": keep_lesion_split(load_dataset(data / "ham10000" / "metadata.csv"), "holdout"),
    }


def _rate(flags: list[bool]) -> dict[str, Any]:
    hits = int(sum(flags))
    low, high = wilson_interval(hits, len(flags))
    return {"rate": round(hits / len(flags), 4) if flags else None, "n": len(flags),
            "ci": [round(low, 4), round(high, 4)]}


def _kaggle_subgroups(scored: Any, threshold: float, data: Path) -> dict[str, Any]:
    overlap = {}
    with open(data / "kaggle_benign_malignant" / "test_ham10000_overlap.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            overlap[row["path"]] = row["same_image"] == "1"
    groups: dict[str, list[bool]] = {"malignant_not_ham": [], "malignant_ham": [], "benign_not_ham": [],
                                     "benign_ham": []}
    for path, label, score in zip(scored.paths, scored.labels, scored.malignant_probability):
        key = "/".join(Path(path).parts[-3:])
        origin = "ham" if overlap.get(key, False) else "not_ham"
        flagged = score >= threshold
        groups[f"{label}_{origin}"].append(flagged if label == "malignant" else not flagged)
    return {f"{'flagged' if k.startswith('malignant') else 'specific'}_{k}": _rate(v)
            for k, v in groups.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--write-card", action="store_true",
                        help="record the numbers in the model's card (reported_performance, test_results)")
    args = parser.parse_args()
    service = SkinDeskService()
    card = service.card(args.model)
    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"model": card.id, "threshold": card.threshold.value}
    for name, dataset in _datasets(args.data).items():
        scored = predict_dataset(dataset, card, service)
        report = evaluate_scores(scored, card, infer_label_map(dataset.label_counts(), card), dataset)
        (args.out / f"{card.id}.{name}.json").write_text(json.dumps(report, indent=2, default=str))
        summary[name] = {k: report.get(k) for k in ("n", "roc_auc", "roc_auc_ci", "sensitivity",
                                                    "specificity", "balanced_accuracy", "ece")}
        if name == "kaggle_test":
            summary[name].update(_kaggle_subgroups(scored, card.threshold.value, args.data))
        print(name, json.dumps(summary[name]), flush=True)
    (args.out / f"{card.id}.summary.json").write_text(json.dumps(summary, indent=2))
    if args.write_card:
        record_in_card(card, summary)


def record_in_card(card: Any, summary: dict[str, Any]) -> None:
    """Write the test numbers into the card as its reported performance (not its threshold)."""
    from skindesk.core.modelcard import write_card

    data = dict(card.raw)
    isic = summary["isic2017_test"]
    data["reported_performance"] = {
        "source": "scripts/report_default_model.py (the `skindesk evaluate` core); test sets never "
                  "used to train or choose anything",
        "dataset": f"ISIC 2017 challenge test split ({isic['n']} images; melanoma vs naevi and "
                   "seborrhoeic keratoses)",
        **{k: isic[k] for k in ("n", "roc_auc", "roc_auc_ci", "sensitivity", "specificity", "ece")},
    }
    data["test_results"] = {k: v for k, v in summary.items() if k not in ("model", "threshold")}
    write_card(data, card.folder)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
