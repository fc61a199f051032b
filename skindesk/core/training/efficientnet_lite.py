"""EfficientNet-Lite (Google's mobile EfficientNet variant) as a Keras backbone.

Keras ships no EfficientNet-Lite, but its ImageNet weights are the only
pretrained EfficientNet weights this machine can install (from a registry
package, as a PyTorch file): this module builds the headless network from
the published block table and copies those weights in.

Lite differs from EfficientNet-B*: ReLU6 instead of swish, no
squeeze-and-excitation, and the stem (32 channels) and head (1280) are not
scaled. Its input scaling, (pixel - 127) / 128, is a layer of the model,
so the card's ``input.preprocessing`` is ``none``. Convolutions use
TensorFlow's "same" padding, as the original (and the PyTorch port) do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.errors import UserError

# (repeats, kernel, stride, expand ratio, output channels), from efficientnet_lite_builder.
BLOCK_TABLE = ((1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
               (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320))
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
BN_EPSILON = 1e-3
# width multiplier, depth multiplier, native resolution
VARIANTS = {"efficientnet-lite0": (1.0, 1.0, 224), "efficientnet-lite1": (1.0, 1.1, 240),
            "efficientnet-lite2": (1.1, 1.2, 260), "efficientnet-lite3": (1.2, 1.4, 280),
            "efficientnet-lite4": (1.4, 1.8, 300)}


@dataclass(frozen=True)
class Block:
    """One inverted-residual block and the state-dict prefix of its weights."""

    index: int
    kernel: int
    stride: int
    expand: int
    inputs: int
    outputs: int

    @property
    def residual(self) -> bool:
        return self.stride == 1 and self.inputs == self.outputs


def round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """Channels after the width multiplier, to a multiple of ``divisor`` (never below 90%)."""
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * scaled else rounded


def blocks(variant: str) -> list[Block]:
    """The variant's blocks in order; the first and last groups are never deepened."""
    width, depth, _ = VARIANTS[variant]
    result: list[Block] = []
    channels = STEM_CHANNELS
    for group, (repeats, kernel, stride, expand, outputs) in enumerate(BLOCK_TABLE):
        fixed = group in (0, len(BLOCK_TABLE) - 1)
        count = repeats if fixed else math.ceil(depth * repeats)
        out = round_filters(outputs, width)
        for repeat in range(count):
            result.append(Block(len(result), kernel, stride if repeat == 0 else 1, expand, channels, out))
            channels = out
    return result


def build_lite(variant: str, size: int, name: str | None = None) -> Any:
    """The headless network: image (0–255 RGB) -> the top's 1280-channel ReLU6 map."""
    import keras
    from keras import layers

    def conv_bn(x: Any, channels: int, kernel: int, stride: int, prefix: str, act: bool = True) -> Any:
        x = layers.Conv2D(channels, kernel, strides=stride, padding="same", use_bias=False,
                          name=f"{prefix}_conv")(x)
        x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{prefix}_bn")(x)
        return layers.ReLU(6.0, name=f"{prefix}_relu6")(x) if act else x

    image = keras.Input((size, size, 3), name="image")
    x = layers.Rescaling(1.0 / 128.0, offset=-127.0 / 128.0, name="lite_scaling")(image)
    x = conv_bn(x, STEM_CHANNELS, 3, 2, "stem")
    for block in blocks(variant):
        prefix, shortcut = f"block{block.index}", x
        if block.expand != 1:
            x = conv_bn(x, block.inputs * block.expand, 1, 1, f"{prefix}_expand")
        x = layers.DepthwiseConv2D(block.kernel, strides=block.stride, padding="same", use_bias=False,
                                   name=f"{prefix}_dw_conv")(x)
        x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{prefix}_dw_bn")(x)
        x = layers.ReLU(6.0, name=f"{prefix}_dw_relu6")(x)
        x = conv_bn(x, block.outputs, 1, 1, f"{prefix}_project", act=False)
        if block.residual:
            x = layers.Add(name=f"{prefix}_add")([x, shortcut])
    x = conv_bn(x, HEAD_CHANNELS, 1, 1, "top")
    return keras.Model(image, x, name=name or variant)


def _torch_names(prefix: str) -> dict[str, str]:
    """Keras layer-name prefix -> PyTorch state-dict prefix, for the port's naming."""
    if prefix in ("stem", "top"):
        return {"conv": f"_conv_{'stem' if prefix == 'stem' else 'head'}",
                "bn": "_bn0" if prefix == "stem" else "_bn1"}
    block, part = prefix.split("_", 1)
    torch_block = f"_blocks.{block[len('block'):]}"
    conv = {"expand": "_expand_conv", "dw": "_depthwise_conv", "project": "_project_conv"}[part]
    bn = {"expand": "_bn0", "dw": "_bn1", "project": "_bn2"}[part]
    return {"conv": f"{torch_block}.{conv}", "bn": f"{torch_block}.{bn}"}


def _converted(layer: Any, state: dict[str, np.ndarray]) -> list[np.ndarray]:
    kind = "bn" if layer.name.endswith("_bn") else "conv"
    source = _torch_names(layer.name.rsplit("_", 1)[0])[kind]
    if kind == "bn":
        return [state[f"{source}.{key}"] for key in ("weight", "bias", "running_mean", "running_var")]
    kernel = state[f"{source}.weight"]  # (out, in/groups, kh, kw)
    if type(layer).__name__ == "DepthwiseConv2D":
        return [kernel.transpose(2, 3, 0, 1)]  # (kh, kw, channels, 1)
    return [kernel.transpose(2, 3, 1, 0)]      # (kh, kw, in, out)


def load_torch_weights(model: Any, state: dict[str, np.ndarray]) -> int:
    """Copy an EfficientNet-Lite PyTorch state dict into ``model``; returns the layers set.

    Raises:
        UserError: A tensor is missing or has the wrong shape (another variant's file).
    """
    count = 0
    for layer in model.layers:
        if not layer.weights:
            continue
        try:
            layer.set_weights(_converted(layer, state))
        except (KeyError, ValueError) as error:
            raise UserError(f"these weights do not fit {model.name} at layer {layer.name}: {error}") from None
        count += 1
    return count


def convert_weights(variant: str, torch_file: str | Path, out_file: str | Path) -> Path:
    """Write a Keras ``.weights.h5`` of ``variant`` from its PyTorch ImageNet weights file."""
    from skindesk.core.training.torch_state import load_state_dict

    if variant not in VARIANTS:
        raise UserError(f"unknown variant '{variant}'; choose from {', '.join(VARIANTS)}")
    model = build_lite(variant, VARIANTS[variant][2])
    load_torch_weights(model, load_state_dict(torch_file))
    out = Path(out_file)
    if not out.name.endswith(".weights.h5"):
        raise UserError(f"{out.name}: the output must end in .weights.h5")
    model.save_weights(str(out))
    return out
