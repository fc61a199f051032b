"""Choose the bundled model's operating threshold on ISIC 2017 `val` and write it into its card.

The default model was trained on HAM10000, so its threshold is chosen on
images it never saw: the ISIC 2017 validation split (other clinics, mostly
MSK). The rule: the highest threshold on P(malignant) at which melanoma
sensitivity is at least 0.85 (melanoma = the positive class; naevi and
seborrhoeic keratoses are negatives). The ISIC 2017 test split is never
used here: it is kept for reporting.

Usage: python scripts/choose_bundled_threshold.py [--data ../shared/data] [--target 0.85]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
from pathlib import Path

import numpy as np

from skindesk.core.modelcard import write_card
from skindesk.core.operating_point import roc_auc, threshold_for_sensitivity
from skindesk.core.service import SkinDeskService

MODEL_ID = "ham10000-xception"


def val_images(data: Path) -> tuple[list[Path], np.ndarray]:
    with open(data / "isic2017" / "labels.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    val = [r for r in rows if r["split"] == "val"]
    files = [data / "isic2017" / "images" / r["dx"] / f"{r['image_id']}.jpg" for r in val]
    return files, np.array([r["dx"] == "mel" for r in val])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--target", type=float, default=0.85)
    args = parser.parse_args()
    files, is_melanoma = val_images(args.data)
    service = SkinDeskService()
    results = list(service.predict_files(files, model_id=MODEL_ID))
    failed = [r.path for r in results if not r.ok]
    if failed:
        raise SystemExit(f"could not analyse: {failed}")
    scores = np.array([r.prediction.malignant_probability for r in results])
    point = threshold_for_sensitivity(scores, is_melanoma, args.target)
    auc = roc_auc(scores, is_melanoma)
    card = service.card(MODEL_ID)
    data = card.to_dict()
    data["threshold"] = {
        **point.to_dict(),
        "value": round(point.threshold, 6),
        "method": f"highest threshold with melanoma sensitivity >= {args.target:.2f}",
        "dataset": f"ISIC 2017 challenge validation split ({len(files)} images: "
                   f"{int(is_melanoma.sum())} melanoma, {int((~is_melanoma).sum())} naevi or "
                   "seborrhoeic keratoses); not seen in training",
        "target_sensitivity": args.target,
        "roc_auc_on_dataset": round(auc, 4),
        "chosen_on": datetime.date.today().isoformat(),
        "script": "scripts/choose_bundled_threshold.py",
        "caution": "Chosen on 150 images (30 melanomas): the sensitivity and specificity "
                   "it gives elsewhere will differ.",
    }
    write_card(data, card.folder)
    print(json.dumps(data["threshold"], indent=2))


if __name__ == "__main__":
    main()
