"""The one service object between front ends (GUI, CLI) and the engine.

Front ends never touch TensorFlow: they ask the service to analyse files
and get plain result objects back. Engines are created per model and kept,
so a model is loaded once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skindesk import __version__
from skindesk.core.engine import InferenceEngine
from skindesk.core.errors import ImageLoadError
from skindesk.core.imageio import LoadedImage, load_image
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.modelcard import ModelCard
from skindesk.core.prediction import Prediction
from skindesk.core.registry import ModelRegistry

ProgressCallback = Callable[[int, int], None]

# One engine per model file per process, shared by every service instance,
# so the model is loaded once however many front ends ask for it.
_ENGINES: dict[tuple[str, str, str], InferenceEngine] = {}
_ENGINES_LOCK = threading.Lock()


@dataclass
class FileResult:
    """The outcome for one file: a prediction, or the reason it failed."""

    path: str
    prediction: Prediction | None = None
    error: str | None = None
    image_info: dict[str, Any] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    metadata: PatientMetadata = UNKNOWN

    @property
    def ok(self) -> bool:
        """True when the file was analysed."""
        return self.prediction is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the ``predict --json`` line for this file."""
        if self.prediction is None:
            return {"path": self.path, "error": self.error}
        return {
            "path": self.path,
            **self.prediction.to_dict(),
            "warnings": self.warnings,
            "image": self.image_info,
            "metadata": self.metadata.to_dict(),
            "app_version": __version__,
        }


class SkinDeskService:
    """Analysis services shared by the GUI and the CLI."""

    def __init__(self, registry: ModelRegistry | None = None) -> None:
        self.registry = registry or ModelRegistry()

    def card(self, model_id: str | None = None) -> ModelCard:
        """The card of a model (the default when None)."""
        return self.registry.get(model_id)

    def engine(self, model_id: str | None = None) -> InferenceEngine:
        """The (lazily loading) engine of a model; one per model per process."""
        card = self.registry.get(model_id)
        key = (card.id, card.sha256, str(card.model_path))
        with _ENGINES_LOCK:
            if key not in _ENGINES:
                _ENGINES[key] = InferenceEngine(card)
            return _ENGINES[key]

    def predict_files(
        self,
        paths: Iterable[str | Path],
        metadata: PatientMetadata = UNKNOWN,
        model_id: str | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[FileResult]:
        """Analyse image files in batches, yielding one result per file in order.

        A file that cannot be read yields a result with ``error`` set; the
        rest go on. Stops early (after the current batch) when ``cancel`` is set.
        """
        engine = self.engine(model_id)
        all_paths = [str(p) for p in paths]
        done = 0
        for start in range(0, len(all_paths), engine.batch_size):
            if cancel is not None and cancel.is_set():
                return
            chunk = all_paths[start : start + engine.batch_size]
            yield from self._predict_chunk(engine, chunk, metadata)
            done += len(chunk)
            if on_progress:
                on_progress(done, len(all_paths))

    def _predict_chunk(
        self, engine: InferenceEngine, chunk: list[str], metadata: PatientMetadata
    ) -> list[FileResult]:
        results = [FileResult(path=p, metadata=metadata) for p in chunk]
        loaded: list[tuple[FileResult, LoadedImage]] = []
        for result in results:
            try:
                image = load_image(result.path)
            except ImageLoadError as error:
                result.error = error.reason
                continue
            result.image_info = {"width": image.width, "height": image.height, "format": image.format}
            loaded.append((result, image))
        if loaded:
            predictions = engine.predict([img.rgb for _, img in loaded], metadata)
            for (result, _), prediction in zip(loaded, predictions):
                result.prediction = prediction
        return results
