"""Retraining the backbone's last block on cached block-13 maps (``"tune"`` in a recipe).

Fine-tuning the whole Xception on a 2-core CPU is out of reach, but its
last block (block 14: two separable convolutions, 4.7 M weights) runs on
the 8×8×1024 maps of block 13, which :mod:`features` caches once per
image and view. The recipe is the usual two-phase fine-tune:

1. the head is fitted on pooled features with block 14 frozen (as without
   tuning), so block 14 starts from a sensible classifier and not a random one;
2. block 14 and the head are then trained together at a low learning rate,
   with early stopping on validation loss. Batch normalisation keeps the
   backbone's statistics (frozen, inference mode), the standard choice when
   fine-tuning on a few thousand images.

The result is a "tail" model: block-13 map -> class logits. It is stored
like a head (``head.keras``), with the card's ``backbone.cut`` naming the
layer whose output it takes (see :mod:`skindesk.core.composite`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from skindesk.core.training.arrays import Arrays
from skindesk.core.training.backbone import BLOCK13_LAYER, TRUNK_LAYER

TAIL_NAME = "tuned_tail"


@dataclass(frozen=True)
class TuneConfig:
    """How the backbone's last block is retrained.

    ``cut`` is the trunk layer whose output the tail starts from (block 13's
    output); every trunk layer after it is copied into the tail. Those up to
    ``train_from`` stay frozen and run once per epoch-set, not per step (on a
    CPU the first separable convolution would otherwise double the cost);
    the rest train with the head. ``map_dropout`` drops whole channels of the
    map entering the trained layers: augmentation in feature space, as the
    cached maps are fixed.
    """

    cut: str = BLOCK13_LAYER
    train_from: str = "block14_sepconv2"
    learning_rate: float = 1e-4
    epochs: int = 8
    batch_size: int = 64
    patience: int = 2
    map_dropout: float = 0.1
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the model card."""
        return asdict(self)


def layers_after(trunk: Any, cut: str) -> list[Any]:
    """The trunk's layers after ``cut``, which must form a single chain.

    Raises:
        ValueError: ``cut`` is not a trunk layer, or a later layer branches.
    """
    names = [layer.name for layer in trunk.layers]
    if cut not in names:
        raise ValueError(f"the backbone has no layer '{cut}' to tune from")
    chain = trunk.layers[names.index(cut) + 1:]
    previous = cut
    for layer in chain:
        # Keras 3: a layer's first call is its node; its parents are the layers feeding it.
        inbound = [node.operation.name for node in layer._inbound_nodes[0].parent_nodes]
        if inbound != [previous]:
            raise ValueError(f"layer '{layer.name}' after '{cut}' does not follow '{previous}' alone")
        previous = layer.name
    return chain


def _copy(layer: Any) -> Any:
    """A fresh, unbuilt copy of ``layer`` (same name and config)."""
    import keras

    return keras.layers.deserialize(keras.layers.serialize(layer))


def _chain(layers: list[Any], x: Any) -> Any:
    """Call copies of ``layers`` in order, copying their weights; batch norms stay frozen."""
    for layer in layers:
        copy = _copy(layer)
        x = copy(x)
        copy.set_weights(layer.get_weights())
        if type(copy).__name__ == "BatchNormalization":
            copy.trainable = False  # the backbone's statistics, in inference mode
    return x


def _split(layers: list[Any], train_from: str) -> tuple[list[Any], list[Any]]:
    names = [layer.name for layer in layers]
    if train_from not in names:
        raise ValueError(f"'{train_from}' is not one of the tuned layers: {', '.join(names)}")
    index = names.index(train_from)
    return layers[:index], layers[index:]


def _model(layers: list[Any], input_shape: tuple[int, ...], name: str, head: Any = None,
           dropout: float = 0.0, seed: int = 0) -> Any:
    import keras

    inputs = keras.Input(input_shape, name=f"{name}_input")
    x = keras.layers.SpatialDropout2D(dropout, seed=seed, name="map_dropout")(inputs) if dropout else inputs
    x = _chain(layers, x)
    return keras.Model(inputs, head(x) if head is not None else x, name=name)


def _clone_head(head: Any) -> Any:
    import keras

    clone = keras.models.clone_model(head)
    clone.set_weights(head.get_weights())
    return clone


def fit_tail(source_model: Any, head: Any, train: Arrays, val: Arrays, config: TuneConfig,
             weights: np.ndarray, verbose: int = 0) -> tuple[Any, dict]:
    """Train the last block's layers from ``train_from`` on, with ``head``, on block-13 maps.

    ``weights`` holds each training row's loss weight (:func:`.head.sample_weights`).

    Returns the tail (block-13 map -> logits, a fresh graph with the weights of
    the epoch with the lowest validation loss) and the training history.
    """
    import keras

    keras.utils.set_random_seed(config.seed)
    trunk = source_model.get_layer(TRUNK_LAYER)
    frozen, trained = _split(layers_after(trunk, config.cut), config.train_from)
    cut_shape = tuple(trunk.get_layer(config.cut).output.shape[1:])
    prefix = _model(frozen, cut_shape, "frozen_prefix")
    train_maps, val_maps = (prefix.predict(a.features, batch_size=256, verbose=0) for a in (train, val))
    top = _model(trained, tuple(prefix.output.shape[1:]), "tuned_top", _clone_head(head),
                 config.map_dropout, config.seed)
    top.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience,
                                         restore_best_weights=True)
    history = top.fit(train_maps, train.labels, sample_weight=weights,
                      validation_data=(val_maps, val.labels), epochs=config.epochs,
                      batch_size=config.batch_size, shuffle=True, callbacks=[stop], verbose=verbose)
    tuned = [top.get_layer(layer.name) for layer in trained]
    tail = _model([*frozen, *tuned], cut_shape, TAIL_NAME, _clone_head(top.layers[-1]))
    return tail, history.history
