"""The bundled model's Xception feature extractor, as a standalone Keras model.

``skindesk-default`` in ``skindesk train`` means this backbone: the default
model's own Normalization layer and Xception trunk, frozen. It yields two
outputs per image: block 13's 8×8×1024 map (for retraining block 14) and the
2,048 pooled features (for training a head).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skindesk.core.errors import UserError
from skindesk.core.model_loader import load_keras_model
from skindesk.core.modelcard import ModelCard
from skindesk.core.registry import ModelRegistry

DEFAULT_BACKBONE_MODEL = "ham10000-xception"
TRUNK_LAYER = "xception"
NORMALIZATION_LAYER = "normalization"
BLOCK13_LAYER = "add_11"


@dataclass
class Backbone:
    """A frozen feature extractor and where it came from."""

    card: ModelCard
    source_model: Any
    features: Any  # keras.Model: image -> [block13 map, pooled features]

    @property
    def input_size(self) -> tuple[int, int]:
        """Model input (height, width)."""
        return self.card.input_size

    @property
    def feature_width(self) -> int:
        """Width of the pooled feature vector."""
        return int(self.features.outputs[1].shape[-1])


def load_backbone(model_id: str = DEFAULT_BACKBONE_MODEL, registry: ModelRegistry | None = None) -> Backbone:
    """Build the feature extractor from an installed Xception model with the bundled layout.

    Raises:
        UserError: The model is not installed or lacks the expected layers.
    """
    import keras

    card = (registry or ModelRegistry()).get(model_id)
    model = load_keras_model(card.model_path)
    try:
        trunk = model.get_layer(TRUNK_LAYER)
        normalization = model.get_layer(NORMALIZATION_LAYER)
        block13 = trunk.get_layer(BLOCK13_LAYER)
    except ValueError as error:
        raise UserError(
            f"model '{model_id}' is not an Xception model with the bundled layout: {error}"
        ) from None
    trunk_outputs = keras.Model(trunk.inputs, [block13.output, trunk.outputs[0]], name="trunk_features")
    image = keras.Input(shape=(*card.input_size, 3), name="image")
    block13_map, pooled = trunk_outputs(normalization(image))
    features = keras.Model(image, [block13_map, pooled], name="backbone_features")
    features.trainable = False
    return Backbone(card, model, features)
