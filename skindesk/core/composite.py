"""Models stored as a small head on another installed model's backbone.

A head trained by ``skindesk train`` on the bundled Xception backbone needs
only its own few hundred kilobytes: its card names the backbone model and
that model file's sha256, and loading joins the two into one Keras model
(the same graph ``skindesk train`` evaluated). This keeps a second 86 MB
copy of the same backbone out of the installer and the user's disk.

Card field::

    "backbone": {"model": "ham10000-xception", "sha256": "<that model file's sha256>",
                 "layers": ["normalization", "xception"], "cut": "add_11"}

``cut`` (optional) names a layer inside the last of ``layers``: the backbone
then runs only up to that layer's output, and the stored model is a tail
(retrained last block + head) that takes it, as ``"tune"`` recipes make.
"""

from __future__ import annotations

from typing import Any

from skindesk.core.errors import ModelError
from skindesk.core.modelcard import ModelCard


def is_composite(card: ModelCard) -> bool:
    """True when the card's model is a head on another model's backbone."""
    return bool(card.raw.get("backbone"))


def backbone_card(card: ModelCard) -> ModelCard:
    """The backbone model's card, checked against the sha256 this card was trained on."""
    from skindesk.core.registry import installed_model_matching

    spec = card.raw["backbone"]
    return installed_model_matching(str(spec.get("model")), str(spec.get("sha256", "")), card, "its backbone")


def backbone_layers(source: Any, layer_names: list[str], cut: str | None = None) -> list[Any]:
    """The layers of ``source`` to run in order; with ``cut``, the last one ends at that inner layer.

    Raises:
        ModelError: a named layer is missing from the backbone model.
    """
    import keras

    try:
        layers = [source.get_layer(name) for name in layer_names]
        if cut:
            trunk = layers[-1]
            layers[-1] = keras.Model(trunk.inputs, trunk.get_layer(cut).output, name=trunk.name)
    except ValueError as error:
        raise ModelError(f"the backbone model lacks a layer this model needs: {error}") from None
    return layers


def load_composite(card: ModelCard, load_keras_model: Any) -> Any:
    """One Keras model: image (+ metadata) -> the head's probabilities."""
    import keras

    base = backbone_card(card)
    source = load_keras_model(base.model_path)
    head = load_keras_model(card.model_path)
    spec = card.raw["backbone"]
    image = keras.Input((*card.input_size, 3), name="image")
    x = image
    for layer in backbone_layers(source, spec.get("layers", ["normalization", "xception"]), spec.get("cut")):
        x = layer(x)
    inputs = [image]
    if len(head.inputs) > 1:
        metadata = keras.Input(tuple(head.inputs[1].shape[1:]), name="metadata")
        inputs.append(metadata)
        output = head([x, metadata])
    else:
        output = head(x)
    return keras.Model(inputs, output, name=card.id.replace("-", "_"))
