"""End-to-end training's configuration: learning-rate schedule, seed, augmentation (``skindesk train``)."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from skindesk.commands._train_e2e import end_to_end_config
from skindesk.core.training.e2e_fit import EndToEndConfig, PhaseData, fit_phase


def _phase_data() -> PhaseData:
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = rng.integers(0, 2, size=32)
    train = tf.data.Dataset.from_tensor_slices((x, y, np.ones(32, "float32"))).batch(8)
    val = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    return PhaseData(train=train, val=val, recalibrate_on=None, batches=4)


def test_the_rate_drops_to_a_tenth_once_the_validation_loss_stalls() -> None:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    config = EndToEndConfig(arch="mobilenetv2", img_size=64, epochs=4, patience=10)
    # So small a rate cannot move the loss by the plateau's min_delta: every epoch after the first stalls.
    record = fit_phase(model, _phase_data(), 1e-9, config, "stalling")
    assert record["epochs_run"] == 4
    assert record["learning_rates"] == pytest.approx([1e-9, 1e-9, 1e-10, 1e-11])


def test_the_rate_never_goes_below_a_hundredth_of_the_phase_rate() -> None:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    config = EndToEndConfig(arch="mobilenetv2", img_size=64, epochs=6, patience=10)
    record = fit_phase(model, _phase_data(), 1e-9, config, "stalling")
    assert min(record["learning_rates"]) == pytest.approx(1e-11)


def test_a_constant_schedule_keeps_the_rate() -> None:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    config = EndToEndConfig(arch="mobilenetv2", img_size=64, epochs=3, patience=10, lr_schedule="constant")
    record = fit_phase(model, _phase_data(), 1e-9, config, "constant")
    assert record["epochs_run"] == 3 and record["learning_rates"] == []  # no schedule logs a rate
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-9)


def _args(**given) -> argparse.Namespace:
    values = {"arch": "mobilenetv2", "img_size": 64, "base_weights": "none", "epochs": None,
              "frozen_epochs": None, "fine_tune_fraction": None, "seed": None, "lr_schedule": None, "augmentation": None,
              "class_weight": None, "init_from": None, "learning_rate": None}
    return argparse.Namespace(**{**values, **given})


def test_the_seed_reaches_the_training_config_and_defaults_to_0() -> None:
    assert end_to_end_config(_args(seed=3)).seed == 3
    assert end_to_end_config(_args()).seed == 0
    assert end_to_end_config(_args(seed=0, epochs=2)).to_dict()["seed"] == 0


def test_the_schedule_is_recorded_and_defaults_to_plateau() -> None:
    assert end_to_end_config(_args()).to_dict()["lr_schedule"] == "plateau"
    assert end_to_end_config(_args(lr_schedule="constant")).lr_schedule == "constant"


def test_the_card_and_config_record_the_augmentation() -> None:
    from skindesk.core.training.e2e_card import augmentation_text

    config = end_to_end_config(_args(augmentation="strong"))
    assert config.to_dict()["augmentation"] == "strong"
    assert augmentation_text(config).startswith("random resized crops")
    standard = end_to_end_config(_args())
    assert standard.augmentation == "standard" and augmentation_text(standard).startswith("flips")


def test_the_class_weighting_defaults_to_balanced_and_can_be_per_source() -> None:
    assert end_to_end_config(_args()).class_weight == "balanced"  # as the bundled networks were trained
    assert end_to_end_config(_args(class_weight="source-balanced")).to_dict()["class_weight"] == "source-balanced"
