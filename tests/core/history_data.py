"""Small generated images and model results for the history tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np

from skindesk.core.history import AnalysisInput


def write_image(path: Path, seed: int, size: int = 24) -> Path:
    """A small PNG whose content depends on ``seed`` (so each seed has its own sha256)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    ok, data = cv2.imencode(".png", pixels)
    assert ok
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.tobytes())
    return path


def result(p_malignant: float = 0.3, model_id: str = "test-model", **changes) -> AnalysisInput:
    """A model result as save_analysis takes it."""
    base = AnalysisInput(
        model_id=model_id,
        model_sha256="0" * 64,
        probabilities={"mel": p_malignant, "nv": 1.0 - p_malignant},
        top_class="mel" if p_malignant >= 0.5 else "nv",
        malignant_probability=p_malignant,
        threshold=0.4,
        flagged=p_malignant >= 0.4,
        warnings=[{"code": "small", "message": "image is small"}],
    )
    return dataclasses.replace(base, **changes)


def measurements(diameter_mm: float, colours: int) -> dict:
    """Measurements shaped like LesionMeasurements.to_dict()."""
    return {
        "max_diameter_mm": diameter_mm,
        "area_mm2": round(3.14159 * (diameter_mm / 2) ** 2, 3),
        "colours": ["light brown", "dark brown", "black", "blue-gray", "red", "white"][:colours],
    }
