"""Issue #8's test-time augmentation lever: a model's outputs averaged over flips.

Each image is predicted four times (as is, mirrored left-right, up-down, and
both: dermoscopy has no up or left) and the outputs averaged. The threshold is
chosen again, on ISIC 2017 `val` only, the same way the card's was (the highest
with melanoma sensitivity >= 0.90), and the test sets of
``report_default_model.py`` are then scored at it. Nothing is chosen on a test set.

Usage: python scripts/evaluate_tta.py MODEL_ID OUT_DIR [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_default_model import DEFAULT_DATA, _datasets, _kaggle_subgroups

from skindesk.core.engine import InferenceEngine
from skindesk.core.evaluation.dataset import load_dataset
from skindesk.core.evaluation.evaluate import evaluate_scores, predict_dataset
from skindesk.core.evaluation.labelmap import infer_label_map
from skindesk.core.evaluation.threshold import choose_operating_point
from skindesk.core.metadata import PatientMetadata
from skindesk.core.modelcard import Threshold
from skindesk.core.service import SkinDeskService

TARGET_SENSITIVITY = 0.90  # as for the card's own threshold


class FlipAveragingEngine(InferenceEngine):
    """An engine whose outputs are the mean over four flips of each image."""

    def predict_prepared(self, images: np.ndarray,
                         metadata: Sequence[PatientMetadata] | None = None) -> np.ndarray:
        views = (images, images[:, :, ::-1], images[:, ::-1], images[:, ::-1, ::-1])
        outputs = [super(FlipAveragingEngine, self).predict_prepared(np.ascontiguousarray(v), metadata)
                   for v in views]
        return np.mean(outputs, axis=0)


class FlipAveragingService(SkinDeskService):
    """The service with :class:`FlipAveragingEngine` engines."""

    def __init__(self) -> None:
        super().__init__()
        self._flip_engines: dict[str, FlipAveragingEngine] = {}

    def engine(self, model_id: str | None = None) -> FlipAveragingEngine:
        card = self.registry.get(model_id)
        if card.id not in self._flip_engines:
            self._flip_engines[card.id] = FlipAveragingEngine(card)
        return self._flip_engines[card.id]


def threshold_on_val(service: FlipAveragingService, card: Any, data: Path) -> dict[str, Any]:
    """The TTA scores' threshold on ISIC 2017 val (sensitivity >= 0.90), with val AUC."""
    val = load_dataset(data / "isic2017" / "labels.csv", split="val")
    scored = predict_dataset(val, card, service)
    label_map = infer_label_map(val.label_counts(), card)
    malignant = np.array([label_map[label].malignant for label in scored.labels])
    chosen = choose_operating_point(np.array(scored.malignant_probability), malignant,
                                    TARGET_SENSITIVITY)
    assert chosen is not None
    report = evaluate_scores(scored, card, label_map, val)
    return {"threshold": chosen["threshold"], "val_roc_auc": report["roc_auc"],
            "val_roc_auc_ci": report.get("roc_auc_ci"), "operating_point": chosen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    service = FlipAveragingService()
    card = service.card(args.model)
    val = threshold_on_val(service, card, args.data)
    print("isic2017_val", json.dumps({k: v for k, v in val.items() if k != "operating_point"}),
          flush=True)
    card = dataclasses.replace(card, threshold=Threshold(
        value=float(val["threshold"]), method="TTA (4 flips): highest with sensitivity >= 0.90",
        dataset="ISIC 2017 val"))
    summary: dict[str, Any] = {"model": card.id, "tta": "mean of 4 flips", "val": val,
                               "threshold": card.threshold.value}
    for name, dataset in _datasets(args.data).items():
        scored = predict_dataset(dataset, card, service)
        report = evaluate_scores(scored, card, infer_label_map(dataset.label_counts(), card), dataset)
        summary[name] = {k: report.get(k) for k in ("n", "roc_auc", "roc_auc_ci", "sensitivity",
                                                    "specificity", "balanced_accuracy", "ece")}
        if name == "kaggle_test":
            summary[name].update(_kaggle_subgroups(scored, card.threshold.value, args.data))
        print(name, json.dumps(summary[name], default=str), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{card.id}.tta.summary.json").write_text(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
