"""The shipped default model: trained by ``skindesk train`` on the bundled backbone.

Sanity checks on validation images only (the ISIC 2017 ``val`` split, which
chose its threshold and temperature); its test numbers are in its card.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from skindesk import paths
from skindesk.core.imageio import load_image
from skindesk.core.registry import ModelRegistry

pytestmark = pytest.mark.slow


def _bundled_default() -> str:
    return json.loads((paths.bundled_models_dir() / "index.json").read_text())["default"]


def test_the_default_is_a_trained_tail_on_the_bundled_backbone():
    registry = ModelRegistry()
    card = registry.get(_bundled_default())
    assert card.raw["backbone"]["model"] == "ham10000-xception"
    assert card.raw["backbone"]["sha256"] == registry.get("ham10000-xception").sha256
    # A retrained last block and head (about 20 MB), not another copy of the 86 MB backbone.
    assert card.raw["backbone"]["cut"] == "add_11"
    assert card.model_path.stat().st_size < 30_000_000
    assert card.gradcam_layer == "calibrated_head/block14_sepconv2_act"
    assert "validation" in card.threshold.dataset
    tests = card.raw["test_results"]
    assert {"isic2017_test", "kaggle_test", "ham10000_holdout"} <= set(tests)
    assert card.reported_performance["roc_auc"] == tests["isic2017_test"]["roc_auc"]
    assert card.raw["training"]["recipe"]["sources"], "the recipe is recorded"


def _val_images(shared_data, dx: str, count: int = 12) -> list:
    with open(shared_data / "isic2017" / "labels.csv", newline="") as handle:
        ids = [r["image_id"] for r in csv.DictReader(handle) if r["split"] == "val" and r["dx"] == dx]
    return [load_image(shared_data / "isic2017" / "images" / dx / f"{i}.jpg").rgb for i in ids[:count]]


def test_default_separates_validation_melanomas_from_naevi(shared_data):
    from skindesk.core.service import SkinDeskService

    engine = SkinDeskService().engine()
    assert engine.card.id == _bundled_default()
    melanoma = np.array([p.malignant_probability for p in engine.predict(_val_images(shared_data, "mel"))])
    naevus = np.array([p.malignant_probability for p in engine.predict(_val_images(shared_data, "nv"))])
    print(f"ISIC 2017 val mean P(malignant): mel {melanoma.mean():.3f}, nv {naevus.mean():.3f}")
    assert melanoma.mean() > naevus.mean() + 0.1
    probabilities = engine.predict(_val_images(shared_data, "bkl", 2))[0].probabilities
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-4)
