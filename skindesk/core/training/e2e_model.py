"""Backbones for end-to-end training, and their weights files.

``skindesk train --arch ARCH --base-weights FILE|none`` builds a
``keras.applications`` backbone (or SkinDesk's own EfficientNet-Lite, see
:mod:`skindesk.core.training.efficientnet_lite`) without its ImageNet top,
loads a local weights file into it (ImageNet weights cannot be downloaded
here) or starts from random weights, and adds a small classifier: global
average pooling, dropout and one dense layer giving class logits.

Each architecture records the pixel scaling its ``preprocess_input`` applies
(the card's ``input.preprocessing``), so the engine feeds the trained model
exactly what training fed it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skindesk.core.errors import UserError


@dataclass(frozen=True)
class ArchSpec:
    """One supported backbone."""

    constructor: str         # name in keras.applications, or of the SkinDesk builder
    scaling: str             # the card's input.preprocessing (as its preprocess_input)
    default_size: int
    min_size: int
    weights_file: str        # the usual Keras notop weights file, for messages
    keras_application: bool = True  # False: built by efficientnet_lite.build_lite


ARCHITECTURES: dict[str, ArchSpec] = {
    "resnet50": ArchSpec("ResNet50", "imagenet-caffe", 224, 32,
                         "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "efficientnetb0": ArchSpec("EfficientNetB0", "none", 224, 32, "efficientnetb0_notop.h5"),
    "mobilenetv2": ArchSpec("MobileNetV2", "minus-one-one", 224, 32,
                            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"),
    "xception": ArchSpec("Xception", "minus-one-one", 254, 71,
                         "xception_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    # ImageNet weights: scripts/convert_efficientnet_lite.py, from the registry's PyTorch files
    "efficientnet-lite0": ArchSpec("EfficientNet-Lite0", "none", 224, 32,
                                   "efficientnet-lite0-imagenet.weights.h5", keras_application=False),
    "efficientnet-lite2": ArchSpec("EfficientNet-Lite2", "none", 260, 32,
                                   "efficientnet-lite2-imagenet.weights.h5", keras_application=False),
}

_MOBILENET_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
_MOBILENET_LAST_BLOCK = 320  # channels out of MobileNetV2's last block at alpha 1


def arch_spec(arch: str) -> ArchSpec:
    """The spec of ``arch``; a UserError naming the choices when unknown."""
    try:
        return ARCHITECTURES[arch]
    except KeyError:
        raise UserError(f"unknown architecture '{arch}'; choose from {', '.join(ARCHITECTURES)}") from None


def check_image_size(arch: str, size: int) -> None:
    """Refuse an input size the backbone cannot take."""
    spec = arch_spec(arch)
    if size < spec.min_size:
        raise UserError(f"--img-size {size} is too small for {arch} (at least {spec.min_size})")


def _widest_pointwise_kernel(path: Path) -> tuple[int, ...] | None:
    """Shape of the 1×1 convolution kernel with the most output channels in an HDF5 weights file.

    Works on legacy Keras files (grouped by layer name) and Keras 3
    ``.weights.h5`` files (grouped by generated names) alike.
    """
    import h5py

    shapes: list[tuple[int, ...]] = []

    def visit(name: str, item: Any) -> None:
        if isinstance(item, h5py.Dataset) and item.ndim == 4 and tuple(item.shape[:2]) == (1, 1):
            shapes.append(tuple(int(d) for d in item.shape))

    try:
        with h5py.File(path, "r") as file:
            file.visititems(visit)
    except OSError:
        return None
    return max(shapes, key=lambda shape: shape[3]) if shapes else None


def backbone_options(arch: str, weights: Path | None) -> dict[str, Any]:
    """Constructor options the weights file implies (MobileNetV2's width multiplier alpha).

    MobileNetV2's last 1×1 convolution (``Conv_1``, the widest) takes the
    last block's 320 × alpha channels (rounded to a multiple of 8), which
    tells the alphas Keras publishes (0.35 … 1.4) apart.
    """
    if arch != "mobilenetv2" or weights is None:
        return {}
    kernel = _widest_pointwise_kernel(weights)
    if kernel is None:
        return {}
    return {"alpha": mobilenet_alpha(kernel[2])}


def mobilenet_alpha(channels: int) -> float:
    """The published MobileNetV2 width multiplier whose last block gives ``channels`` outputs."""
    return min(_MOBILENET_ALPHAS, key=lambda alpha: abs(alpha * _MOBILENET_LAST_BLOCK - channels))


def check_weights_file(arch: str, weights: Path) -> None:
    """Refuse a weights path that is missing or not an HDF5 weights file."""
    spec = arch_spec(arch)
    if not weights.is_file():
        raise UserError(f"--base-weights: no such file {weights} (for {arch}, e.g. {spec.weights_file}; "
                        "or use 'none' to train from scratch)")
    if weights.suffix.lower() not in (".h5", ".hdf5"):
        raise UserError(f"--base-weights {weights.name}: expected a Keras weights file (.h5), "
                        f"e.g. {spec.weights_file}")


def construct_backbone(arch: str, size: int, options: dict[str, Any]) -> Any:
    """A randomly initialised headless backbone named ``arch``."""
    import keras

    if not arch_spec(arch).keras_application:
        from skindesk.core.training.efficientnet_lite import build_lite

        return build_lite(arch, size, name=arch)
    constructor = getattr(keras.applications, arch_spec(arch).constructor)
    return constructor(include_top=False, weights=None, input_shape=(size, size, 3), name=arch, **options)


def build_backbone(arch: str, size: int, weights: Path | None) -> Any:
    """The headless backbone, with ``weights`` loaded (random weights when None).

    Raises:
        UserError: The weights file does not fit this architecture.
    """
    spec = arch_spec(arch)
    base = construct_backbone(arch, size, backbone_options(arch, weights))
    if weights is not None:
        try:
            with warnings.catch_warnings():  # Keras 3 warns about weightless containers
                warnings.simplefilter("ignore")
                base.load_weights(str(weights))
        except (ValueError, KeyError, OSError) as error:
            reason = str(error).strip().splitlines()[0][:300]
            raise UserError(f"--base-weights {weights.name} does not match --arch {arch} without its "
                            f"top (expected e.g. {spec.weights_file}): {reason}") from None
    return base


def build_classifier(base: Any, classes: int, dropout: float, pretrained: bool, seed: int = 0,
                     temperature: float | None = None) -> Any:
    """image -> class logits (or, with ``temperature``, softmax(logits / T)).

    A pretrained backbone always runs in inference mode (``training=False``)
    so its BatchNormalization statistics stay those of its pretraining, even
    when its top is fine-tuned; a backbone trained from scratch learns them.
    """
    import keras

    size = int(base.inputs[0].shape[1])
    image = keras.Input((size, size, 3), name="image")
    x = base(image, training=False) if pretrained else base(image)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dropout(dropout, seed=seed, name="dropout")(x)
    output = keras.layers.Dense(classes, dtype="float32", name="logits")(x)
    if temperature is not None:
        output = keras.layers.Rescaling(1.0 / temperature, name="temperature")(output)
        output = keras.layers.Activation("softmax", name="probabilities")(output)
    return keras.Model(image, output, name=f"skindesk_{base.name}")


def set_trainable_top(base: Any, fraction: float) -> int:
    """Unfreeze the top ``fraction`` of the backbone's layers (BatchNormalization stays frozen).

    Returns:
        The number of layers with weights made trainable.
    """
    base.trainable = True
    cut = int(len(base.layers) * (1.0 - fraction))
    unfrozen = 0
    for index, layer in enumerate(base.layers):
        layer.trainable = index >= cut and type(layer).__name__ != "BatchNormalization"
        unfrozen += int(layer.trainable and bool(layer.weights))
    return unfrozen


def deployable_model(trained: Any, arch: str, options: dict[str, Any], temperature: float,
                     pretrained: bool) -> Any:
    """A float32 copy of ``trained`` ending in softmax(logits / T), for saving.

    Rebuilt under the float32 policy, so a model trained in mixed precision on
    a GPU runs at full precision (and at full speed) on a CPU workstation.
    """
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        size = int(trained.inputs[0].shape[1])
        base = construct_backbone(arch, size, options)
        classes = int(trained.get_layer("logits").units)
        model = build_classifier(base, classes, 0.0, pretrained, temperature=temperature)
    finally:
        keras.config.set_dtype_policy(previous)
    for name in (arch, "logits"):
        model.get_layer(name).set_weights(trained.get_layer(name).get_weights())
    return model
