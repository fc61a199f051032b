"""``skindesk train --arch ARCH --base-weights FILE|none``: a whole network trained end to end.

Tiny runs (MobileNetV2 on 64-pixel generated images, one or two epochs)
check the pipeline, not the accuracy: streaming with augmentation, the
frozen and fine-tuning phases, calibration, the card, the hold-out
evaluation, installation and the installed model working through the
engine. The weights file is a randomly initialised MobileNetV2 (alpha
0.35) saved by Keras: ImageNet weights cannot be downloaded here.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import h5py
import numpy as np
import pytest

from skindesk.cli import main
from skindesk.core.modelcard import PIXEL_SCALINGS
from skindesk.core.training.e2e_model import ARCHITECTURES, backbone_options
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask

SIZE = "64"


def _lesion(malignant: bool, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    axes = (int(rng.integers(24, 30)), int(rng.integers(16, 22))) if malignant else (8, 8)
    mask = ellipse_mask(64, 64, axes=axes, angle=float(rng.uniform(0, 180)))
    image = dermoscopy_like(mask, seed=seed)
    if malignant:
        image[mask > 0] = (image[mask > 0] * 0.45).astype(np.uint8)
    return image


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """32 small images, mel and nv alternating; the CSV's split column fixes 20/6/6."""
    root = tmp_path_factory.mktemp("e2e") / "clinic"
    (root / "images").mkdir(parents=True)
    lines = ["image_id,dx,lesion_id,split"]
    for i in range(32):
        malignant = i % 2 == 0
        cv2.imwrite(str(root / "images" / f"IMG_{i:03d}.jpg"), _lesion(malignant, i)[..., ::-1])
        split = "train" if i < 20 else "val" if i < 26 else "test"
        lines.append(f"IMG_{i:03d},{'mel' if malignant else 'nv'},L{i},{split}")
    (root / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root / "labels.csv"


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A headless MobileNetV2 (alpha 0.35) weights file, as Keras saves one."""
    import keras

    model = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(64, 64, 3),
                                           alpha=0.35)
    path = tmp_path_factory.mktemp("weights") / "mobilenetv2_035_notop.weights.h5"
    model.save_weights(path)
    return path


def _train(dataset: Path, out: Path, *extra: str) -> int:
    return main(["train", str(dataset), "--out", str(out), "--img-size", SIZE, *extra])


def _error(capsys: pytest.CaptureFixture, argv: list[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 2
    return capsys.readouterr().err


# --- what needs no training -------------------------------------------------------------------

def test_each_architecture_records_its_keras_preprocessing() -> None:
    scalings = {arch: spec.scaling for arch, spec in ARCHITECTURES.items()}
    assert scalings == {"resnet50": "imagenet-caffe", "efficientnetb0": "none",
                        "mobilenetv2": "minus-one-one", "xception": "minus-one-one",
                        "efficientnet-lite0": "none", "efficientnet-lite2": "none"}
    assert set(scalings.values()) <= set(PIXEL_SCALINGS)


@pytest.mark.parametrize("scaling", PIXEL_SCALINGS)
def test_training_scales_pixels_exactly_as_the_engine(scaling: str) -> None:
    import tensorflow as tf

    from skindesk.core.imageprep import scale_pixels

    pixels = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype(np.float32)
    in_training = scale_pixels(tf.constant(pixels), scaling)  # a tensor, as tf.data gives it
    np.testing.assert_allclose(np.asarray(in_training), scale_pixels(pixels, scaling),
                               rtol=1e-6, atol=1e-4)


def test_unreadable_images_are_skipped_while_streaming(tmp_path: Path) -> None:
    from skindesk.core.training.e2e_data import ImageTable, image_dataset

    good = tmp_path / "good.png"
    cv2.imwrite(str(good), _lesion(True, 0))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    table = ImageTable([str(broken), str(good)], np.array([0, 1]), np.array([False, True]),
                       np.array(["a", "a"]))
    batches = list(image_dataset(table, 32, "rescale", 8, "predict"))
    assert len(batches) == 1
    images, rows = batches[0]
    assert images.shape == (1, 32, 32, 3) and list(np.asarray(rows)) == [1]
    assert 0.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0


def test_training_batches_carry_each_rows_own_loss_weight(tmp_path: Path) -> None:
    from skindesk.core.training.e2e_data import ImageTable, image_dataset

    paths = []
    for i in range(6):
        paths.append(str(tmp_path / f"{i}.png"))
        cv2.imwrite(paths[-1], _lesion(i % 2 == 0, i))
    labels = np.array([0, 1, 0, 1, 0, 1])
    weights = (10 * np.arange(6) + labels).astype(np.float32)  # row r, label y: 10 r + y
    table = ImageTable(paths, labels, labels == 0, np.array(["a", "a", "a", "b", "b", "b"]))
    seen = []
    for _images, y, w in image_dataset(table, 32, "rescale", 4, "train", weights=weights, seed=1):
        w, y = np.asarray(w), np.asarray(y)
        np.testing.assert_array_equal(w % 10, y)
        seen += (w // 10).astype(int).tolist()
    assert sorted(seen) == list(range(6))


def test_batch_statistics_are_re_estimated_as_a_plain_average() -> None:
    import keras
    import tensorflow as tf

    from skindesk.core.training.e2e_validation import recalibrate_batch_statistics

    model = keras.Sequential([keras.Input((2,)), keras.layers.BatchNormalization(momentum=0.99)])
    batches = tf.data.Dataset.from_tensor_slices(
        (np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]], np.float32), np.zeros(4))).batch(2)
    assert recalibrate_batch_statistics(model, batches) == 2
    layer = model.layers[0]
    np.testing.assert_allclose(np.asarray(layer.moving_mean), [4.0, 5.0], rtol=1e-6)  # batch means (2, 3), (6, 7)
    assert layer.momentum == 0.99


@pytest.mark.parametrize(("channels", "alpha"), [(112, 0.35), (160, 0.5), (320, 1.0), (448, 1.4)])
def test_mobilenet_width_is_read_from_a_legacy_weights_file(tmp_path: Path, channels: int,
                                                            alpha: float) -> None:
    path = tmp_path / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_no_top.h5"
    with h5py.File(path, "w") as file:  # the layout of Keras' published notop files
        file.create_dataset("block_16_expand/block_16_expand/kernel:0", shape=(1, 1, 160, 960), dtype="f4")
        file.create_dataset("Conv_1/Conv_1/kernel:0", shape=(1, 1, channels, 1792), dtype="f4")
    assert backbone_options("mobilenetv2", path) == {"alpha": alpha}
    assert backbone_options("resnet50", path) == {}


@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])
def test_the_saved_model_is_float32_softmax_of_tempered_logits(policy: str) -> None:
    """Mixed precision (used on a GPU) must not leak into the model a CPU workstation runs."""
    import keras

    from skindesk.core.training.calibration import softmax
    from skindesk.core.training.e2e_model import (
        build_classifier,
        construct_backbone,
        deployable_model,
    )

    options = {"alpha": 0.35}
    keras.config.set_dtype_policy(policy)
    try:
        trained = build_classifier(construct_backbone("mobilenetv2", 32, options), 3, 0.3, pretrained=True)
    finally:
        keras.config.set_dtype_policy("float32")
    logits = trained.get_layer("logits")
    logits.set_weights([logits.get_weights()[0], np.array([0.5, -1.0, 2.0], np.float32)])
    deployed = deployable_model(trained, "mobilenetv2", options, temperature=2.0, pretrained=True)
    assert {layer.dtype_policy.name for layer in deployed.get_layer("mobilenetv2").layers} == {"float32"}
    for copied, original in zip(deployed.get_weights(), trained.get_weights(), strict=True):
        np.testing.assert_array_equal(copied, original)
    images = np.random.default_rng(1).uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    expected = softmax(np.asarray(trained(images, training=False), np.float64), 2.0)
    np.testing.assert_allclose(np.asarray(deployed(images, training=False)), expected, atol=2e-3)


@pytest.mark.slow
@pytest.mark.parametrize(("arch", "layer"), [
    ("resnet50", "resnet50/conv5_block3_out"), ("efficientnetb0", "efficientnetb0/top_activation"),
    ("xception", "xception/block14_sepconv2_act"), ("mobilenetv2", "mobilenetv2/out_relu"),
    ("efficientnet-lite0", "efficientnet-lite0/top_relu6")])
def test_gradcam_looks_at_each_backbones_last_convolution(arch: str, layer: str) -> None:
    from skindesk.core.model_import.inspection import find_gradcam_layer
    from skindesk.core.training.e2e_model import build_backbone, build_classifier, deployable_model

    size = ARCHITECTURES[arch].min_size if arch == "xception" else 64
    trained = build_classifier(build_backbone(arch, size, None), 3, 0.3, pretrained=False)
    assert find_gradcam_layer(deployable_model(trained, arch, {}, 1.0, pretrained=False)) == layer


def test_skindesk_default_only_goes_with_xception(capsys, dataset: Path, tmp_path: Path) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "resnet50",
                          "--base-weights", "skindesk-default"])
    assert "only goes with --arch xception" in err and "resnet50_weights" in err


def test_another_architecture_must_name_its_weights(capsys, dataset: Path, tmp_path: Path) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "efficientnetb0"])
    assert "--base-weights FILE" in err and "none" in err


def test_a_missing_weights_file_is_named(capsys, dataset: Path, tmp_path: Path) -> None:
    missing = tmp_path / "resnet50_notop.h5"
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "resnet50",
                          "--base-weights", str(missing)])
    assert "no such file" in err and str(missing) in err


@pytest.mark.parametrize("extra", [["--views", "mixed"], ["--metadata"], ["--hidden", "16"]])
def test_head_options_are_refused_end_to_end(capsys, dataset: Path, tmp_path: Path, extra: list[str]) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "mobilenetv2",
                          "--base-weights", "none", *extra])
    assert extra[0] in err and "skindesk-default" in err


@pytest.mark.parametrize("flag", [["--img-size", "224"], ["--frozen-epochs", "2"], ["--fine-tune-fraction", "1"],
                                  ["--seed", "1"], ["--lr-schedule", "constant"],
                                  ["--augmentation", "strong"]])
def test_end_to_end_options_are_refused_for_the_cached_feature_path(capsys, dataset: Path, tmp_path: Path,
                                                                     flag: list[str]) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), *flag])
    assert flag[0] in err and "end-to-end" in err


@pytest.mark.parametrize("fraction", ["0", "1.5"])
def test_a_fine_tune_fraction_outside_0_1_is_refused(capsys, dataset: Path, tmp_path: Path, fraction: str) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "mobilenetv2",
                          "--base-weights", "none", "--fine-tune-fraction", fraction])
    assert "give a share in (0, 1]" in err


def test_too_small_an_input_is_refused(capsys, dataset: Path, tmp_path: Path) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "xception",
                          "--base-weights", "none", "--img-size", "64"])
    assert "too small for xception" in err


def test_a_validation_split_without_malignant_images_is_refused(capsys, dataset: Path,
                                                                tmp_path: Path) -> None:
    rows = dataset.read_text(encoding="utf-8").splitlines()
    benign_val = [r for r in rows[1:] if not (",val" in r and ",mel," in r)]
    labels = dataset.parent / "benign-val.csv"
    labels.write_text("\n".join([rows[0], *benign_val]) + "\n", encoding="utf-8")
    err = _error(capsys, ["train", str(labels), "--out", str(tmp_path / "m"), "--arch", "mobilenetv2",
                          "--base-weights", "none", "--img-size", SIZE])
    assert "validation split needs both malignant and benign" in err


def test_weights_of_another_architecture_are_refused(capsys, dataset: Path, tmp_path: Path,
                                                     weights_file: Path) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "resnet50",
                          "--base-weights", str(weights_file), "--img-size", SIZE])
    assert f"{weights_file.name} does not match --arch resnet50" in err
    assert not (tmp_path / "m").exists()


# --- tiny training runs ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """MobileNetV2 from scratch, two epochs, evaluated on its hold-out and installed.

    A module fixture runs before the per-test SKINDESK_HOME, so it sets its own.
    """
    from skindesk import paths

    out = tmp_path_factory.mktemp("models") / "clinic-mnv2"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SKINDESK_HOME", str(tmp_path_factory.mktemp("home")))
        assert _train(dataset, out, "--arch", "mobilenetv2", "--base-weights", "none", "--epochs", "2",
                      "--install") == 0
        installed = paths.user_models_dir() / "clinic-mnv2"
    return {"out": out, "card": json.loads((out / "card.json").read_text(encoding="utf-8")),
            "installed": installed}


@pytest.fixture
def installed(scratch: dict) -> dict:
    """The trained model, visible in this test's own SKINDESK_HOME (homes are per test)."""
    from skindesk import paths

    target = paths.user_models_dir() / "clinic-mnv2"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.symlink_to(scratch["out"], target_is_directory=True)
    return scratch


@pytest.mark.slow
def test_the_card_describes_the_network_and_its_input(scratch: dict) -> None:
    card = scratch["card"]
    assert card["input"]["size"] == [64, 64] and card["input"]["preprocessing"] == "minus-one-one"
    assert [c["id"] for c in card["classes"]] == ["mel", "nv"]
    assert card["gradcam_layer"] == "mobilenetv2/out_relu"
    assert "MobileNetV2" in card["architecture"] and "from scratch" in card["architecture"]
    training = card["training"]
    assert [p["phase"] for p in training["phases"]] == ["from scratch"]
    assert 1 <= training["epochs_run"] <= 2 and training["base_weights"] is None
    assert training["device"] in ("CPU", "GPU") and training["data"]["clinic"]["train"] == {"mel": 10, "nv": 10}
    assert "validation split" in card["threshold"]["dataset"] and 0.0 <= card["threshold"]["value"] <= 1.0
    assert card["validation"]["clinic"]["n"] == 6
    # the recorded threshold is never rounded above the malignant score it was chosen at
    assert card["validation"]["clinic"]["sensitivity"] >= card["threshold"]["target_sensitivity"]


@pytest.mark.slow
def test_the_holdout_is_evaluated_recorded_and_installed(scratch: dict) -> None:
    assert scratch["card"]["holdout"]["clinic"]["n"] == 6
    assert (scratch["installed"] / "model.keras").is_file()
    assert scratch["card"]["reported_performance"]["dataset"] == "clinic hold-out (6 images)"
    assert (scratch["out"] / "evaluation" / "holdout-clinic.json").is_file()
    recipe = json.loads((scratch["out"] / "recipe.json").read_text(encoding="utf-8"))
    assert recipe["end_to_end"]["arch"] == "mobilenetv2" and recipe["end_to_end"]["img_size"] == 64


@pytest.mark.slow
def test_the_installed_model_predicts_through_the_engine(installed: dict, dataset: Path, capsys) -> None:
    capsys.readouterr()
    image = dataset.parent / "images" / "IMG_030.jpg"
    assert main(["predict", str(image), "--model", "clinic-mnv2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"]["id"] == "clinic-mnv2"
    assert set(result["probabilities"]) == {"mel", "nv"}
    assert sum(result["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.slow
def test_gradcam_finds_the_cards_layer(installed: dict, dataset: Path, tmp_path: Path) -> None:
    image = dataset.parent / "images" / "IMG_031.jpg"
    assert main(["explain", str(image), "--model", "clinic-mnv2", "--out", str(tmp_path / "cam.png")]) == 0
    assert (tmp_path / "cam.png").stat().st_size > 0


@pytest.mark.slow
def test_a_weights_file_trains_frozen_then_fine_tuned(dataset: Path, weights_file: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "clinic-mnv2-tuned"
    assert _train(dataset, out, "--arch", "mobilenetv2", "--base-weights", str(weights_file),
                  "--epochs", "1", "--no-evaluate") == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    phases = card["training"]["phases"]
    assert phases[0]["phase"] == "frozen backbone" and phases[1]["phase"].startswith("fine-tuning the top")
    assert [p["epochs_run"] for p in phases] == [1, 1]
    assert phases[1]["learning_rate"] < phases[0]["learning_rate"]
    assert sum(p["kept"] for p in phases) == 1
    assert card["training"]["base_weights"]["file"] == weights_file.name
    assert weights_file.name in card["architecture"]


@pytest.mark.slow
def test_the_phases_can_be_shaped_frozen_epochs_and_the_whole_backbone(dataset: Path, weights_file: Path,
                                                                      tmp_path: Path) -> None:
    import keras

    out = tmp_path / "clinic-mnv2-all"
    assert _train(dataset, out, "--arch", "mobilenetv2", "--base-weights", str(weights_file), "--epochs", "2",
                  "--frozen-epochs", "1", "--fine-tune-fraction", "1", "--class-weight", "source-balanced",
                  "--no-evaluate") == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    frozen, tuned = card["training"]["phases"]
    assert frozen["epochs_run"] == 1 and 1 <= tuned["epochs_run"] <= 2
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(64, 64, 3), alpha=0.35)
    weighted = [layer for layer in base.layers
                if layer.weights and type(layer).__name__ != "BatchNormalization"]
    assert tuned["phase"] == f"fine-tuning the top {len(weighted)} layers"
    assert card["training"]["config"]["fine_tune_fraction"] == 1.0
    assert card["training"]["config"]["frozen_epochs"] == 1
    assert card["training"]["config"]["class_weight"] == "source-balanced"


@pytest.mark.slow
def test_an_ensemble_of_a_model_with_itself_reproduces_its_validation(installed: dict) -> None:
    """scripts/make_ensemble.py: the joined model, run through the engine, gives the card's numbers."""
    import subprocess
    import sys

    from skindesk import paths

    project = Path(__file__).resolve().parents[2]
    out = paths.user_models_dir() / "combo"
    result = subprocess.run([sys.executable, str(project / "scripts" / "make_ensemble.py"), str(installed["out"]),
                             str(out), "--id", "combo", "--name", "Combo", "--member", "clinic-mnv2"],
                            capture_output=True, text=True, cwd=project, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    own = installed["card"]
    assert card["ensemble"] == {"weight": 0.5, "members": [
        {"model": "clinic-mnv2", "sha256": own["sha256"], "weight": 0.5}]}
    assert card["gradcam_layer"] == "own_network/mobilenetv2/out_relu"
    assert card["validation"]["clinic"]["roc_auc"] == pytest.approx(own["validation"]["clinic"]["roc_auc"], abs=1e-3)
    assert card["threshold"]["roc_auc_on_dataset"] == pytest.approx(card["validation"]["clinic"]["roc_auc"], abs=1e-3)
    assert "50% of the output comes from 'clinic-mnv2'" in card["limitations"][-1]
    assert "reported_performance" not in card and "holdout" not in card


@pytest.mark.slow
def test_strong_augmentation_trains_and_is_recorded(dataset: Path, weights_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "clinic-strong"
    assert _train(dataset, out, "--arch", "mobilenetv2", "--base-weights", str(weights_file), "--epochs", "1",
                  "--frozen-epochs", "1", "--augmentation", "strong", "--seed", "3", "--no-evaluate") == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert card["training"]["config"]["augmentation"] == "strong"
    assert card["training"]["config"]["seed"] == 3
    assert "random resized crops" in card["training"]["augmentation"] and "crops" in card["training_data"]
    assert all("learning_rates" in phase for phase in card["training"]["phases"])


# --- going on training a network (--init-from) --------------------------------------------------

@pytest.mark.slow
def test_a_continued_network_starts_exactly_where_the_model_left_off(scratch: dict) -> None:
    import keras

    from skindesk.core.training.calibration import softmax
    from skindesk.core.training.e2e_continue import continued_network

    path = scratch["out"] / "model.keras"
    model, base = continued_network(path, "mobilenetv2", int(SIZE), ("mel", "nv"), 0.3, seed=0)
    original = keras.models.load_model(path, compile=False)
    images = np.random.default_rng(2).uniform(0, 255, (3, int(SIZE), int(SIZE), 3)).astype(np.float32)
    temperature = scratch["card"]["training"]["temperature"]
    np.testing.assert_allclose(softmax(np.asarray(model(images, training=False), np.float64), temperature),
                               np.asarray(original(images, training=False)), atol=1e-3)
    assert base.name == "mobilenetv2"


@pytest.mark.slow
def test_init_from_goes_on_training_an_installed_network(installed: dict, dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "continued"
    assert _train(dataset, out, "--arch", "mobilenetv2", "--init-from", "clinic-mnv2", "--epochs", "1",
                  "--fine-tune-fraction", "1", "--class-weight", "source-balanced", "--learning-rate", "1e-5",
                  "--no-evaluate") == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    (phase,) = card["training"]["phases"]
    assert phase["phase"].startswith("continuing clinic-mnv2: the top") and phase["learning_rate"] == 1e-5
    assert card["training"]["continued_from"] == {"model_folder": "clinic-mnv2", "file": "model.keras",
                                                  "sha256": installed["card"]["sha256"]}
    assert "continuing the SkinDesk network clinic-mnv2/model.keras" in card["architecture"]
    assert card["training"]["config"]["class_weight"] == "source-balanced"
    assert card["provenance"]["continued_from"] == "clinic-mnv2"


@pytest.mark.slow
@pytest.mark.parametrize(("extra", "message"), [
    (["--arch", "mobilenetv2", "--base-weights", "none"], "--base-weights does not go with --init-from"),
    (["--arch", "mobilenetv2", "--frozen-epochs", "1"], "--frozen-epochs does not go with --init-from"),
    (["--arch", "efficientnet-lite0"], ("not a network trained end to end by skindesk train with --arch "
                                       "efficientnet-lite0")),
])
def test_init_from_refuses_what_does_not_fit(installed: dict, dataset: Path, tmp_path: Path, capsys,
                                             extra: list[str], message: str) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--img-size", SIZE,
                          "--init-from", "clinic-mnv2", *extra])
    assert message in err


def test_init_from_an_unknown_model_names_the_installed_ones(capsys, dataset: Path, tmp_path: Path) -> None:
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "mobilenetv2",
                          "--img-size", SIZE, "--init-from", "no-such-model"])
    assert "--init-from no-such-model: not a model folder or a .keras file, and model 'no-such-model' is " \
           "not installed" in err


def test_init_from_a_file_that_is_not_a_model_says_so(capsys, dataset: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.keras"
    notes.write_text("not a model")
    err = _error(capsys, ["train", str(dataset), "--out", str(tmp_path / "m"), "--arch", "mobilenetv2",
                          "--img-size", SIZE, "--init-from", str(notes)])
    assert "--init-from notes.keras: not a Keras model file" in err
