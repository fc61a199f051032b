"""Simulated dermoscopy artefacts: hair, skin-marker ink and rulers.

Clinics differ in what lies on top of the lesion: unshaved hair, the purple
surgical-marker rings some surgeons draw before excision, and the scale
rulers of some dermatoscopes. A model that learned "ink means melanoma"
from one clinic fails in the next, so the ``artefacts`` training view adds
them at random to images of every class. Sizes scale with the image's
shorter side, so an 84-pixel ISIC 2019 copy gets proportionate strokes.
"""

from __future__ import annotations

import cv2
import numpy as np

# Marker ink in RGB: the violet and blue of gentian-violet skin markers.
INK_COLOURS = ((98, 52, 140), (70, 60, 160), (120, 70, 170))


def _scale(rgb: np.ndarray) -> float:
    return min(rgb.shape[:2]) / 256.0


def _point(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    return np.array([rng.uniform(0, width), rng.uniform(0, height)])


def _bezier(start: np.ndarray, control: np.ndarray, end: np.ndarray, steps: int = 24) -> np.ndarray:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    curve = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t ** 2 * end
    return np.round(curve).astype(np.int32)


def add_hair(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """3–15 thin dark curved hairs, blended so they look like hair, not paint."""
    height, width = rgb.shape[:2]
    layer = rgb.copy()
    for _ in range(int(rng.integers(3, 16))):
        start, end = _point(rng, height, width), _point(rng, height, width)
        control = (start + end) / 2 + rng.normal(0, 0.15 * min(height, width), 2)
        shade = int(rng.integers(10, 70))
        colour = (shade + int(rng.integers(0, 25)), shade, max(0, shade - int(rng.integers(0, 15))))
        thickness = max(1, round(rng.uniform(0.8, 2.5) * _scale(rgb)))
        cv2.polylines(layer, [_bezier(start, control, end)], False, colour, thickness, cv2.LINE_AA)
    return _blend(rgb, layer, float(rng.uniform(0.7, 0.95)))


def add_ink(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A marker arc or a few dots near the edge of the field, in violet or blue."""
    height, width = rgb.shape[:2]
    layer = rgb.copy()
    colour = INK_COLOURS[int(rng.integers(len(INK_COLOURS)))]
    thickness = max(1, round(rng.uniform(3, 8) * _scale(rgb)))
    centre = (int(width / 2 + rng.normal(0, width / 10)), int(height / 2 + rng.normal(0, height / 10)))
    if rng.random() < 0.6:
        axes = (int(width * rng.uniform(0.38, 0.5)), int(height * rng.uniform(0.38, 0.5)))
        start = float(rng.uniform(0, 360))
        cv2.ellipse(layer, centre, axes, 0.0, start, start + float(rng.uniform(40, 160)), colour, thickness,
                    cv2.LINE_AA)
    else:
        for _ in range(int(rng.integers(1, 5))):
            angle = rng.uniform(0, 2 * np.pi)
            radius = rng.uniform(0.35, 0.48)
            dot = (int(width / 2 + np.cos(angle) * radius * width), int(height / 2 + np.sin(angle) * radius * height))
            cv2.circle(layer, dot, thickness, colour, -1, cv2.LINE_AA)
    return _blend(rgb, layer, float(rng.uniform(0.55, 0.9)))


def add_ruler(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A scale along one edge: a light or dark band with long and short ticks."""
    turns = int(rng.integers(4))  # paint along the top of a turned image: any of the four edges
    out = np.ascontiguousarray(np.rot90(rgb, turns))
    rows, cols = out.shape[:2]
    band = max(3, int(rows * rng.uniform(0.06, 0.12)))
    light = rng.random() < 0.5
    colour = (235, 235, 230) if light else (25, 25, 25)
    tick_colour = (20, 20, 20) if light else (230, 230, 230)
    layer = out.copy()
    layer[:band] = colour
    spacing = max(3, int(cols * rng.uniform(0.025, 0.05)))
    width_px = max(1, round(_scale(rgb)))
    for index, x in enumerate(range(int(rng.integers(0, spacing)), cols, spacing)):
        length = band if index % 5 == 0 else band // 2
        cv2.line(layer, (x, 0), (x, length - 1), tick_colour, width_px)
    blended = _blend(out, layer, float(rng.uniform(0.75, 1.0)))
    return np.ascontiguousarray(np.rot90(blended, -turns))


def _blend(original: np.ndarray, painted: np.ndarray, opacity: float) -> np.ndarray:
    return cv2.addWeighted(painted, opacity, original, 1.0 - opacity, 0.0)


def add_artefacts(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """At least one of hair (60%), ink (35%) and a ruler (30%), in that order."""
    chosen = [rng.random() < 0.6, rng.random() < 0.35, rng.random() < 0.3]
    if not any(chosen):
        chosen[int(rng.integers(3))] = True
    out = rgb
    for add, wanted in zip((add_hair, add_ink, add_ruler), chosen):
        if wanted:
            out = add(out, rng)
    return out
