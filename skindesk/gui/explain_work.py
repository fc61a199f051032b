"""Heat maps for the Grad-CAM tab: what workers compute and how overlays are drawn (no Tk).

A :class:`Subject` is the image the model actually saw for a result (the
preprocessed one when the analysis used preprocessing), a smaller copy for
the screen and the lesion outline. Workers make subjects and explanations
through the service; the Tk thread then only blends the cached heat map
with the cached picture (:func:`render`), so opacity and colour-map changes
never recompute anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from skindesk.core.explain import render_overlay
from skindesk.core.preprocess import Pipeline

DISPLAY_MAX = 1024  # longest side of the on-screen copy
Contour = np.ndarray  # N×2 (x, y) points


@dataclass(frozen=True)
class Subject:
    """The image behind one result, ready to explain and draw.

    Attributes:
        result: The ``FileResult`` it belongs to (a new analysis makes a new subject).
        model_rgb: The image the model saw, full size.
        display_rgb: A copy at most :data:`DISPLAY_MAX` pixels wide or high.
        preprocessing: The pipeline's description, or "" when none was applied.
        outline: The lesion's contours in ``model_rgb`` pixels; None without one.
        box: The lesion's box (left, top, right, bottom) in ``model_rgb`` pixels.
        outline_note: Why there is no outline, when there is none.
    """

    result: Any
    model_rgb: np.ndarray
    display_rgb: np.ndarray
    preprocessing: str
    outline: tuple[Contour, ...] | None
    box: tuple[int, int, int, int] | None
    outline_note: str

    @property
    def display_scale(self) -> float:
        """Display pixels per model pixel."""
        return self.display_rgb.shape[1] / self.model_rgb.shape[1]


@dataclass(frozen=True)
class Shown:
    """One explanation with its heat map at the display copy's size."""

    explanation: Any
    display_heatmap: np.ndarray
    seconds: float


def make_subject(service: Any, result: Any, picture: Any) -> Subject:
    """The image the model saw for ``result`` (worker thread).

    Args:
        service: The analysis service.
        result: The ``FileResult``; its ``preprocessing`` record says what the model saw.
        picture: The full-size decoded picture (PIL), as the engine loads it.
    """
    rgb = np.asarray(picture.convert("RGB"))
    record = getattr(result, "preprocessing", None) or {}
    pipeline = Pipeline.from_dict(record["pipeline"]) if record.get("applied") else None
    model_rgb = service.model_input(rgb, pipeline)
    height, width = model_rgb.shape[:2]
    scale = min(1.0, DISPLAY_MAX / max(height, width))
    display = model_rgb if scale == 1 else cv2.resize(
        model_rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
        interpolation=cv2.INTER_AREA)
    outline, box, note = _outline(service, model_rgb)
    return Subject(result, model_rgb, display, record.get("description", "") if pipeline else "",
                   outline, box, note)


def _outline(service: Any, rgb: np.ndarray) -> tuple[tuple[Contour, ...] | None, Any, str]:
    """The lesion's contours and box from ``service.segment`` (a report dict), or why not."""
    segment = getattr(service, "segment", None)
    if segment is None:
        return None, None, "segmentation not available"
    report = segment(rgb)
    if not report.get("found"):
        return None, None, f"no lesion outline: {report.get('reason') or 'none found'}"
    mask = np.ascontiguousarray(report["_mask"], np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    simplified = tuple(
        cv2.approxPolyDP(c, 0.002 * cv2.arcLength(c, True), True).reshape(-1, 2)
        for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3])
    box = tuple(int(v) for v in report["box"]) if report.get("box") else None
    return simplified, box, ""


def explain(service: Any, subject: Subject, method: str, class_id: str) -> Shown:
    """Explain ``class_id`` in the subject's image with ``method`` (worker thread)."""
    started = time.perf_counter()
    explanation = service.explain(subject.model_rgb, method, class_id,
                                  subject.result.metadata)
    height, width = subject.display_rgb.shape[:2]
    heatmap: np.ndarray = np.asarray(explanation.heatmap, np.float32)
    if heatmap.shape != (height, width):
        heatmap = cv2.resize(heatmap, (width, height), interpolation=cv2.INTER_LINEAR)
    return Shown(explanation, heatmap, time.perf_counter() - started)


def render(subject: Subject, shown: Shown, colormap: str, opacity: float) -> np.ndarray:
    """The overlay at display size (fast enough for every slider step)."""
    return render_overlay(subject.display_rgb, shown.display_heatmap, colormap, opacity)


def render_full(subject: Subject, shown: Shown, colormap: str, opacity: float,
                with_outline: bool) -> np.ndarray:
    """The overlay on the full-size image, with the lesion outline when asked (for saving)."""
    picture = render_overlay(subject.model_rgb, shown.explanation.heatmap, colormap, opacity)
    if with_outline and subject.outline is not None:
        width = max(2, round(max(picture.shape[:2]) / 300))
        contours = [c.reshape(-1, 1, 2).astype(np.int32) for c in subject.outline]
        cv2.polylines(picture, contours, True, (0, 0, 0), width * 2, cv2.LINE_AA)
        cv2.polylines(picture, contours, True, (255, 255, 255), width, cv2.LINE_AA)
        if subject.box is not None:
            left, top, right, bottom = subject.box
            cv2.rectangle(picture, (left, top), (right - 1, bottom - 1), (255, 255, 255), width)
    return picture


TITLE_BAND = 28
GAP = 12


def side_by_side(pictures: list[np.ndarray], titles: list[str]) -> np.ndarray:
    """Overlays next to each other on white, each under its title (compare mode's saved PNG).

    One picture is returned as it is, so a single overlay keeps the image's own size.
    """
    if len(pictures) == 1:
        return pictures[0]
    from PIL import Image, ImageDraw

    height = max(p.shape[0] for p in pictures)
    band = max(TITLE_BAND, height // 16)
    width = sum(p.shape[1] for p in pictures) + GAP * (len(pictures) - 1)
    canvas = Image.new("RGB", (width, height + band), "white")
    draw = ImageDraw.Draw(canvas)
    left = 0
    for picture, title in zip(pictures, titles):
        canvas.paste(Image.fromarray(picture), (left, band))
        draw.text((left + 4, band // 4), title, fill=(20, 20, 20), font_size=max(12, band // 2))
        left += picture.shape[1] + GAP
    return np.asarray(canvas)
