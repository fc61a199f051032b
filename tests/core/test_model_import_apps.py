"""Importing keras.applications backbones (random weights, 64×64): the
preprocessing each family needs and the Grad-CAM layer must be found."""

from __future__ import annotations

import json

import pytest

from skindesk import paths
from skindesk.cli import main
from skindesk.core.modelcard import load_card
from tests.core.test_cli_predict import write_lesion

SIZE = 64
# (application, expected preprocessing, expected Grad-CAM layer inside the nested backbone)
FAMILIES = {
    "ResNet50": ("imagenet-caffe", "resnet50/conv5_block3_out"),
    "EfficientNetB0": ("none", "efficientnetb0/top_activation"),
    "MobileNetV2": ("minus-one-one", f"mobilenetv2_1.00_{SIZE}/out_relu"),
    "VGG16": ("imagenet-caffe", "vgg16/block5_conv3"),
}


def transfer_model(application: str, head: str):
    """Backbone(include_top=False) + pooling + a small head, the notebook way."""
    import keras

    keras.utils.set_random_seed(0)
    backbone = getattr(keras.applications, application)(
        weights=None, include_top=False, input_shape=(SIZE, SIZE, 3))
    image = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.GlobalAveragePooling2D()(backbone(image))
    x = keras.layers.Dense(16, activation="relu")(x)
    output = (keras.layers.Dense(1, activation="sigmoid")(x) if head == "sigmoid"
              else keras.layers.Dense(7, activation="softmax")(x))
    return keras.Model(image, output)


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory):
    """Each family twice: softmax saved as .keras, sigmoid as legacy .h5 (built once)."""
    folder = tmp_path_factory.mktemp("apps")
    files = {}
    for application in FAMILIES:
        for head, suffix in (("softmax", ".keras"), ("sigmoid", ".h5")):
            path = folder / f"{application.lower()}-{head}{suffix}"
            transfer_model(application, head).save(path)
            files[application, head] = path
    return files


@pytest.mark.slow
@pytest.mark.parametrize("head", ["softmax", "sigmoid"])
@pytest.mark.parametrize("application", list(FAMILIES))
def test_import_infers_preprocessing_and_gradcam_layer(saved_models, application, head, capsys):
    model_id = f"{application.lower()}-{head}"
    args = ["models", "import", str(saved_models[application, head]), "--id", model_id, "--yes"]
    if head == "softmax":
        args += ["--classes", "akiec,bcc,bkl,df,mel,nv,vasc"]
    assert main(args) == 0
    assert "Smoke prediction" in capsys.readouterr().out
    card = load_card(paths.user_models_dir() / model_id / "card.json")
    preprocessing, gradcam = FAMILIES[application]
    assert card.pixel_scaling == preprocessing
    assert card.gradcam_layer == gradcam
    assert card.input_size == (SIZE, SIZE) and card.output == head
    expected = ("mel", "bcc", "akiec") if head == "softmax" else ("malignant",)
    assert set(card.malignant_class_ids) == set(expected)


@pytest.mark.slow
def test_imported_model_predicts_and_its_cam_layer_resolves(saved_models, tmp_path, capsys):
    from skindesk.core.explain.layers import resolve_layer_path
    from skindesk.core.service import SkinDeskService

    assert main(["models", "import", str(saved_models["MobileNetV2", "sigmoid"]), "--id", "mnv2",
                 "--yes"]) == 0
    image = write_lesion(tmp_path / "lesion.jpg")
    assert main(["predict", str(image), "--model", "mnv2", "--json"]) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(line["probabilities"]) == {"benign", "malignant"}
    engine = SkinDeskService().engine("mnv2")
    chain = resolve_layer_path(engine.keras_model, engine.card.gradcam_layer)
    assert chain[-1].name == "out_relu"


def test_flattened_backbone_is_recognised_by_its_layer_names(tmp_path):
    """Notebooks often build Model(base.input, head(base.output)): no nested model to name it."""
    import keras

    from skindesk.core.model_import.inspection import inspect_model

    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(SIZE, SIZE, 3))
    x = keras.layers.GlobalAveragePooling2D()(base.output)
    model = keras.Model(base.input, keras.layers.Dense(2, activation="softmax")(x), name="classifier")
    model.save(tmp_path / "flat.keras")
    inspection = inspect_model(tmp_path / "flat.keras")
    assert inspection.preprocessing == "minus-one-one"
    assert inspection.gradcam_layer == "out_relu"
    assert inspection.output_kind == "softmax" and inspection.output_units == 2
