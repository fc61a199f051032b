"""Tiny Keras models with cards, built in tests so they don't need the 86 MB model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skindesk.core.hashing import sha256_path
from skindesk.core.modelcard import write_card

TINY_SIZE = 32


def build_tiny_model(output: str = "softmax", classes: int = 3, with_metadata: bool = False) -> Any:
    """A small conv net on 32×32 RGB; deterministic weights (seeded)."""
    import keras

    keras.utils.set_random_seed(1234)
    image = keras.Input((TINY_SIZE, TINY_SIZE, 3), name="image")
    x = keras.layers.Rescaling(1 / 255.0)(image)
    x = keras.layers.Conv2D(8, 3, activation="relu", name="conv1")(x)
    x = keras.layers.Conv2D(8, 3, activation="relu", name="conv_last")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    inputs = [image]
    if with_metadata:
        meta = keras.Input((3,), name="meta")
        inputs.append(meta)
        x = keras.layers.Concatenate()([x, meta])
    units, activation = (1, "sigmoid") if output == "sigmoid" else (classes, "softmax")
    out = keras.layers.Dense(units, activation=activation)(x)
    return keras.Model(inputs if with_metadata else image, out)


def tiny_card_data(model_file: Path, model_id: str = "tiny", **overrides: Any) -> dict[str, Any]:
    """A valid card for a tiny model saved at ``model_file``."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": model_id,
        "name": f"Tiny test model {model_id}",
        "file": model_file.name,
        "sha256": sha256_path(model_file),
        "input": {"size": [TINY_SIZE, TINY_SIZE], "preprocessing": "none"},
        "output": "softmax",
        "classes": [
            {"id": "nv", "name": "Naevus", "malignant": False},
            {"id": "mel", "name": "Melanoma", "malignant": True},
            {"id": "bcc", "name": "Basal cell carcinoma", "malignant": True},
        ],
        "threshold": {"value": 0.4, "method": "test"},
        "gradcam_layer": "conv_last",
    }
    data.update(overrides)
    return data


def install_tiny_model(folder: Path, model: Any, file_name: str = "model.keras",
                       model_id: str = "tiny", **card_overrides: Any) -> Path:
    """Save ``model`` into ``folder`` with a card; return the card path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file_name
    if file_name.endswith((".keras", ".h5")):
        model.save(target)
    else:
        model.export(target)  # SavedModel folder
    return write_card(tiny_card_data(target, model_id, **card_overrides), folder)
