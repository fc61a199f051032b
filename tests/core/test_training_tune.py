"""Retraining the backbone's last block on cached block-13 maps (``"tune"`` recipes).

Unit tests on the real bundled Xception: the copied tail computes exactly
what the trunk does, only the layers from ``train_from`` on change, and the
returned tail is a clean graph. Then ``skindesk train --tune-last-block``
end to end on small generated lesions: card, storage as a composite with a
cut, prediction through the engine equal to the tail on the cached maps,
and Grad-CAM on the retrained block.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from skindesk.core.training.arrays import Arrays
from skindesk.core.training.head import HeadConfig, build_head
from skindesk.core.training.recipe import RecipeError, recipe_from_dict
from skindesk.core.training.tune import TuneConfig, _model, fit_tail, layers_after

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def source_model():
    from skindesk.core.model_loader import load_keras_model
    from skindesk.core.registry import ModelRegistry

    return load_keras_model(ModelRegistry().get("ham10000-xception").model_path)


def _arrays(maps: np.ndarray, labels: np.ndarray) -> Arrays:
    n = len(labels)
    return Arrays(maps, np.zeros((n, 0), np.float32), labels, labels == 4, np.array(["s"] * n), [str(i) for i in range(n)])


def test_the_tail_after_block13_is_the_trunks_last_block(source_model) -> None:
    names = [layer.name for layer in layers_after(source_model.get_layer("xception"), "add_11")]
    assert names == ["block14_sepconv1", "block14_sepconv1_bn", "block14_sepconv1_act", "block14_sepconv2",
                     "block14_sepconv2_bn", "block14_sepconv2_act", "global_average_pooling2d"]


def test_a_cut_that_is_not_followed_by_a_chain_is_refused(source_model) -> None:
    trunk = source_model.get_layer("xception")
    with pytest.raises(ValueError, match="does not follow"):
        layers_after(trunk, "block13_pool")  # add_11 joins it with the residual branch
    with pytest.raises(ValueError, match="no layer 'nope'"):
        layers_after(trunk, "nope")


def test_the_copied_tail_computes_what_the_trunk_does(source_model) -> None:
    import keras

    trunk = source_model.get_layer("xception")
    to_block13 = keras.Model(trunk.inputs, [trunk.get_layer("add_11").output, trunk.outputs[0]])
    image = np.random.default_rng(0).uniform(-1, 1, (2, 254, 254, 3)).astype(np.float32)
    block13, pooled = (np.asarray(a) for a in to_block13(image))
    copied = _model(layers_after(trunk, "add_11"), block13.shape[1:], "copy")
    np.testing.assert_allclose(np.asarray(copied(block13)), pooled, atol=1e-4)


def test_fit_tail_trains_only_from_train_from_and_returns_a_clean_graph(source_model) -> None:
    rng = np.random.default_rng(1)
    maps = rng.uniform(0, 2, (24, 8, 8, 1024)).astype(np.float32)
    labels = rng.integers(0, 7, 24)
    head = build_head(2048, 0, 7, HeadConfig(hidden=0))
    config = TuneConfig(epochs=1, batch_size=8, learning_rate=1e-3)
    tail, history = fit_tail(source_model, head, _arrays(maps, labels), _arrays(maps[:8], labels[:8]),
                             config, np.ones(24, np.float32))
    assert len(history["loss"]) == 1
    trunk = source_model.get_layer("xception")
    for name, changed in (("block14_sepconv1", False), ("block14_sepconv1_bn", False),
                          ("block14_sepconv2", True), ("block14_sepconv2_bn", False)):
        before, after = trunk.get_layer(name).get_weights(), tail.get_layer(name).get_weights()
        differs = any(not np.array_equal(b, a) for b, a in zip(before, after))
        assert differs == changed, name
    assert all(len(layer._inbound_nodes) == 1 for layer in tail.layers)
    assert "map_dropout" not in [layer.name for layer in tail.layers]  # training-only augmentation
    assert tail.output.shape[-1] == 7


def test_recipes_read_and_check_the_tune_section(tmp_path: Path) -> None:
    recipe = recipe_from_dict({"sources": [{"path": "x.csv"}], "tune": {"learning_rate": 5e-5}}, tmp_path)
    assert recipe.tune == TuneConfig(learning_rate=5e-5)
    assert recipe_from_dict({"sources": [{"path": "x.csv"}]}, tmp_path).tune is None
    with pytest.raises(RecipeError, match="invalid training recipe"):
        recipe_from_dict({"sources": [{"path": "x.csv"}], "tune": {"blocks": 3}}, tmp_path)
    with pytest.raises(RecipeError, match="cannot feed patient metadata"):
        recipe_from_dict({"sources": [{"path": "x.csv"}], "tune": {}, "head": {"use_metadata": True}}, tmp_path)


# --- end to end ---------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    from skindesk.cli import main
    from tests.core.test_training_e2e import write_clinic_dataset

    root = tmp_path_factory.mktemp("tune")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SKINDESK_HOME", str(root / "home"))
        data = write_clinic_dataset(root / "clinic")
        out = root / "models" / "clinic-tuned"
        code = main(["train", str(data / "labels.csv"), "--out", str(out), "--tune-last-block",
                     "--epochs", "30", "--hidden", "0", "--cache", str(root / "cache"), "--install"])
        assert code == 0
        yield {"data": data, "out": out, "cache": root / "cache", "home": root / "home",
               "card": json.loads((out / "card.json").read_text())}


@pytest.fixture
def installed(trained: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("SKINDESK_HOME", str(trained["home"]))
    return trained


def test_the_card_says_the_last_block_was_retrained(trained: dict) -> None:
    card = trained["card"]
    assert card["backbone"] == {**card["backbone"], "model": "ham10000-xception", "cut": "add_11"}
    assert card["gradcam_layer"] == "calibrated_head/block14_sepconv2_act"
    assert "layers from 'block14_sepconv2' on retrained" in card["architecture"]
    assert card["training"]["recipe"]["tune"]["train_from"] == "block14_sepconv2"
    assert card["training"]["method"] == "cached block-13 maps (CPU), last block and head"
    assert card["holdout"]["clinic"]["n"] > 0
    # The tail holds block 14 (4.7 M weights), not another copy of the backbone.
    assert 10_000_000 < (trained["out"] / "head.keras").stat().st_size < 30_000_000


def test_the_engine_runs_the_backbone_to_the_cut_and_then_the_tail(installed: dict) -> None:
    from skindesk.core.imageio import load_image
    from skindesk.core.model_loader import load_keras_model
    from skindesk.core.service import SkinDeskService
    from skindesk.core.training.features import FeatureCache

    engine = SkinDeskService().engine("clinic-tuned")
    images = sorted((installed["data"] / "images").glob("*.jpg"))
    cache = FeatureCache(installed["cache"])
    keys = json.loads((installed["cache"] / "clinic.json").read_text())
    row = next(i for i, key in enumerate(keys) if images[0].stem in key)
    tail = load_keras_model(installed["out"] / "head.keras")
    expected = np.asarray(tail(np.asarray(cache.load("clinic", "orig", "block13")[row:row + 1], np.float32)))[0]
    result = engine.predict([load_image(images[0]).rgb])[0]
    # float16 cache against float32 engine: close, not bit-equal
    np.testing.assert_allclose(list(result.probabilities.values()), expected, atol=2e-2)


def test_gradcam_looks_at_the_retrained_block(installed: dict, tmp_path: Path) -> None:
    from skindesk.cli import main

    image = next((installed["data"] / "images").glob("IMG_001.jpg"))
    out = tmp_path / "cam.png"
    assert main(["explain", str(image), "--model", "clinic-tuned", "--out", str(out)]) == 0
    assert out.stat().st_size > 0


def test_tune_last_block_is_refused_for_end_to_end_training(capsys, tmp_path: Path) -> None:
    from skindesk.cli import main

    code = main(["train", str(tmp_path / "x.csv"), "--out", str(tmp_path / "m"), "--arch", "resnet50",
                 "--base-weights", "none", "--tune-last-block"])
    assert code != 0
    assert "--tune-last-block only apply" in capsys.readouterr().err


def _tiny_backbone():
    """A 16-pixel stand-in with the bundled backbone's two outputs (a map and its pooled vector)."""
    import types

    import keras

    from skindesk.core.training.backbone import Backbone

    image = keras.Input((16, 16, 3))
    block_map = keras.layers.Conv2D(4, 3, strides=4, padding="same", activation="relu",
                                    bias_initializer="ones")(image)
    pooled = keras.layers.GlobalAveragePooling2D()(block_map)
    return Backbone(types.SimpleNamespace(input_size=(16, 16)), None, keras.Model(image, [block_map, pooled]))


def test_block13_maps_are_never_left_blank_in_a_cache(tmp_path: Path) -> None:
    import cv2

    from skindesk.core.training.features import FeatureCache, extract_features

    paths = []
    for i in range(3):
        paths.append(str(tmp_path / f"img{i}.png"))
        cv2.imwrite(paths[-1], np.full((20, 20, 3), 40 * (i + 1), np.uint8))
    backbone, cache = _tiny_backbone(), FeatureCache(tmp_path / "cache")
    extract_features(backbone, cache, "set", paths, paths, "orig")  # pooled only
    assert not cache.has_block13("set", "orig")
    # Asking for maps on a set cached without them extracts every row again, maps included.
    extract_features(backbone, cache, "set", paths, paths, "orig", with_block13=True)
    assert np.all(np.abs(np.asarray(cache.load("set", "orig", "block13"))).sum(axis=(1, 2, 3)) > 0)
    # A row finished later without asking for maps still gets its map.
    done = np.array([True, True, False])
    cache.save_done("set", "orig", done)
    maps = np.load(cache.folder / "set.orig.block13.npy", mmap_mode="r+")
    maps[2] = 0
    maps.flush()
    extract_features(backbone, cache, "set", paths, paths, "orig")
    assert np.abs(np.asarray(cache.load("set", "orig", "block13")[2])).sum() > 0
