"""What an imported model file is: inputs, outputs, Grad-CAM layer, scaling.

Everything that can be read off the model is; what cannot (class names of
a many-class output, the pixel scaling of a custom network) is left None
for the user to say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.errors import ModelError
from skindesk.core.model_import.loading import LoadedModelFile, load_for_import
from skindesk.core.model_import.preprocessing import guess_backbone, guess_preprocessing

_NOT_CAM_TARGETS = ("Pooling", "Dropout", "InputLayer", "ZeroPadding", "Cropping", "Reshape")
_PROBE_SIZE = 224  # for models that accept any image size


@dataclass
class ModelInspection:
    """The facts read off a model file."""

    path: Path
    format: str
    legacy: bool
    input_shapes: list[tuple[int | None, ...]]
    input_size: tuple[int, int] | None
    output_units: int
    output_kind: str | None
    output_evidence: str
    gradcam_layer: str | None
    preprocessing: str | None
    preprocessing_reason: str
    architecture: str
    parameters: int
    model: Any = field(default=None, repr=False)


def _shape(tensor: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _image_input(model: Any, path: Path) -> tuple[list[tuple[int | None, ...]], tuple[int, int] | None]:
    shapes = [_shape(t) for t in model.inputs]
    if len(shapes) != 1:
        raise ModelError(
            f"{path.name} has {len(shapes)} inputs {shapes}; only single-image-input models can be "
            "imported automatically (a model with patient-metadata inputs needs a hand-written "
            "card: see metadata_input in the bundled model's card)"
        )
    shape = shapes[0]
    if len(shape) != 4 or shape[-1] != 3:
        raise ModelError(f"{path.name} takes input of shape {shape}; expected (batch, height, width, 3) RGB")
    height, width = shape[1], shape[2]
    return shapes, (height, width) if height and width else None


def _last_activation(model: Any) -> str | None:
    layer = model.layers[-1]
    if type(layer).__name__ == "Softmax":
        return "softmax"
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None) or (activation if isinstance(activation, str) else None)
    return name.lower() if name else None


def _output_kind(model: Any, units: int, size: tuple[int, int]) -> tuple[str | None, str]:
    """'softmax'/'sigmoid' from the last layer's activation, else from outputs on a random input."""
    activation = _last_activation(model)
    if activation == "softmax" and units > 1:
        return "softmax", "the last layer's activation is softmax"
    if activation == "sigmoid" and units == 1:
        return "sigmoid", "the last layer's activation is sigmoid (one output)"
    if activation == "sigmoid":
        return None, f"{units} independent sigmoid outputs (multi-label) are not supported"
    probe = np.random.default_rng(0).uniform(0, 255, (2, *size, 3)).astype(np.float32)
    outputs = np.asarray(model(probe, training=False), dtype=np.float64)
    if units > 1 and np.all(outputs >= 0) and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3):
        return "softmax", "outputs sum to 1 on a random input"
    if units == 1 and np.all((outputs >= 0) & (outputs <= 1)):
        return "sigmoid", "one output between 0 and 1 on a random input"
    return None, ("outputs are not probabilities (logits?): add a softmax or sigmoid layer "
                  "to the model and save it again")


def find_gradcam_layer(model: Any) -> str | None:
    """Slash path to the last convolutional feature map, descending into nested models."""
    for layer in reversed(getattr(model, "layers", None) or []):
        if isinstance(getattr(layer, "layers", None), list) and layer.layers:
            inner = find_gradcam_layer(layer)
            if inner:
                return f"{layer.name}/{inner}"
            continue
        if any(kind in type(layer).__name__ for kind in _NOT_CAM_TARGETS):
            continue
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError):  # a layer called twice has no single output
            continue
        if len(shape) == 4 and all(s is None or s > 1 for s in shape[1:3]):
            return layer.name
    return None


def inspect_model(path: str | Path) -> ModelInspection:
    """Load ``path`` and read off everything the card needs that the model can tell.

    Raises:
        ModelError: The file cannot be loaded, or its inputs/outputs are unsupported.
    """
    path = Path(path).expanduser()
    loaded: LoadedModelFile = load_for_import(path)
    model = loaded.model
    shapes, size = _image_input(model, path)
    if len(model.outputs) != 1 or len(model.outputs[0].shape) != 2:
        raise ModelError(f"{path.name} must have one output of shape (batch, classes)")
    units = int(model.outputs[0].shape[-1])
    kind, evidence = _output_kind(model, units, size or (_PROBE_SIZE, _PROBE_SIZE))
    preprocessing, reason = guess_preprocessing(model)
    backbone = guess_backbone(model)
    return ModelInspection(
        path=path, format=loaded.format, legacy=loaded.legacy, input_shapes=shapes,
        input_size=size, output_units=units, output_kind=kind, output_evidence=evidence,
        gradcam_layer=find_gradcam_layer(model), preprocessing=preprocessing,
        preprocessing_reason=reason,
        architecture=f"{backbone[0]} backbone" if backbone else type(model).__name__,
        parameters=int(model.count_params()), model=model,
    )
