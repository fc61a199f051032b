"""A fake analysis service: the real result types, a fixed answer, no TensorFlow."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from skindesk.core.errors import ImageLoadError
from skindesk.core.imageio import load_image
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.modelcard import ModelCard, parse_card
from skindesk.core.prediction import Prediction
from skindesk.core.service import FileResult
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
}
PROBABILITIES = {"akiec": 0.03, "bcc": 0.05, "bkl": 0.08, "df": 0.02, "mel": 0.55, "nv": 0.25,
                 "vasc": 0.02}
P_MALIGNANT = 0.63  # akiec + bcc + mel
BLUR_WARNING = {"code": "blurred", "message": "The image looks blurred; the result may be unreliable."}


def fake_card() -> ModelCard:
    """The fake model's card (threshold 0.27)."""
    return parse_card(dict(CARD_DATA), Path("/nonexistent/fake-model"))


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
                 warn_for: Iterable[str] = ()) -> None:
        self.delay = delay
        self.warn_for = set(warn_for)
        self._card = fake_card()
        self._engine = FakeEngine(self._card, load_seconds)
        self.calls: list[tuple[list[str], PatientMetadata]] = []

    def card(self, model_id: str | None = None) -> ModelCard:
        return self._card

    def engine(self, model_id: str | None = None) -> FakeEngine:
        return self._engine

    def predict_files(self, paths: Iterable[str | Path], metadata: PatientMetadata = UNKNOWN,
                      model_id: str | None = None, on_progress=None,
                      cancel: threading.Event | None = None) -> Iterator[FileResult]:
        self._engine.load()
        names = [str(p) for p in paths]
        self.calls.append((names, metadata))
        for i, path in enumerate(names):
            if cancel is not None and cancel.is_set():
                return
            _work(self.delay)
            yield self._result(path, metadata)
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


def _work(seconds: float) -> None:
    """Sleep half of ``seconds`` and spend the other half computing in Python."""
    time.sleep(seconds / 2)
    end = time.perf_counter() + seconds / 2
    total = 0
    while time.perf_counter() < end:
        total += sum(range(1000))
