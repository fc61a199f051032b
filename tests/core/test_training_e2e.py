"""``skindesk train`` end to end on the real bundled backbone, with small generated images.

Two visibly different kinds of lesion (large dark irregular ones labelled
melanoma, small light round ones labelled naevus) are enough for a head on
the backbone's features to separate; the point is the pipeline: split by
lesion, cache, fit, calibrate, threshold, assemble, card, hold-out
evaluation, install, and the installed model working through the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from skindesk.cli import main
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask

pytestmark = pytest.mark.slow


def _lesion(malignant: bool, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    size = (int(rng.integers(40, 56)), int(rng.integers(28, 40))) if malignant else (14, 14)
    mask = ellipse_mask(120, 120, axes=size, angle=float(rng.uniform(0, 180)))
    image = dermoscopy_like(mask, seed=seed)
    if malignant:  # darker and blotchy
        blotch = ellipse_mask(120, 120, axes=(size[0] // 2, size[1] // 3), angle=float(rng.uniform(0, 180)))
        image[blotch > 0] = (image[blotch > 0] * 0.45).astype(np.uint8)
    return image


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("train")
    # Module fixtures run before the per-test isolated home: give training its own.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SKINDESK_HOME", str(root / "home"))
        yield _train(root)


def write_clinic_dataset(data: Path) -> Path:
    """44 generated lesions (half 'mel', half 'nv') and their labels.csv in ``data``."""
    (data / "images").mkdir(parents=True)
    lines = ["image_id,dx,lesion_id"]
    for i in range(44):
        malignant = i % 2 == 0
        cv2.imwrite(str(data / "images" / f"IMG_{i:03d}.jpg"), _lesion(malignant, i)[..., ::-1])
        lines.append(f"IMG_{i:03d},{'mel' if malignant else 'nv'},L{i // 2 * 2 + (i % 2)}")
    (data / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def _train(root: Path) -> dict:
    data = write_clinic_dataset(root / "clinic")
    out = root / "models" / "clinic-head"
    code = main(["train", str(data / "labels.csv"), "--out", str(out), "--views", "mixed",
                 "--epochs", "40", "--hidden", "0", "--cache", str(root / "cache"), "--install"])
    assert code == 0
    return {"data": data, "out": out, "card": json.loads((out / "card.json").read_text())}


@pytest.fixture
def installed(trained: dict) -> dict:
    """The trained model, visible in this test's own SKINDESK_HOME (homes are per test)."""
    from skindesk import paths

    target = paths.user_models_dir() / "clinic-head"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.symlink_to(trained["out"], target_is_directory=True)
    return trained


def test_the_card_records_recipe_validation_threshold_and_holdout(trained: dict) -> None:
    card = trained["card"]
    assert card["id"] == "clinic-head" and card["training"]["base_model"] == "ham10000-xception"
    assert card["training"]["recipe"]["sources"][0]["views"] == ["mixed"]
    assert "validation split" in card["threshold"]["dataset"]
    assert 0.0 <= card["threshold"]["value"] <= 1.0
    assert card["holdout"]["clinic"]["n"] > 0
    assert card["validation"]["clinic"]["roc_auc"] > 0.8
    assert (trained["out"] / "evaluation" / "holdout-clinic.json").is_file()
    assert (trained["out"] / "recipe.json").is_file()


def test_the_installed_model_predicts_through_the_engine(installed: dict, capsys) -> None:
    image = next((installed["data"] / "images").glob("IMG_000.jpg"))
    capsys.readouterr()
    assert main(["predict", str(image), "--model", "clinic-head", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    result = result[0] if isinstance(result, list) else result
    probabilities = result["prediction"]["probabilities"] if "prediction" in result else result["probabilities"]
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-4)


def test_evaluate_lesion_split_reproduces_the_cards_holdout(installed: dict, tmp_path: Path) -> None:
    out = tmp_path / "holdout.json"
    code = main(["evaluate", str(installed["data"] / "labels.csv"), "--model", "clinic-head",
                 "--lesion-split", "holdout", "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    assert report["n"] == installed["card"]["holdout"]["clinic"]["n"]
    assert report["roc_auc"] == pytest.approx(installed["card"]["holdout"]["clinic"]["roc_auc"], abs=1e-6)


def test_explain_works_on_the_trained_model(installed: dict, tmp_path: Path) -> None:
    image = next((installed["data"] / "images").glob("IMG_001.jpg"))
    assert main(["explain", str(image), "--model", "clinic-head", "--out", str(tmp_path / "cam.png")]) == 0
    assert (tmp_path / "cam.png").stat().st_size > 0


def test_a_head_on_the_bundled_backbone_is_stored_without_a_copy_of_it(installed: dict) -> None:
    card = installed["card"]
    assert card["file"] == "head.keras" and card["backbone"]["model"] == "ham10000-xception"
    assert (installed["out"] / "head.keras").stat().st_size < 5_000_000
    assert not (installed["out"] / "model.keras").exists()


def test_a_backbone_that_changed_is_refused_with_a_clear_message(installed: dict, tmp_path: Path) -> None:
    import shutil

    from skindesk import paths
    from skindesk.core.errors import ModelError
    from skindesk.core.service import SkinDeskService

    copy = paths.user_models_dir() / "clinic-head-copy"
    shutil.copytree(installed["out"], copy)
    data = json.loads((copy / "card.json").read_text())
    data["id"], data["backbone"]["sha256"] = "clinic-head-copy", "0" * 64
    (copy / "card.json").write_text(json.dumps(data))
    with pytest.raises(ModelError, match="was trained on 'ham10000-xception'"):
        SkinDeskService().engine("clinic-head-copy").load()
