"""Models that average their own network with other installed models.

An ensemble's folder holds one network (its ``file``) and its card names the
other members by id and model-file sha256, as a composite names its
backbone; loading joins them into one Keras model, so the engine, Grad-CAM,
batch scans and the ONNX export see a single model. No member is copied:
the ensemble of the default networks costs only its own network on disk.

Card field::

    "ensemble": {"weight": 0.5,
                 "members": [{"model": "skindesk-multiclinic-v2", "sha256": "<its model file's>",
                              "weight": 0.5}]}

The output is the weighted mean of the networks' class probabilities
(weights summing to 1). Every network must give the card's classes in the
card's order and take the card's pixel scaling; each sees the image at its
own input size (resized in the graph when it differs from the card's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skindesk.core.errors import ModelError
from skindesk.core.modelcard import ModelCard

OWN_NETWORK = "own_network"


@dataclass(frozen=True)
class Member:
    """One installed model of an ensemble and its share of the output."""

    card: ModelCard
    weight: float


def is_ensemble(card: ModelCard) -> bool:
    """True when the card's model averages its own network with installed members."""
    return bool(card.raw.get("ensemble"))


def own_weight(card: ModelCard) -> float:
    """The share of the ensemble's own network."""
    return float(card.raw["ensemble"].get("weight", 0.0))


def member_layer_name(index: int) -> str:
    """The name member ``index`` has inside the joined model (and in Grad-CAM paths)."""
    return f"member_{index}"


WEIGHT_TOLERANCE = 1e-5


def members(card: ModelCard) -> list[Member]:
    """The installed members, checked: hashes, classes, pixel scaling, image-only, weights.

    Raises:
        ModelError: A member is missing, changed or does not fit the ensemble.
    """
    from skindesk.core.registry import installed_model_matching

    spec = card.raw["ensemble"]
    found = [Member(installed_model_matching(str(m["model"]), str(m.get("sha256", "")), card,
                                             "an ensemble member"), float(m.get("weight", 0.0)))
             for m in spec.get("members", [])]
    if not found:
        raise ModelError(f"ensemble '{card.id}' names no members")
    for member in found:
        _check_fits(card, member.card)
    weights = [own_weight(card)] + [m.weight for m in found]
    # Cards store weights rounded to 6 decimals: three thirds sum to 0.999999.
    if min(weights) < 0 or abs(sum(weights) - 1.0) > WEIGHT_TOLERANCE:
        raise ModelError(f"ensemble '{card.id}': weights {weights} must be non-negative and sum to 1")
    return found


def _check_fits(card: ModelCard, member: ModelCard) -> None:
    if member.class_ids != card.class_ids:
        raise ModelError(f"ensemble '{card.id}': member '{member.id}' has classes {list(member.class_ids)}, "
                         f"not the ensemble's {list(card.class_ids)}")
    if member.pixel_scaling != card.pixel_scaling:
        raise ModelError(f"ensemble '{card.id}': member '{member.id}' takes '{member.pixel_scaling}' "
                         f"pixels, the ensemble '{card.pixel_scaling}'")
    if member.metadata_input or is_ensemble(member):
        raise ModelError(f"ensemble '{card.id}': member '{member.id}' must be a plain image-only model")


def _at_size(image: Any, size: tuple[int, int], name: str) -> Any:
    import keras

    if tuple(image.shape[1:3]) == tuple(size):
        return image
    return keras.layers.Resizing(*size, interpolation="bilinear", name=f"{name}_resize")(image)


def load_ensemble(card: ModelCard, load_keras_model: Any, load_member: Any) -> Any:
    """One Keras model: image -> the weighted mean of every network's class probabilities.

    ``load_member(card)`` loads an installed member as Keras (composites joined).
    """
    import keras

    if card.metadata_input:
        raise ModelError(f"ensemble '{card.id}' cannot take patient metadata")
    found = members(card)
    own = load_keras_model(card.model_path)
    own.name = OWN_NETWORK
    image = keras.Input((*card.input_size, 3), name="image")
    networks = [(own, card.input_size, own_weight(card))]
    for index, member in enumerate(found):
        network = load_member(member.card)
        network.name = member_layer_name(index)
        networks.append((network, member.card.input_size, member.weight))
    weighted = [keras.layers.Rescaling(weight, name=f"{network.name}_weight")(
        network(_at_size(image, size, network.name))) for network, size, weight in networks]
    output = keras.layers.Add(name="ensemble_mean")(weighted)
    return keras.Model(image, output, name=card.id.replace("-", "_"))
