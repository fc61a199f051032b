"""A fake analysis service: the real result types, a fixed answer, no TensorFlow."""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from skindesk.core.errors import ImageLoadError
from skindesk.core.explain import Explanation, method_names
from skindesk.core.imageio import load_image
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.modelcard import ModelCard, parse_card
from skindesk.core.prediction import Prediction
from skindesk.core.preprocess import Pipeline
from skindesk.core.service import FileResult, preprocessing_record
from skindesk.core.tfruntime import DeviceInfo

THRESHOLD = 0.27
CARD_DATA = {
    "id": "fake-model",
    "name": "Fake HAM10000 model",
    "version": "1.0",
    "file": "model.keras",
    "sha256": "0" * 64,
    "input": {"size": [64, 64], "preprocessing": "none"},
    "classes": [
        {"id": "akiec", "name": "Actinic keratosis / intraepithelial carcinoma", "malignant": True},
        {"id": "bcc", "name": "Basal cell carcinoma", "malignant": True},
        {"id": "bkl", "name": "Benign keratosis-like lesion"},
        {"id": "df", "name": "Dermatofibroma"},
        {"id": "mel", "name": "Melanoma", "malignant": True},
        {"id": "nv", "name": "Melanocytic nevus"},
        {"id": "vasc", "name": "Vascular lesion"},
    ],
    "threshold": {"value": THRESHOLD, "method": "melanoma sensitivity 0.90 (test card)",
                  "dataset": "a made-up validation set"},
    "training_data": "Nothing: this card belongs to a test double.",
    "reported_performance": {"accuracy": 0.8, "macro_recall": 0.7, "n": 100,
                             "dataset": "made up", "source": "tests/gui/fakes.py"},
    "intended_use": "Testing the GUI.",
    "limitations": ["Not a model."],
    "license": {"name": "MIT", "training_data_license": "none"},
    # Like the HAM10000 Xception's: the result depends on age, sex and site too.
    "metadata_input": {"input_index": 1, "features": [
        {"field": "age", "encoding": "scaled", "scale": 90.0, "missing": 50.0},
        {"field": "sex", "encoding": "one_hot", "categories": ["female", "male", "unknown"],
         "unknown": "unknown"},
        {"field": "site", "encoding": "one_hot", "categories": ["trunk", "unknown"], "unknown": "unknown",
         "map": {"back": "trunk", "chest": "trunk"}},
    ]},
}
#: The same model reading the image only, as the bundled default does.
IMAGE_ONLY_CARD_DATA = {key: value for key, value in CARD_DATA.items() if key != "metadata_input"}
PROBABILITIES = {"akiec": 0.03, "bcc": 0.05, "bkl": 0.08, "df": 0.02, "mel": 0.55, "nv": 0.25,
                 "vasc": 0.02}
P_MALIGNANT = 0.63  # akiec + bcc + mel
BLUR_WARNING = {"code": "blurred", "message": "The image looks blurred; the result may be unreliable."}


def fake_card(data: dict[str, Any] = CARD_DATA) -> ModelCard:
    """The fake model's card (threshold 0.27)."""
    return parse_card(dict(data), Path("/nonexistent/fake-model"))


class FakeEngine:
    """Loads in ``load_seconds``; runs on a pretend CPU."""

    def __init__(self, card: ModelCard, load_seconds: float) -> None:
        self.card = card
        self._load_seconds = load_seconds
        self._loaded = threading.Event()

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    def load(self) -> None:
        if not self._loaded.is_set():
            time.sleep(self._load_seconds)
            self._loaded.set()

    def device(self) -> DeviceInfo:
        return DeviceInfo("CPU", "CPU (2 threads)")


class FakeService:
    """Answers every readable image with :data:`PROBABILITIES` after ``delay`` seconds.

    Args:
        delay: Seconds per image, spent in the worker (half sleeping, half busy in Python
            so the GIL is contended as real work would).
        warn_for: File names whose result carries :data:`BLUR_WARNING`.
    """

    def __init__(self, delay: float = 0.3, load_seconds: float = 0.2,
                 warn_for: Iterable[str] = (), preprocess_delay: float = 0.1,
                 explain_delay: float = 0.2, card_data: dict[str, Any] = CARD_DATA) -> None:
        self.delay = delay
        self.warn_for = set(warn_for)
        self.preprocess_delay = preprocess_delay
        self.explain_delay = explain_delay
        self._card = fake_card(card_data)
        self._engine = FakeEngine(self._card, load_seconds)
        self.calls: list[tuple[list[str], PatientMetadata]] = []
        self.pipelines: list[Pipeline | None] = []  # the preprocessing of each predict call
        self.preprocess_calls: list[dict[str, Any]] = []
        self.explain_calls: list[tuple[str, str | int | None]] = []
        self.explained_images: list[np.ndarray] = []

    def card(self, model_id: str | None = None) -> ModelCard:
        return self._card

    def engine(self, model_id: str | None = None) -> FakeEngine:
        return self._engine

    def predict_files(self, paths: Iterable[str | Path], metadata: PatientMetadata = UNKNOWN,
                      model_id: str | None = None, on_progress=None,
                      cancel: threading.Event | None = None,
                      preprocessing: Pipeline | None = None) -> Iterator[FileResult]:
        self._engine.load()
        names = [str(p) for p in paths]
        self.calls.append((names, metadata))
        self.pipelines.append(preprocessing)
        for i, path in enumerate(names):
            if cancel is not None and cancel.is_set():
                return
            _work(self.delay)
            result = self._result(path, metadata)
            if result.ok:
                result.preprocessing = preprocessing_record(preprocessing)
            yield result
            if on_progress:
                on_progress(i + 1, len(names))

    def _result(self, path: str, metadata: PatientMetadata) -> FileResult:
        result = FileResult(path=path, metadata=metadata)
        try:
            image = load_image(path)
        except ImageLoadError as error:
            result.error = error.reason
            return result
        result.image_info = {"width": image.width, "height": image.height, "format": image.format}
        if Path(path).name in self.warn_for:
            result.warnings = [dict(BLUR_WARNING)]
        result.prediction = Prediction(
            probabilities=dict(PROBABILITIES), top_class="mel", malignant_probability=P_MALIGNANT,
            flagged=P_MALIGNANT >= THRESHOLD, threshold=THRESHOLD, model_id="fake-model",
            model_sha256="0" * 64, timings_ms={"prepare": 1.0, "inference": 2.0})
        return result


    # Preprocessing, explanations and segmentation: deterministic stand-ins ----------
    def preprocess_steps(self, rgb: np.ndarray, pipeline: Pipeline) -> list[tuple[Any, Any]]:
        self.preprocess_calls.append(pipeline.to_dict())
        _work(self.preprocess_delay)
        steps, image = [], rgb
        for step in pipeline.enabled_steps():
            image = fake_step(image, step)
            steps.append((step, image))
        return steps

    def model_input(self, rgb: np.ndarray, preprocessing: Pipeline | None) -> np.ndarray:
        image = rgb
        for step in preprocessing.enabled_steps() if preprocessing is not None else ():
            image = fake_step(image, step)
        return image

    def explain(self, rgb: np.ndarray, method: str = "gradcam", class_id: str | int | None = None,
                metadata: PatientMetadata = UNKNOWN, model_id: str | None = None,
                **options: Any) -> Explanation:
        self.explain_calls.append((method, class_id))
        self.explained_images.append(rgb)
        _work(self.explain_delay)
        class_id = str(class_id or "mel")
        heatmap, peak = fake_heatmap(rgb.shape[:2], f"{method}/{class_id}")
        return Explanation(heatmap=heatmap, method=method, method_name=method_names()[method],
                           class_id=class_id, class_index=self._card.class_ids.index(class_id),
                           probability=PROBABILITIES[class_id], peak=peak, layer="fake_conv",
                           model_id="fake-model")

    def segment(self, rgb: np.ndarray) -> dict[str, Any]:
        """Like ``SkinDeskService.segment``: an ellipse in the middle, as a report dict."""
        h, w = rgb.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w]
        inside = ((xx - w / 2) / (w * 0.25)) ** 2 + ((yy - h / 2) / (h * 0.25)) ** 2 <= 1
        box = [round(w / 4), round(h / 4), round(3 * w / 4) + 1, round(3 * h / 4) + 1]
        return {"width": w, "height": h, "found": True, "reason": "", "confidence": 0.9,
                "box": box, "_mask": inside.astype(np.uint8) * 255, "quality_warnings": []}


def fake_step(image: np.ndarray, step: Any) -> np.ndarray:
    """A stand-in for a step: a colour shift that depends on the step's settings."""
    seed = zlib.crc32(json.dumps(step.to_dict(), sort_keys=True).encode())
    shift = np.array([seed % 61 - 30, (seed >> 8) % 61 - 30, (seed >> 16) % 61 - 30])
    return np.clip(image.astype(np.int16) + shift, 0, 255).astype(np.uint8)


def fake_heatmap(shape: tuple[int, int], key: str) -> tuple[np.ndarray, tuple[int, int]]:
    """A round blob whose place depends on ``key`` (method and class)."""
    h, w = shape
    seed = zlib.crc32(key.encode())
    cx, cy = w * (0.3 + 0.4 * (seed % 101) / 100), h * (0.3 + 0.4 * ((seed >> 8) % 101) / 100)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    sigma = 0.18 * min(h, w)
    heatmap = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2)).astype(np.float32)
    return heatmap, (int(cx), int(cy))


def _work(seconds: float) -> None:
    """Sleep half of ``seconds`` and spend the other half computing in Python."""
    time.sleep(seconds / 2)
    end = time.perf_counter() + seconds / 2
    total = 0
    while time.perf_counter() < end:
        total += sum(range(1000))
