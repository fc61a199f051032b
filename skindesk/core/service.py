"""The one service object between front ends (GUI, CLI) and the engine.

Front ends never touch TensorFlow: they ask the service to analyse files
and get plain result objects back. Engines are created per model and kept,
so a model is loaded once per process.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skindesk import __version__
from skindesk.core.engine import InferenceEngine
from skindesk.core.errors import ImageLoadError
from skindesk.core.imageio import LoadedImage, load_image
from skindesk.core.lesion import analyse_lesion
from skindesk.core.memory import return_freed_memory
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.modelcard import ModelCard
from skindesk.core.prediction import Prediction
from skindesk.core.preprocess import Pipeline
from skindesk.core.quality import check_quality
from skindesk.core.registry import ModelRegistry

ProgressCallback = Callable[[int, int], None]
log = logging.getLogger(__name__)


class EngineCache:
    """The engines of the models used most recently, one per model file.

    A card edited since (a new threshold) replaces the cached engine's card.
    Only ``capacity`` engines are kept (the least recently used goes first),
    because each holds a loaded network and its traced Grad-CAM graph: a
    workstation open all day on which the clinician tries several models
    would otherwise keep every one of them in memory. A job still running on
    an evicted engine keeps it alive until the job ends. ``capacity=None``
    keeps every engine (for light proxies with nothing loaded).
    """

    def __init__(self, capacity: int | None = 2) -> None:
        if capacity is not None and capacity < 1:
            raise ValueError("an engine cache must hold at least one engine")
        self.capacity = capacity
        self._engines: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, card: ModelCard, create: Callable[[ModelCard], Any]) -> Any:
        """The engine of ``card``'s model file, made with ``create(card)`` the first time."""
        key = (card.id, card.sha256, str(card.model_path))
        with self._lock:
            engine = self._engines.get(key)
            released = 0
            if engine is None:
                engine = self._engines[key] = create(card)
                released = self._evict_beyond_capacity()
            elif engine.card != card:
                engine.card = card  # the edited card counts from now on
            self._engines.move_to_end(key)
        if released:  # outside the lock: a collection can take a moment
            return_freed_memory()
        return engine

    def __len__(self) -> int:
        return len(self._engines)

    def _evict_beyond_capacity(self) -> int:
        released = 0
        while self.capacity is not None and len(self._engines) > self.capacity:
            key, _ = self._engines.popitem(last=False)
            log.info("engine of %s released (least recently used)", key[0])
            released += 1
        return released


# Shared by every service instance, so a model is loaded once per process
# however many front ends ask for it.
_ENGINES = EngineCache()


@dataclass
class FileResult:
    """The outcome for one file: a prediction, or the reason it failed."""

    path: str
    prediction: Prediction | None = None
    error: str | None = None
    image_info: dict[str, Any] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    metadata: PatientMetadata = UNKNOWN
    preprocessing: dict[str, Any] | None = None
    lesion: dict[str, Any] | None = None

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
            "preprocessing": self.preprocessing or {"applied": False},
            **({"lesion": self.lesion} if self.lesion is not None else {}),
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
        return _ENGINES.get(self.registry.get(model_id), InferenceEngine)

    def predict_files(
        self,
        paths: Iterable[str | Path],
        metadata: PatientMetadata = UNKNOWN,
        model_id: str | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        preprocessing: Pipeline | None = None,
        segment: bool = False,
        pixel_spacing: float | None = None,
    ) -> Iterator[FileResult]:
        """Analyse image files in batches, yielding one result per file in order.

        A file that cannot be read yields a result with ``error`` set; the
        rest go on. Stops early (after the current batch) when ``cancel`` is set.
        With ``preprocessing``, each image goes through that pipeline before
        the model, and the result records the pipeline. Every result carries
        image-quality warnings; with ``segment``, also the lesion's outline box
        and measurements (millimetres when ``pixel_spacing`` is given).
        """
        options = _ChunkOptions(metadata, preprocessing, segment, pixel_spacing)
        engine = self.engine(model_id)
        all_paths = [str(p) for p in paths]
        done = 0
        for start in range(0, len(all_paths), engine.batch_size):
            if cancel is not None and cancel.is_set():
                return
            chunk = all_paths[start : start + engine.batch_size]
            yield from self._predict_chunk(engine, chunk, options)
            done += len(chunk)
            if on_progress:
                on_progress(done, len(all_paths))

    def _predict_chunk(
        self, engine: InferenceEngine, chunk: list[str], options: _ChunkOptions
    ) -> list[FileResult]:
        results = [FileResult(path=p, metadata=options.metadata) for p in chunk]
        loaded: list[tuple[FileResult, LoadedImage]] = []
        for result in results:
            try:
                image = load_image(result.path)
            except ImageLoadError as error:
                result.error = error.reason
                continue
            result.image_info = {"width": image.width, "height": image.height, "format": image.format}
            _describe_image(result, image.rgb, options)
            loaded.append((result, image))
        if loaded:
            rgbs = [self.model_input(img.rgb, options.preprocessing) for _, img in loaded]
            predictions = engine.predict(rgbs, options.metadata)
            for (result, _), prediction in zip(loaded, predictions):
                result.prediction = prediction
                result.preprocessing = preprocessing_record(options.preprocessing)
        return results

    @staticmethod
    def model_input(rgb: Any, preprocessing: Pipeline | None) -> Any:
        """The image the model sees: ``rgb``, or its preprocessed version."""
        return preprocessing.run(rgb) if preprocessing is not None else rgb

    def preprocess_steps(self, rgb: Any, pipeline: Pipeline) -> list[tuple[Any, Any]]:
        """Run a pipeline keeping every step's result: [(step, image), ...]."""
        return pipeline.run(rgb, keep_intermediates=True)

    def explain(
        self,
        rgb: Any,
        method: str = "gradcam",
        class_id: str | int | None = None,
        metadata: PatientMetadata = UNKNOWN,
        model_id: str | None = None,
        **options: Any,
    ) -> Any:
        """Explain one image (the model's input image) with a registry method.

        Returns an :class:`~skindesk.core.explain.Explanation` whose heat map
        has the size of ``rgb``.
        """
        from skindesk.core.explain.api import explain_images

        engine = self.engine(model_id)
        return explain_images(engine, [rgb], method, class_id, metadata, **options)[0]

    def segment(self, rgb: Any, pixel_spacing: float | None = None) -> dict[str, Any]:
        """The lesion's mask (under ``"_mask"``), box, measurements and quality warnings."""
        return analyse_lesion(rgb, pixel_spacing)


@dataclass(frozen=True)
class _ChunkOptions:
    metadata: PatientMetadata
    preprocessing: Pipeline | None
    segment: bool
    pixel_spacing: float | None


def _describe_image(result: FileResult, rgb: Any, options: _ChunkOptions) -> None:
    """Quality warnings (always) and the lesion's outline and measurements (if asked)."""
    if options.segment:
        report = analyse_lesion(rgb, options.pixel_spacing)
        report.pop("_mask")
        result.warnings = report.pop("quality_warnings")
        result.lesion = report
    else:
        result.warnings = [w.to_dict() for w in check_quality(rgb)]


def preprocessing_record(pipeline: Pipeline | None) -> dict[str, Any]:
    """What a stored result says about preprocessing: applied or not, and which."""
    if pipeline is None or not pipeline.enabled_steps():
        return {"applied": False}
    return {
        "applied": True,
        "pipeline": pipeline.to_dict(),
        "description": pipeline.describe(),
        "fingerprint": pipeline.fingerprint(),
    }
