"""Legacy Keras 2 ``.h5`` files that Keras 3 refuses: the tf_keras fallback and its messages.

Keras 2 wrote ``"groups": 1`` into every DepthwiseConv2D's config (MobileNet
and EfficientNet notebooks have dozens), and Keras 3 refuses that keyword:
a real file SkinDesk must still import. tf_keras (``pip install -e .[legacy]``)
reads it; the model is then installed as a SavedModel.
"""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pytest
from PIL import Image

from skindesk.cli import main
from skindesk.core.engine import InferenceEngine
from skindesk.core.errors import ModelError
from skindesk.core.model_import.inspection import inspect_model
from skindesk.core.model_import.loading import tf_keras_hint
from skindesk.core.registry import ModelRegistry
from tests.core.evaldata import write_labelled_lesion

NO_TF_KERAS = ("tf_keras is not installed: install SkinDesk with the 'legacy' extra "
               "(pip install -e .[legacy]) to test importing legacy Keras 2 .h5 files")


@pytest.fixture(scope="module")
def tf_keras():
    return pytest.importorskip("tf_keras", reason=NO_TF_KERAS)


def keras2_style_h5(path):
    """A Keras 3 .h5 file patched to carry Keras 2's DepthwiseConv2D 'groups' keyword."""
    import h5py
    import keras

    image = keras.Input((32, 32, 3))
    x = keras.layers.Rescaling(1 / 255)(image)
    x = keras.layers.DepthwiseConv2D(3, name="dw")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    keras.Model(image, keras.layers.Dense(3, activation="softmax")(x)).save(path)
    with h5py.File(path, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "DepthwiseConv2D":
                layer["config"]["groups"] = 1
        handle.attrs["model_config"] = json.dumps(config)
    return path


def test_keras3_refusal_without_tf_keras_says_how_to_get_it(tmp_path, monkeypatch):
    legacy = keras2_style_h5(tmp_path / "mobilenet_keras2.h5")
    monkeypatch.setitem(sys.modules, "tf_keras", None)  # as if not installed
    with pytest.raises(ModelError) as caught:
        inspect_model(legacy)
    message = str(caught.value)
    assert "Keras 3 cannot load the legacy .h5 file" in message and "DepthwiseConv2D" in message
    assert tf_keras_hint() in message and message.endswith("then import it again")
    import tensorflow as tf

    tf_version = ".".join(tf.__version__.split(".")[:2])
    assert f"pip install 'tf_keras=={tf_version}.*'" in message


def test_neither_loader_gives_both_reasons(tmp_path, monkeypatch):
    legacy = keras2_style_h5(tmp_path / "mobilenet_keras2.h5")

    def refuse(*_args, **_kwargs):
        raise ValueError("bad marshal data (Lambda layer from another Python)")

    fake = types.ModuleType("tf_keras")
    fake.models = types.SimpleNamespace(load_model=refuse)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tf_keras", fake)
    with pytest.raises(ModelError, match=r"nor with tf_keras \(bad marshal data") as caught:
        inspect_model(legacy)
    assert "cannot load" in str(caught.value) and "Keras 3 (" in str(caught.value)


def build_keras2_mobilenet_h5(tf_keras, path):
    """A MobileNet-like model built and saved by Keras 2 itself."""
    image = tf_keras.Input((32, 32, 3))
    x = tf_keras.layers.Rescaling(1 / 255)(image)
    x = tf_keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(x)
    x = tf_keras.layers.DepthwiseConv2D(3, name="conv_dw_1")(x)
    x = tf_keras.layers.GlobalAveragePooling2D()(x)
    model = tf_keras.Model(image, tf_keras.layers.Dense(3, activation="softmax")(x),
                           name="mobilenet_notebook")
    model.save(path)
    return model


def test_a_keras2_h5_imports_through_tf_keras_and_predicts_the_same(tf_keras, tmp_path, capsys):
    import keras

    original = build_keras2_mobilenet_h5(tf_keras, tmp_path / "mobilenet_keras2.h5")
    with pytest.raises(Exception, match="DepthwiseConv2D"):
        keras.models.load_model(tmp_path / "mobilenet_keras2.h5", compile=False)

    assert main(["models", "import", str(tmp_path / "mobilenet_keras2.h5"),
                 "--classes", "nv,mel,bcc", "--id", "legacy", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "legacy: converted to SavedModel" in out and "Smoke prediction" in out
    card = ModelRegistry().get("legacy")
    assert card.model_path.name == "saved_model" and (card.model_path / "saved_model.pb").exists()
    assert card.gradcam_layer is None and card.pixel_scaling == "none"
    assert card.architecture.startswith("MobileNet")

    lesion = write_labelled_lesion(tmp_path / "lesion.png", True, seed=5)
    rgb = np.asarray(Image.open(lesion).convert("RGB"))
    engine = InferenceEngine(card)
    prepared = engine.prepare(rgb)[None]
    expected = original(prepared, training=False).numpy()
    np.testing.assert_allclose(engine.predict_prepared(prepared), expected, atol=1e-5)
