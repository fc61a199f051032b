"""The classifier head trained on cached backbone features."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from skindesk.core.training.arrays import Arrays


@dataclass(frozen=True)
class HeadConfig:
    """How the head is built and fitted.

    ``hidden`` = 0 gives a linear (multinomial logistic) head.
    ``class_weight``: see :func:`sample_weights` ("balanced": rare malignant
    classes count as much as naevi).
    """

    hidden: int = 256
    dropout: float = 0.4
    l2: float = 1e-4
    learning_rate: float = 1e-3
    epochs: int = 80
    batch_size: int = 128
    patience: int = 10
    class_weight: str = "balanced"
    use_metadata: bool = False
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the model card."""
        return asdict(self)


CLASS_WEIGHTS = ("balanced", "none", "source-balanced")


def class_weights(labels: np.ndarray, classes: int, mode: str) -> np.ndarray:
    """Per-class loss weights ("balanced" or "none"); absent classes get 0."""
    if mode == "none":
        return np.ones(classes, dtype=np.float32)
    if mode != "balanced":
        raise ValueError(f"unknown class weighting {mode!r}")
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    weights = np.where(counts > 0, len(labels) / (np.count_nonzero(counts) * np.maximum(counts, 1)), 0.0)
    return weights.astype(np.float32)


def sample_weights(labels: np.ndarray, sources: np.ndarray, classes: int, mode: str) -> np.ndarray:
    """Each training row's loss weight (mean 1) for a ``class_weight`` mode.

    "none": all 1. "balanced": each class weighs the same over all sources.
    "source-balanced": within each source every class it has weighs the same
    (n_s / (K_s · n_s,c)) and each source keeps its share of the rows. With
    per-class caps, sources otherwise differ in class mix (melanoma:naevus
    0.27 in ISIC 2017 train, 0.75 in capped HAM10000, 1.0 in capped ISIC
    2019), and a
    network that can tell the sources apart learns a higher melanoma prior for
    some, so one threshold flags far more of their benign lesions.
    """
    if mode != "source-balanced":
        return class_weights(labels, classes, mode)[labels]
    weights = np.zeros(len(labels), np.float64)
    for source in np.unique(sources):
        in_source = sources == source
        present = np.unique(labels[in_source])
        for label in present:
            cell = in_source & (labels == label)
            weights[cell] = in_source.sum() / (len(present) * cell.sum())
    return weights.astype(np.float32)


def build_head(feature_width: int, metadata_width: int, classes: int, config: HeadConfig) -> Any:
    """A Keras model: pooled features (and metadata) -> class logits."""
    import keras

    regulariser = keras.regularizers.L2(config.l2)
    features = keras.Input((feature_width,), name="features")
    inputs = [features]
    x = keras.layers.Dropout(config.dropout, seed=config.seed)(features)
    if metadata_width:
        metadata = keras.Input((metadata_width,), name="metadata")
        inputs.append(metadata)
        x = keras.layers.Concatenate()([x, metadata])
    if config.hidden:
        x = keras.layers.Dense(config.hidden, activation="relu", kernel_regularizer=regulariser)(x)
        x = keras.layers.Dropout(config.dropout, seed=config.seed + 1)(x)
    logits = keras.layers.Dense(classes, kernel_regularizer=regulariser, name="logits")(x)
    return keras.Model(inputs, logits, name="head")


def _inputs(arrays: Arrays, use_metadata: bool) -> list[np.ndarray]:
    return [arrays.features, arrays.metadata] if use_metadata else [arrays.features]


def fit_head(train: Arrays, val: Arrays, classes: int, config: HeadConfig, verbose: int = 0) -> tuple[Any, dict]:
    """Fit a head with early stopping on validation loss; returns (model, history).

    The weights kept are those of the epoch with the lowest validation loss.
    """
    import keras

    keras.utils.set_random_seed(config.seed)
    metadata_width = train.metadata.shape[1] if config.use_metadata else 0
    model = build_head(train.features.shape[1], metadata_width, classes, config)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    weights = sample_weights(train.labels, train.sources, classes, config.class_weight)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience,
                                         restore_best_weights=True)
    history = model.fit(_inputs(train, config.use_metadata), train.labels, sample_weight=weights,
                        validation_data=(_inputs(val, config.use_metadata), val.labels),
                        epochs=config.epochs, batch_size=config.batch_size, shuffle=True,
                        callbacks=[stop], verbose=verbose)
    return model, history.history


def head_logits(model: Any, arrays: Arrays, use_metadata: bool) -> np.ndarray:
    """Logits of ``model`` for every row of ``arrays``."""
    return np.asarray(model.predict(_inputs(arrays, use_metadata), batch_size=512, verbose=0))
