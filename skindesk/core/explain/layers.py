"""Finding the layer a CAM method looks at, even inside a nested backbone.

Transfer-learning models usually wrap their backbone as one layer of the
outer model (the default model's ``xception``), so the last convolution is
not among ``model.layers``. A target is therefore a *chain* of layers: each
one a layer of the model before it, the last one the target itself. Cards
name it as a slash path (``"xception/block14_sepconv2_act"``); without one
the last layer with a spatial (4-D) output is found automatically.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skindesk.core.errors import ModelError

LayerChain = tuple[Any, ...]
"""Layers from the outer model inwards; the last one is the target layer."""


def chain_path(chain: Sequence[Any]) -> str:
    """The slash path of a chain, as a card's ``gradcam_layer`` writes it."""
    return "/".join(layer.name for layer in chain)


def sublayers(model: Any) -> list[Any]:
    """The layers of a Keras model, or an empty list for a plain layer."""
    layers = getattr(model, "layers", None)
    return list(layers) if isinstance(layers, list) else []


def resolve_layer_path(model: Any, path: str) -> LayerChain:
    """The chain of layers named by ``path`` (e.g. ``"xception/block14_sepconv2_act"``).

    Raises:
        ModelError: a name on the path does not exist.
    """
    chain: list[Any] = []
    current = model
    for name in [part for part in path.split("/") if part]:
        found = next((layer for layer in sublayers(current) if layer.name == name), None)
        if found is None:
            where = chain_path(chain) or "the model"
            raise ModelError(f"Grad-CAM layer '{path}': no layer '{name}' in {where}")
        chain.append(found)
        current = found
    if not chain:
        raise ModelError("the model card's Grad-CAM layer is empty")
    return tuple(chain)


def _spatial_output(layer: Any) -> bool:
    # A layer shared between several calls has no single output; skip it.
    try:
        shape = layer.output.shape
    except (AttributeError, ValueError):
        return False
    is_input = type(layer).__name__ == "InputLayer"
    return len(shape) == 4 and not is_input and all(s != 1 for s in shape[1:3])


def find_last_spatial_layer(model: Any) -> LayerChain | None:
    """The chain to the last layer with a 4-D output, searching nested models.

    Layers are visited from the output backwards; a nested model is searched
    (recursively) before the layers that precede it, so its last convolution
    wins over, say, an outer preprocessing layer.
    """
    for layer in reversed(sublayers(model)):
        if sublayers(layer):
            inner = find_last_spatial_layer(layer)
            if inner is not None:
                return (layer, *inner)
        elif _spatial_output(layer):
            return (layer,)
    return None


def find_target_layer(model: Any, path: str | None = None) -> LayerChain:
    """The card's layer path when given, else the last spatial layer.

    Raises:
        ModelError: the path is wrong, or the model has no spatial layer.
    """
    if path:
        return resolve_layer_path(model, path)
    chain = find_last_spatial_layer(model)
    if chain is None:
        raise ModelError(
            "no convolutional layer found for Grad-CAM; use the occlusion method, "
            "which works with any model"
        )
    return chain
