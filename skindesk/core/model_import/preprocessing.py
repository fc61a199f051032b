"""Guessing how a model expects its input pixels scaled, from its layers.

A model that rescales or normalises inside (a ``Rescaling`` or
``Normalization`` layer; EfficientNet and ConvNeXt include theirs) takes raw
0-255 pixels. Otherwise a known ``keras.applications`` backbone, recognised
by its model name or by layer names only it uses, implies the scaling its
``preprocess_input`` applies, which transfer-learning notebooks call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: (name fragment, architecture, preprocessing); checked in order, first match wins.
_BACKBONE_NAMES = (
    ("inception", "Inception", "minus-one-one"),  # before "resnet": inception_resnet_v2
    ("resnet50v2", "ResNet50V2", "minus-one-one"), ("resnet101v2", "ResNet101V2", "minus-one-one"),
    ("resnet152v2", "ResNet152V2", "minus-one-one"), ("resnet", "ResNet", "imagenet-caffe"),
    ("vgg", "VGG", "imagenet-caffe"), ("mobilenetv3", "MobileNetV3", "none"),
    ("mobilenet", "MobileNet", "minus-one-one"), ("densenet", "DenseNet", "imagenet-torch"),
    ("efficientnet", "EfficientNet", "none"), ("convnext", "ConvNeXt", "none"),
    ("xception", "Xception", "minus-one-one"), ("nasnet", "NASNet", "minus-one-one"),
)  # fmt: skip

#: Layer names that only one backbone family uses (for backbones flattened into the model).
_BACKBONE_LAYERS = (
    ({"post_bn", "conv2_block1_preact_bn"}, "ResNetV2", "minus-one-one"),
    ({"conv2_block1_concat", "pool2_conv"}, "DenseNet", "imagenet-torch"),
    ({"conv2_block1_add", "conv2_block1_0_conv"}, "ResNet", "imagenet-caffe"),
    ({"block14_sepconv2"}, "Xception", "minus-one-one"),
    ({"block5_conv3", "block1_conv1"}, "VGG", "imagenet-caffe"),
    ({"expanded_conv_project"}, "MobileNetV2", "minus-one-one"),
    ({"conv_dw_1", "conv_pw_1"}, "MobileNet", "minus-one-one"),
    ({"mixed10"}, "InceptionV3", "minus-one-one"),
)


def iter_layers(model: Any) -> Iterator[Any]:
    """Every layer of ``model``, descending into nested models, in order."""
    for layer in getattr(model, "layers", None) or []:
        yield layer
        if isinstance(getattr(layer, "layers", None), list):
            yield from iter_layers(layer)


def _nested_model_names(model: Any) -> list[str]:
    names = [model.name]
    names += [layer.name for layer in iter_layers(model) if isinstance(getattr(layer, "layers", None), list)]
    return [n.lower() for n in names]


def guess_backbone(model: Any) -> tuple[str, str] | None:
    """(architecture, preprocessing) of a recognised keras.applications backbone."""
    for name in _nested_model_names(model):
        for fragment, architecture, preprocessing in _BACKBONE_NAMES:
            if fragment in name:
                return architecture, preprocessing
    layer_names = {layer.name for layer in iter_layers(model)}
    for signature, architecture, preprocessing in _BACKBONE_LAYERS:
        if signature <= layer_names:
            return architecture, preprocessing
    return None


def guess_preprocessing(model: Any) -> tuple[str | None, str]:
    """The card's preprocessing for ``model`` and why, or (None, why not).

    Returns:
        (one of the card's pixel scalings or None, a sentence explaining it).
    """
    kinds = {type(layer).__name__ for layer in iter_layers(model)}
    for kind in ("Rescaling", "Normalization"):
        if kind in kinds:
            return "none", f"the model has a {kind} layer, so it takes raw 0-255 pixels"
    backbone = guess_backbone(model)
    if backbone is not None:
        architecture, preprocessing = backbone
        return preprocessing, (f"{architecture} backbone: keras.applications' preprocess_input "
                               f"for it is '{preprocessing}'")
    return None, "no scaling layer and no known backbone: cannot tell how pixels were scaled"
