"""Decoding in worker threads, inference in batches, memory bounded.

A pool of worker threads looks at each file's content, decodes it,
optionally preprocesses it and prepares the model input (all NumPy, OpenCV
and Pillow, which release the GIL). The inference thread (the one iterating
:meth:`BatchPipeline.run`) takes the prepared images in file order and runs
the model on full batches. Between them sits a bounded window of
``workers + queue_size`` submitted files: while the model works on one batch
the workers prepare the next, so the model does not wait for the disk, and
no more than ``workers + queue_size + batch_size`` decoded images ever exist
at once, however large the folder.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from skindesk.core.batch.discovery import Found, classify
from skindesk.core.batch.items import FAILED, OK, SKIPPED, ScanItem
from skindesk.core.batch.quality_hook import QualityCheck, default_quality_check
from skindesk.core.errors import ImageLoadError
from skindesk.core.imageio import load_image
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.modelcard import ModelCard
from skindesk.core.prediction import build_prediction
from skindesk.core.preprocess import Pipeline, PreprocessingError

log = logging.getLogger(__name__)

# A run of failures is handed on without waiting for a full batch of images.
_MAX_CHUNK_FACTOR = 4


class BatchEngine(Protocol):
    """What the pipeline needs of an engine (:class:`InferenceEngine` has it)."""

    card: ModelCard
    batch_size: int

    def prepare(self, rgb: np.ndarray) -> np.ndarray: ...

    def predict_prepared(
        self, images: np.ndarray, metadata: Sequence[PatientMetadata] | None = None
    ) -> np.ndarray: ...


@dataclass
class _Prepared:
    """A worker's output: a model input, or a final item when it failed."""

    found: Found
    image: np.ndarray | None = None
    item: ScanItem | None = None
    image_info: dict[str, Any] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    prepare_ms: float = 0.0


def default_workers() -> int:
    """Decoding threads: one per core, at least 2, at most 8."""
    return max(2, min(8, os.cpu_count() or 1))


class BatchPipeline:
    """Turns a stream of files into batches of :class:`ScanItem`, in file order.

    Args:
        engine: The model to run (an :class:`InferenceEngine`).
        metadata: Patient metadata given to the model for every image.
        preprocessing: Run on each decoded image before the model input is
            prepared; None for none.
        workers: Decoding threads (default :func:`default_workers`).
        queue_size: Files prepared ahead of the model (default 2 batches).
        quality_check: ``rgb -> warnings``; default: the app's image-quality
            checks when installed.
    """

    def __init__(
        self,
        engine: BatchEngine,
        *,
        metadata: PatientMetadata = UNKNOWN,
        preprocessing: Pipeline | None = None,
        workers: int | None = None,
        queue_size: int | None = None,
        quality_check: QualityCheck | None = None,
    ) -> None:
        self.engine = engine
        self.metadata = metadata
        self.preprocessing = preprocessing
        self.workers = max(1, workers or default_workers())
        self.batch_size = max(1, engine.batch_size)
        self.queue_size = max(0, 2 * self.batch_size if queue_size is None else queue_size)
        self.quality_check = quality_check or default_quality_check()
        self.cancelled = False
        """Whether the last :meth:`run` stopped early because ``cancel`` was set."""

    @property
    def max_in_flight(self) -> int:
        """The most decoded images that can exist at once."""
        return self.workers + self.queue_size + self.batch_size

    def run(
        self, files: Iterable[Found | ScanItem], cancel: threading.Event | None = None
    ) -> Iterator[list[ScanItem]]:
        """Analyse ``files``, yielding their items in order, a chunk at a time.

        An entry that is already a :class:`ScanItem` (a result from an earlier
        run) passes through unchanged, in its place.

        Stops before the next file once ``cancel`` is set (and sets
        :attr:`cancelled`); the chunk being collected then is dropped, so
        nothing in it is reported as done.
        """
        window: deque[Future[_Prepared]] = deque()
        pending = iter(files)
        chunk: list[_Prepared] = []
        self.cancelled = False
        executor = ThreadPoolExecutor(self.workers, thread_name_prefix="scan-prepare")
        try:
            while self._fill(window, pending, executor):
                if cancel is not None and cancel.is_set():
                    self.cancelled = True
                    return
                chunk.append(window.popleft().result())
                if self._chunk_ready(chunk):
                    yield self._finish(chunk)
                    chunk = []
            if chunk:
                yield self._finish(chunk)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    def _fill(
        self,
        window: deque[Future[_Prepared]],
        pending: Iterator[Found | ScanItem],
        executor: ThreadPoolExecutor,
    ) -> bool:
        """Submit files until the window is full; False when nothing is left."""
        while len(window) < self.workers + self.queue_size:
            entry = next(pending, None)
            if entry is None:
                break
            if isinstance(entry, ScanItem):
                window.append(_done(_Prepared(Found(entry.path, entry.relpath), item=entry)))
            else:
                window.append(executor.submit(self._prepare, entry))
        return bool(window)

    def _chunk_ready(self, chunk: list[_Prepared]) -> bool:
        images = sum(p.image is not None for p in chunk)
        if images >= self.batch_size:
            return True
        return len(chunk) >= (_MAX_CHUNK_FACTOR if images else 1) * self.batch_size

    def _prepare(self, found: Found) -> _Prepared:
        """Worker: classify, decode, check, preprocess and prepare one file."""
        started = time.perf_counter()
        found = classify(found)
        if not found.is_image:
            status = SKIPPED if _harmless(found) else FAILED
            return _Prepared(found, item=ScanItem(found.path, found.relpath, status, found.reason))
        try:
            return self._prepare_image(found, started)
        except ImageLoadError as error:
            reason = error.reason
        except PreprocessingError as error:
            reason = f"preprocessing failed: {error}"
        except Exception as error:  # one bad file must not stop the scan
            log.exception("unexpected error preparing %s", found.path)
            reason = f"internal error: {error}"
        return _Prepared(found, item=ScanItem(found.path, found.relpath, FAILED, reason))

    def _prepare_image(self, found: Found, started: float) -> _Prepared:
        loaded = load_image(found.path)
        warnings = self.quality_check(loaded.rgb) if self.quality_check else []
        rgb = self.preprocessing.run(loaded.rgb) if self.preprocessing else loaded.rgb
        image = self.engine.prepare(rgb)
        info = {"width": loaded.width, "height": loaded.height, "format": loaded.format}
        elapsed = (time.perf_counter() - started) * 1000
        return _Prepared(found, image, None, info, warnings, elapsed)

    def _finish(self, chunk: list[_Prepared]) -> list[ScanItem]:
        """Run the model on the chunk's images; its items in order."""
        ready = [p for p in chunk if p.image is not None]
        predictions: dict[int, Any] = {}
        if ready:
            started = time.perf_counter()
            batch = np.stack([p.image for p in ready if p.image is not None])
            raw = self.engine.predict_prepared(batch, [self.metadata] * len(ready))
            inference_ms = (time.perf_counter() - started) * 1000 / len(ready)
            card = self.engine.card
            for prepared, row in zip(ready, raw):
                timings = {"prepare": prepared.prepare_ms, "inference": inference_ms}
                predictions[id(prepared)] = build_prediction(row, card, timings)
        return [p.item or _ok_item(p, predictions[id(p)]) for p in chunk]


_HARMLESS_REASONS = ("not an image (unrecognised content)", "empty file (0 bytes)")


def _harmless(found: Found) -> bool:
    """A non-image that does not pretend to be one (``notes.txt``) is skipped, not failed."""
    return not found.named_like_image and found.reason in _HARMLESS_REASONS


def _done(prepared: _Prepared) -> Future[_Prepared]:
    future: Future[_Prepared] = Future()
    future.set_result(prepared)
    return future


def _ok_item(prepared: _Prepared, prediction: Any) -> ScanItem:
    found = prepared.found
    return ScanItem(
        found.path, found.relpath, OK, None, prediction, prepared.image_info, prepared.warnings
    )
