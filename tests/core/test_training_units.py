"""Training building blocks that need no model: views, splits, selection, recipes, calibration."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from skindesk.core.errors import UserError
from skindesk.core.evaluation.dataset import load_dataset
from skindesk.core.training.calibration import fit_temperature, softmax
from skindesk.core.training.head import class_weights, sample_weights
from skindesk.core.training.recipe import RecipeError, load_recipe, recipe_from_dict
from skindesk.core.training.selection import cap_per_class, in_splits, without_stems
from skindesk.core.training.sources import hashed_split, keep_lesion_split, load_source
from skindesk.core.training.views import VIEWS, apply_view
from tests.core.batchdata import write_image


def _rgb(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (60, 80, 3), dtype=np.uint8)


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_views_are_deterministic_rgb_images(view: str) -> None:
    first, second = apply_view(_rgb(), view, "a.jpg"), apply_view(_rgb(), view, "a.jpg")
    assert first.dtype == np.uint8 and first.ndim == 3 and first.shape[2] == 3
    assert np.array_equal(first, second)


def test_views_differ_between_images_and_from_the_original() -> None:
    image = _rgb()
    assert not np.array_equal(apply_view(image, "photo", "a.jpg"), image)
    assert not np.array_equal(apply_view(image, "photo", "a.jpg"), apply_view(image, "photo", "b.jpg"))
    assert apply_view(image, "lowres", "a.jpg").shape == (84, 84, 3)
    with pytest.raises(ValueError, match="unknown view"):
        apply_view(image, "sepia", "a.jpg")


def test_hashed_split_is_stable_and_roughly_proportional() -> None:
    splits = [hashed_split(f"lesion{i}", 0.15, 0.15, salt="x") for i in range(4000)]
    assert splits == [hashed_split(f"lesion{i}", 0.15, 0.15, salt="x") for i in range(4000)]
    shares = {s: splits.count(s) / len(splits) for s in ("train", "val", "holdout")}
    assert abs(shares["train"] - 0.70) < 0.03 and abs(shares["holdout"] - 0.15) < 0.03
    assert hashed_split("lesion1", 0.0, 0.0) == "train"


def _csv_source(folder: Path, rows: list[tuple[str, str, str]], extra: str = "") -> Path:
    images = folder / "images"
    images.mkdir(parents=True)
    for seed, (image_id, _dx, _lesion) in enumerate(rows):
        write_image(images / f"{image_id}.jpg", seed)
    lines = ["image_id,dx,lesion_id,age,sex,localization" + extra]
    lines += [f"{i},{dx},{lesion},45,female,back" for i, dx, lesion in rows]
    (folder / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "labels.csv"


def test_load_source_keeps_lesions_together_and_reads_metadata(tmp_path: Path) -> None:
    rows = [(f"IMG_{i:03d}", "mel" if i % 2 else "nv", f"L{i // 3}") for i in range(60)]
    images = load_source(_csv_source(tmp_path / "clinic", rows))
    by_lesion: dict[str, set[str]] = {}
    for image in images:
        by_lesion.setdefault(image.group, set()).add(image.split)
    assert all(len(splits) == 1 for splits in by_lesion.values())
    assert images[0].meta.age == 45 and images[0].meta.sex == "female"
    assert images[0].source == "clinic" and images[0].key.startswith("clinic/")
    holdout = {i.path for i in images if i.split == "holdout"}
    kept = keep_lesion_split(load_dataset(tmp_path / "clinic" / "labels.csv"), "holdout")
    assert {i.path for i in kept.images} == holdout


def test_a_split_column_is_respected(tmp_path: Path) -> None:
    folder = tmp_path / "challenge"
    csv = _csv_source(folder, [("A", "mel", ""), ("B", "nv", ""), ("C", "nv", "")], ",split")
    text = csv.read_text().splitlines()
    csv.write_text("\n".join([text[0]] + [f"{t},{s}" for t, s in zip(text[1:], ["train", "val", "test"])]))
    assert [i.split for i in load_source(csv)] == ["train", "val", "holdout"]


def test_cap_per_class_keeps_rare_classes_whole(tmp_path: Path) -> None:
    rows = [(f"N{i}", "nv", f"n{i}") for i in range(40)] + [(f"M{i}", "mel", f"m{i}") for i in range(5)]
    images = in_splits(load_source(_csv_source(tmp_path / "s", rows), holdout_fraction=0.0,
                                   val_fraction=0.0), ("train",))
    capped = cap_per_class(images, 10)
    assert sum(i.label == "nv" for i in capped) == 10 and sum(i.label == "mel" for i in capped) == 5
    assert capped == cap_per_class(images, {"train": 10})
    assert len(without_stems(images, {"N0", "M0"})) == len(images) - 2


def test_recipe_paths_are_relative_to_the_file_and_errors_are_clear(tmp_path: Path) -> None:
    file = tmp_path / "r.json"
    file.write_text(json.dumps({"sources": [{"path": "data/labels.csv", "views": ["mixed"]}],
                                "head": {"hidden": 0}}))
    recipe = load_recipe(file)
    assert recipe.sources[0].path == str((tmp_path / "data" / "labels.csv").resolve())
    assert recipe.head.hidden == 0 and recipe.target_sensitivity == 0.9
    with pytest.raises(RecipeError, match="unknown view"):
        recipe_from_dict({"sources": [{"path": "x", "views": ["sepia"]}]}, tmp_path)
    with pytest.raises(RecipeError, match="invalid"):
        recipe_from_dict({"head": {}}, tmp_path)
    with pytest.raises(UserError):
        load_recipe(tmp_path / "missing.json")


def test_temperature_scaling_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, (5000, 4))
    labels = np.array([rng.choice(4, p=p) for p in softmax(true_logits)])
    assert fit_temperature(true_logits * 3.0, labels) == pytest.approx(3.0, rel=0.1)


def test_balanced_class_weights() -> None:
    weights = class_weights(np.array([0, 0, 0, 1]), 3, "balanced")
    assert weights[0] * 3 == pytest.approx(weights[1] * 1) and weights[2] == 0
    assert class_weights(np.array([0, 1]), 2, "none").tolist() == [1.0, 1.0]


def test_source_balanced_weights_equalise_classes_within_each_source() -> None:
    # Source a: 3 naevi (0), 1 melanoma (1). Source b: 1 naevus, 2 melanomas, 1 BCC (2).
    labels = np.array([0, 0, 0, 1, 0, 1, 1, 2])
    sources = np.array(["a"] * 4 + ["b"] * 4)
    weights = sample_weights(labels, sources, 3, "source-balanced")
    assert weights.mean() == pytest.approx(1.0)
    for source in ("a", "b"):
        in_source = sources == source
        assert weights[in_source].sum() == pytest.approx(in_source.sum())  # each source keeps its share
        totals = {int(c): weights[in_source & (labels == c)].sum() for c in np.unique(labels[in_source])}
        assert len(set(np.round(list(totals.values()), 6))) == 1          # its classes weigh the same
    assert weights[3] == pytest.approx(2.0) and weights[0] == pytest.approx(2 / 3)
    np.testing.assert_array_equal(sample_weights(labels, sources, 3, "none"), np.ones(8))
    np.testing.assert_allclose(sample_weights(labels, sources, 3, "balanced"),
                               class_weights(labels, 3, "balanced")[labels])
