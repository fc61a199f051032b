"""Hand-built tiny models whose evidence is known, for testing explanations.

The "quadrant" model sees 32×32 RGB (scaled to 0..1 by its card) and:

* class 1 ("lesion") has a logit that depends only on the RED in the
  top-left quadrant,
* class 0 ("skin") has a logit that depends only on the GREEN in the
  bottom-right quadrant.

Test images carry a bright red square top-left and a dimmer green square
bottom-right on grey skin, so class 1 is on top; a correct explanation of
class 1 peaks top-left and one of class 0 bottom-right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.hashing import sha256_path
from skindesk.core.modelcard import write_card

SIZE = 32
GAIN = 8.0  # logit per unit of mean detector response over a quadrant
CLASSES = [
    {"id": "skin", "name": "Skin", "malignant": False},
    {"id": "lesion", "name": "Lesion", "malignant": True},
]
SEX_METADATA = {
    "input_index": 1,
    "features": [{"field": "sex", "encoding": "one_hot", "categories": ["female", "male"]}],
}


def _detector_kernel() -> np.ndarray:
    # 1×1 detectors at the centre tap: red, green, brightness, nothing.
    kernel = np.zeros((3, 3, 3, 4), np.float32)
    kernel[1, 1, :, 0] = [1, -1, -1]
    kernel[1, 1, :, 1] = [-1, 1, -1]
    kernel[1, 1, :, 2] = [1 / 3] * 3
    return kernel


def _blur_kernel() -> np.ndarray:
    kernel = np.zeros((3, 3, 4, 4), np.float32)
    for channel in range(4):
        kernel[:, :, channel, channel] = 1 / 9
    return kernel


def _head_weights(extra_inputs: int = 0) -> list[np.ndarray]:
    grid = np.zeros((SIZE, SIZE, 4, 2), np.float32)
    half, cells = SIZE // 2, (SIZE // 2) ** 2
    grid[:half, :half, 0, 1] = GAIN / cells  # lesion <- red, top-left
    grid[half:, half:, 1, 0] = GAIN / cells  # skin <- green, bottom-right
    kernel = grid.reshape(-1, 2)
    if extra_inputs:
        meta = np.zeros((extra_inputs, 2), np.float32)
        meta[1, 0] = 3.0  # "male" raises the skin logit: visible pass-through
        kernel = np.concatenate([kernel, meta])
    return [kernel, np.zeros(2, np.float32)]


def _backbone(image: Any) -> Any:
    import keras

    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="detect")(image)
    return keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_last")(x)


def build_quadrant_model(nested: bool = False) -> Any:
    """The quadrant model; ``nested`` wraps the convolutions as a sub-model
    named ``backbone`` and adds a 2-value metadata input (sex, one-hot)."""
    import keras

    image = keras.Input((SIZE, SIZE, 3), name="image")
    if nested:
        inner_input = keras.Input((SIZE, SIZE, 3), name="backbone_image")
        backbone = keras.Model(inner_input, _backbone(inner_input), name="backbone")
        meta = keras.Input((2,), name="meta")
        x = keras.layers.Concatenate()([keras.layers.Flatten()(backbone(image)), meta])
        model = keras.Model(
            [image, meta], keras.layers.Dense(2, activation="softmax", name="head")(x)
        )
        layers = backbone
    else:
        x = keras.layers.Flatten()(_backbone(image))
        model = keras.Model(image, keras.layers.Dense(2, activation="softmax", name="head")(x))
        layers = model
    layers.get_layer("detect").set_weights([_detector_kernel(), np.zeros(4, np.float32)])
    layers.get_layer("conv_last").set_weights([_blur_kernel(), np.zeros(4, np.float32)])
    model.get_layer("head").set_weights(_head_weights(2 if nested else 0))
    return model


def randomize_weights(model: Any, seed: int = 0) -> None:
    """Replace every weight by Gaussian noise of the same scale (Adebayo et al.)."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        value = variable.numpy()
        scale = float(np.abs(value).max()) or 1.0
        variable.assign(rng.normal(0.0, scale, value.shape).astype(value.dtype))


def two_blob_image(height: int = 48, width: int = 64, seed: int = 0) -> np.ndarray:
    """Grey skin with a red square top-left and a dimmer green one bottom-right (uint8 RGB)."""
    rng = np.random.default_rng(seed)
    image = np.empty((height, width, 3), np.float32)
    image[:] = (128, 100, 100)
    image += rng.normal(0, 4, image.shape)
    h, w = height // 8, width // 8
    image[h : 3 * h, w : 3 * w] = (250, 20, 20)
    image[5 * h : 7 * h, 5 * w : 7 * w] = (20, 150, 20)
    return np.clip(image, 0, 255).astype(np.uint8)


def install(model: Any, folder: Path, model_id: str, **card: Any) -> Path:
    """Save ``model`` with a card into ``folder``; return the card path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "model.keras"
    model.save(target)
    data = {
        "schema_version": 1,
        "id": model_id,
        "name": f"Quadrant test model {model_id}",
        "file": target.name,
        "sha256": sha256_path(target),
        "input": {"size": [SIZE, SIZE], "preprocessing": "rescale"},
        "output": "softmax",
        "classes": CLASSES,
        "threshold": {"value": 0.5, "method": "test"},
        **card,
    }
    return write_card(data, folder)
