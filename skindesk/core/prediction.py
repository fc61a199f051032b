"""The result of running a model on one image."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skindesk.core.modelcard import ModelCard


@dataclass(frozen=True)
class Prediction:
    """One image's model output, read through the model's card.

    Attributes:
        probabilities: class id -> probability, in the model's class order.
        top_class: the most probable class id.
        malignant_probability: P(malignant), the sum over malignant classes
            (or the sigmoid output of a binary model).
        flagged: whether P(malignant) is at or above the card's threshold.
        threshold: the card's operating threshold.
        model_id, model_sha256: which model produced it.
        timings_ms: where the time went ('prepare', 'inference').
    """

    probabilities: dict[str, float]
    top_class: str
    malignant_probability: float
    flagged: bool
    threshold: float
    model_id: str
    model_sha256: str
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; probabilities rounded to 6 decimals."""
        return {
            "model": {"id": self.model_id, "sha256": self.model_sha256},
            "probabilities": {k: round(v, 6) for k, v in self.probabilities.items()},
            "top_class": self.top_class,
            "malignant_probability": round(self.malignant_probability, 6),
            "flagged": self.flagged,
            "threshold": self.threshold,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


def class_probabilities(raw: np.ndarray, card: ModelCard) -> np.ndarray:
    """Turn one raw output row into probabilities over the card's classes."""
    row = np.asarray(raw, dtype=np.float64).reshape(-1)
    if card.output == "sigmoid":
        if row.size != 1:
            raise ValueError(f"a sigmoid model should output 1 value, not {row.size}")
        positive = float(row[0])
        # Two classes: the malignant one gets the sigmoid output.
        return np.array([positive if c.malignant else 1.0 - positive for c in card.classes])
    if row.size != len(card.classes):
        raise ValueError(f"model outputs {row.size} values but its card lists {len(card.classes)}")
    return row


def build_prediction(raw: np.ndarray, card: ModelCard, timings_ms: dict[str, float]) -> Prediction:
    """Read one raw output row through ``card`` into a :class:`Prediction`."""
    probs = class_probabilities(raw, card)
    malignant = float(sum(p for p, c in zip(probs, card.classes) if c.malignant))
    malignant = min(max(malignant, 0.0), 1.0)
    return Prediction(
        probabilities={c.id: float(p) for c, p in zip(card.classes, probs)},
        top_class=card.classes[int(np.argmax(probs))].id,
        malignant_probability=malignant,
        flagged=malignant >= card.threshold.value,
        threshold=card.threshold.value,
        model_id=card.id,
        model_sha256=card.sha256,
        timings_ms=dict(timings_ms),
    )
