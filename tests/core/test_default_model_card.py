"""The shipped default model: two networks trained by ``skindesk train``, averaged as one model.

Sanity checks on validation images only (the ISIC 2017 ``val`` split, which
chose its threshold and temperature); its test numbers are in its card.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from skindesk import paths
from skindesk.core.hashing import sha256_path
from skindesk.core.imageio import load_image
from skindesk.core.registry import ModelRegistry

pytestmark = pytest.mark.slow


def _bundled_default() -> str:
    return json.loads((paths.bundled_models_dir() / "index.json").read_text())["default"]


def test_the_default_averages_two_imagenet_started_networks_trained_end_to_end():
    registry = ModelRegistry()
    card = registry.get(_bundled_default())
    (member,) = card.raw["ensemble"]["members"]
    first = registry.get(member["model"])
    assert member["sha256"] == first.sha256, "the bundled first network is the one it was made with"
    assert card.raw["ensemble"]["weight"] == member["weight"] == 0.5
    for network in (card, first):
        training = network.raw["training"]
        assert training["architecture"] == "efficientnet-lite2"
        assert training["base_weights"]["file"] == "efficientnet-lite2-imagenet.weights.h5"
        assert training["config"]["fine_tune_fraction"] == 1.0, "every layer was fine-tuned"
        assert training["phases"][0]["phase"] == "frozen backbone"
        assert training["recipe"]["sources"], "the recipe is recorded"
        assert network.model_path.stat().st_size < 30_000_000
    assert card.raw["training"]["config"]["seed"] != first.raw["training"]["config"]["seed"]
    assert card.gradcam_layer == "own_network/efficientnet-lite2/top_relu6"
    assert "validation" in card.threshold.dataset


def test_the_default_card_reports_its_test_numbers_and_why_it_was_chosen():
    card = ModelRegistry().get(_bundled_default())
    tests = card.raw["test_results"]
    assert {"isic2017_test", "kaggle_test", "ham10000_holdout"} <= set(tests)
    assert card.reported_performance["roc_auc"] == tests["isic2017_test"]["roc_auc"]
    assert "validation-only rule" in card.raw["provenance"]["chosen_as_default"]
    # The card must not claim more than the test split showed.
    assert any(f"{tests['isic2017_test']['specificity']:.2f}" in text for text in card.raw["limitations"])


def test_the_default_ships_an_onnx_export_that_matches_its_hash():
    card = ModelRegistry().get(_bundled_default())
    onnx = card.raw["onnx"]
    assert sha256_path(card.model_path.parent / onnx["file"]) == onnx["sha256"]
    assert onnx["check"]["max_abs_difference"] < onnx["check"]["tolerance"]


def test_the_default_is_the_mean_of_its_two_networks(shared_data):
    from skindesk.core.service import SkinDeskService

    service = SkinDeskService()
    pair = service.engine()
    first = service.engine(pair.card.raw["ensemble"]["members"][0]["model"])
    images = _val_images(shared_data, "mel", 3)
    prepared = np.stack([pair.prepare(image) for image in images])
    second = np.asarray(pair.keras_model.get_layer("own_network")(prepared))  # this folder's network alone
    expected = 0.5 * second + 0.5 * first.predict_prepared(prepared)
    np.testing.assert_allclose(pair.predict_prepared(prepared), expected, atol=1e-4)
    assert np.abs(second - first.predict_prepared(prepared)).max() > 0.01, "two different networks"


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
