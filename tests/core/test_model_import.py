"""``skindesk models import`` with tiny models: card, inference, questions, errors."""

from __future__ import annotations

import json
import sys

import pytest

from skindesk import paths
from skindesk.cli import main
from skindesk.core.errors import ModelError
from skindesk.core.hashing import sha256_path
from skindesk.core.model_import.inspection import inspect_model
from skindesk.core.model_import.install import DEFAULT_THRESHOLD_METHOD
from skindesk.core.model_import.preprocessing import guess_preprocessing
from skindesk.core.modelcard import load_card
from tests.core.test_cli_predict import write_lesion
from tests.core.tinymodels import build_tiny_model


def plain_model(units=3, activation="softmax", name="custom", rescaling=False):
    """A tiny CNN without any scaling layer (so its preprocessing is unknown)."""
    import keras

    image = keras.Input((32, 32, 3))
    x = keras.layers.Rescaling(1 / 255)(image) if rescaling else image
    x = keras.layers.Conv2D(4, 3, activation="relu", name="features")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(image, keras.layers.Dense(units, activation=activation)(x), name=name)


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("import-models")
    files = {
        "tiny3": build_tiny_model("softmax", classes=3),
        "sigmoid": build_tiny_model("sigmoid"),
        "plain": plain_model(),
        "logits": plain_model(2, activation=None, rescaling=True),
    }
    saved = {}
    for key, model in files.items():
        saved[key] = folder / f"{key}.keras"
        model.save(saved[key])
    saved["tiny3_h5"] = folder / "tiny3.h5"
    files["tiny3"].save(saved["tiny3_h5"])
    return saved


def card_of(model_id):
    return load_card(paths.user_models_dir() / model_id / "card.json")


@pytest.mark.parametrize("key", ["tiny3", "tiny3_h5"])
def test_import_writes_card_copies_model_and_predicts(model_files, key, tmp_path, capsys):
    assert main(["models", "import", str(model_files[key]), "--classes", "nv,mel,bcc",
                 "--name", "My tiny model", "--yes"]) == 0
    assert "Smoke prediction" in capsys.readouterr().out
    card = card_of("my-tiny-model")
    assert card.class_ids == ("nv", "mel", "bcc") and card.malignant_class_ids == ("mel", "bcc")
    assert card.pixel_scaling == "none"  # the model has a Rescaling layer
    assert card.output == "softmax" and card.input_size == (32, 32)
    assert card.gradcam_layer == "conv_last"
    assert card.threshold.value == 0.5 and card.threshold.method == DEFAULT_THRESHOLD_METHOD
    assert card.sha256 == sha256_path(card.model_path) == sha256_path(model_files[key])
    assert card.model_path.suffix == model_files[key].suffix
    image = write_lesion(tmp_path / "lesion.png")
    assert main(["predict", str(image), "--model", "my-tiny-model", "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert set(line["probabilities"]) == {"nv", "mel", "bcc"}
    assert main(["models", "--json"]) == 0
    listed = {c["id"]: c for c in json.loads(capsys.readouterr().out)}
    assert not listed["my-tiny-model"]["bundled"]


def test_sigmoid_model_gets_benign_malignant_classes(model_files):
    assert main(["models", "import", str(model_files["sigmoid"]), "--id", "sig", "--yes"]) == 0
    card = card_of("sig")
    assert card.output == "sigmoid" and card.class_ids == ("benign", "malignant")
    assert card.malignant_class_ids == ("malignant",)


def test_missing_answers_are_listed_together(model_files, capsys):
    assert main(["models", "import", str(model_files["plain"]), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "--classes (the model has 3 outputs" in err and "--preprocessing" in err
    assert not any(paths.user_models_dir().iterdir())
    assert main(["models", "import", str(model_files["plain"]), "--classes", "a,b,c",
                 "--preprocessing", "rescale", "--yes"]) == 2
    assert "--malignant" in capsys.readouterr().err
    assert main(["models", "import", str(model_files["plain"]), "--classes", "a,b,c",
                 "--malignant", "c", "--preprocessing", "rescale", "--yes"]) == 0
    card = card_of("plain")
    assert card.pixel_scaling == "rescale" and card.malignant_class_ids == ("c",)
    assert card.gradcam_layer == "features"


def test_refusals(model_files, capsys, monkeypatch):
    assert main(["models", "import", str(model_files["logits"]), "--yes"]) == 2
    assert "not probabilities" in capsys.readouterr().err
    assert main(["models", "import", str(model_files["sigmoid"]), "--id", "ham10000-xception",
                 "--yes"]) == 2
    assert "already installed" in capsys.readouterr().err
    assert main(["models", "import", str(model_files["tiny3"]), "--classes", "nv,mel"]) == 2
    assert "outputs 3" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(["models", "import", str(model_files["sigmoid"])]) == 2
    assert "--yes" in capsys.readouterr().err


def test_unloadable_legacy_h5_names_tf_keras(model_files, monkeypatch):
    import keras

    def refuse(*args, **kwargs):
        raise ValueError("Unknown layer: 'CustomScale'")

    monkeypatch.setattr(keras.models, "load_model", refuse)
    monkeypatch.setitem(sys.modules, "tf_keras", None)  # "not installed"
    with pytest.raises(ModelError, match=r"this file needs tf_keras.*pip install 'tf_keras==2\.\d+\.\*'"):
        inspect_model(model_files["tiny3_h5"])


def test_preprocessing_guess_from_backbone_names_and_layers():
    import keras

    def named(name, layer_name="features"):
        image = keras.Input((16, 16, 3))
        inner = keras.Model(image, keras.layers.Conv2D(2, 3, name=layer_name)(image), name=name)
        outer_in = keras.Input((16, 16, 3))
        return keras.Model(outer_in, keras.layers.Flatten()(inner(outer_in)))

    assert guess_preprocessing(named("resnet50"))[0] == "imagenet-caffe"
    assert guess_preprocessing(named("resnet50v2"))[0] == "minus-one-one"
    assert guess_preprocessing(named("inception_resnet_v2"))[0] == "minus-one-one"
    assert guess_preprocessing(named("densenet121"))[0] == "imagenet-torch"
    assert guess_preprocessing(named("backbone", "block14_sepconv2"))[0] == "minus-one-one"
    assert guess_preprocessing(named("backbone"))[0] is None
    assert guess_preprocessing(plain_model(rescaling=True))[0] == "none"
