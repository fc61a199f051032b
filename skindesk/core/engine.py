"""The inference engine: one loaded model, predicting in batches.

The engine loads lazily, once (thread-safe), verifying the model file's
sha256 against its card first. Callers either hand it RGB images
(:meth:`InferenceEngine.predict`) or, for pipelined batch work, prepare
images in their own workers with :meth:`prepare` and call
:meth:`predict_prepared`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from skindesk.core import tfruntime
from skindesk.core.errors import ModelIntegrityError
from skindesk.core.hashing import sha256_path
from skindesk.core.imageprep import prepare_image
from skindesk.core.metadata import UNKNOWN, PatientMetadata, encode_metadata
from skindesk.core.model_loader import Predictor, load_card_keras_model, load_predictor
from skindesk.core.modelcard import ModelCard
from skindesk.core.onnx_runtime import load_onnx_predictor, onnx_device, uses_onnx
from skindesk.core.prediction import Prediction, build_prediction

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 8


class InferenceEngine:
    """Runs one model (described by its card) on images."""

    def __init__(self, card: ModelCard, *, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.card = card
        self.batch_size = max(1, int(batch_size))
        self._lock = threading.Lock()
        self._predictor: Predictor | None = None
        self._keras_model: Any = None
        self.runtime: str | None = None  # "onnx" or "tensorflow" once loaded
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory and ready."""
        return self._predictor is not None

    @property
    def keras_model(self) -> Any:
        """The Keras model (for Grad-CAM); None for SavedModels. Loads if needed.

        Under ONNX Runtime the Keras model (and TensorFlow) load only now,
        the first time gradients are needed.
        """
        self.load()
        if self._keras_model is None and self.runtime == "onnx":
            with self._lock:
                if self._keras_model is None:
                    self._keras_model = load_card_keras_model(self.card)
        return self._keras_model

    def device(self) -> tfruntime.DeviceInfo:
        """Where inference runs (GPU or CPU, and ONNX Runtime when it runs the model)."""
        return onnx_device() if self.runtime == "onnx" else tfruntime.device()

    def verify(self) -> None:
        """Refuse a model file whose sha256 differs from its card's."""
        actual = sha256_path(self.card.model_path)
        if actual != self.card.sha256:
            raise ModelIntegrityError(
                f"model '{self.card.id}' does not match its card: the file "
                f"{self.card.model_path} has sha256 {actual}, the card expects "
                f"{self.card.sha256}. The file may be damaged or replaced; reinstall it."
            )

    def load(self) -> None:
        """Verify and load the model once; later calls return at once."""
        if self._predictor is not None:
            return
        with self._lock:
            if self._predictor is not None:
                return
            started = time.perf_counter()
            if not self.card.model_path.exists():
                from skindesk.core.errors import ModelError

                raise ModelError(f"model file of '{self.card.id}' is missing: {self.card.model_path}")
            self.verify()
            if uses_onnx(self.card):
                predictor, model, self.runtime = load_onnx_predictor(self.card), None, "onnx"
            else:
                (predictor, model), self.runtime = load_predictor(self.card), "tensorflow"
            self._warm_up(predictor)
            self._keras_model = model
            self._predictor = predictor
            self.load_seconds = time.perf_counter() - started
            log.info("loaded %s in %.1f s on %s", self.card.id, self.load_seconds,
                     self.device().description)

    def load_in_background(self) -> Future[None]:
        """Start :meth:`load` on a worker thread; the future reports errors."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-load")
        future = executor.submit(self.load)
        executor.shutdown(wait=False)
        return future

    def _warm_up(self, predictor: Predictor) -> None:
        # The first call builds kernels; do it now rather than on the user's first image.
        height, width = self.card.input_size
        images = np.zeros((1, height, width, 3), dtype=np.float32)
        predictor(images, self._metadata_batch([UNKNOWN]))

    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        """Resize and scale one RGB uint8 image for this model (thread-safe, no TF)."""
        return prepare_image(rgb, self.card)

    def _metadata_batch(self, metadata: Sequence[PatientMetadata]) -> np.ndarray | None:
        if not self.card.metadata_input:
            return None
        return np.stack([encode_metadata(self.card.metadata_input, m) for m in metadata])

    def predict_prepared(
        self, images: np.ndarray, metadata: Sequence[PatientMetadata] | None = None
    ) -> np.ndarray:
        """Raw model outputs for a batch of prepared images (N×H×W×3 float32)."""
        self.load()
        assert self._predictor is not None
        meta = list(metadata) if metadata is not None else [UNKNOWN] * len(images)
        return self._predictor(np.ascontiguousarray(images, np.float32), self._metadata_batch(meta))

    def predict(
        self,
        images: Sequence[np.ndarray],
        metadata: Sequence[PatientMetadata] | PatientMetadata | None = None,
    ) -> list[Prediction]:
        """Predict RGB uint8 images in batches; one :class:`Prediction` each."""
        metas = _expand_metadata(metadata, len(images))
        self.load()  # outside the timings: they describe per-image work only
        results: list[Prediction] = []
        for start in range(0, len(images), self.batch_size):
            chunk = images[start : start + self.batch_size]
            t0 = time.perf_counter()
            prepared = np.stack([self.prepare(img) for img in chunk])
            t1 = time.perf_counter()
            raw = self.predict_prepared(prepared, metas[start : start + len(chunk)])
            t2 = time.perf_counter()
            timings = {"prepare": (t1 - t0) * 1000 / len(chunk), "inference": (t2 - t1) * 1000 / len(chunk)}
            results.extend(build_prediction(row, self.card, timings) for row in raw)
        return results


def _expand_metadata(
    metadata: Sequence[PatientMetadata] | PatientMetadata | None, count: int
) -> list[PatientMetadata]:
    if metadata is None:
        return [UNKNOWN] * count
    if isinstance(metadata, PatientMetadata):
        return [metadata] * count
    if len(metadata) != count:
        raise ValueError(f"{count} images but {len(metadata)} metadata entries")
    return list(metadata)
