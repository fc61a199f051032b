"""A smoke prediction: the installed model must give sane probabilities."""

from __future__ import annotations

import math
import time
from typing import Any

import cv2
import numpy as np

from skindesk.core.engine import InferenceEngine
from skindesk.core.errors import ModelError
from skindesk.core.modelcard import ModelCard


def synthetic_lesion(height: int, width: int) -> np.ndarray:
    """A brown ellipse on skin-coloured background, as RGB uint8."""
    rgb = np.full((height, width, 3), (205, 160, 140), np.uint8)
    centre, axes = (width // 2, height // 2), (max(width // 4, 1), max(height // 5, 1))
    cv2.ellipse(rgb, centre, axes, 20, 0, 360, (95, 55, 40), -1)
    return rgb


def smoke_test(card: ModelCard) -> dict[str, Any]:
    """Predict one generated image through the real engine (load, verify, prepare).

    Raises:
        ModelError: The probabilities are not finite, outside [0, 1] or do
            not sum to 1 (wrong output kind, or logits).
    """
    height, width = card.input_size
    engine = InferenceEngine(card, batch_size=1)
    started = time.perf_counter()
    prediction = engine.predict([synthetic_lesion(height * 2, width * 2)])[0]
    probabilities = list(prediction.probabilities.values())
    total = sum(probabilities)
    sane = all(math.isfinite(p) and -1e-6 <= p <= 1 + 1e-6 for p in probabilities)
    if not sane or abs(total - 1.0) > 1e-3:
        raise ModelError(
            f"smoke prediction of '{card.id}' gave {prediction.probabilities} (sum {total:.4f}); "
            "expected probabilities summing to 1"
        )
    return {
        "probabilities": {k: round(v, 6) for k, v in prediction.probabilities.items()},
        "malignant_probability": round(prediction.malignant_probability, 6),
        "seconds": round(time.perf_counter() - started, 2),
    }
