"""The service and engine a front end uses when the model lives in the engine process.

:class:`RemoteEngine` is an :class:`~skindesk.core.engine.InferenceEngine`
whose model calls go to the child: images are decoded and resized here
(``prepare`` is plain NumPy/OpenCV) and only the prepared batch crosses the
pipe, so batch scans, evaluation and ``predict_files`` work unchanged on top
of it. :class:`ProcessService` is the CLI's service with such engines, and
sends Grad-CAM (which needs the model's gradients) to the child whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from skindesk.core.engine import InferenceEngine
from skindesk.core.engine_process.client import EngineProcess
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.modelcard import ModelCard
from skindesk.core.registry import ModelRegistry
from skindesk.core.service import EngineCache, SkinDeskService
from skindesk.core.tfruntime import DeviceInfo


class RemoteEngine(InferenceEngine):
    """An engine whose model is loaded and run in an :class:`EngineProcess`.

    Args:
        card: The model's card (sent with every call, so the child always uses it).
        process: The engine process.
    """

    def __init__(self, card: ModelCard, process: EngineProcess) -> None:
        super().__init__(card)
        self._process = process
        self._device: DeviceInfo | None = None
        self._loaded_in: int | None = None  # the pid of the child that loaded the model

    @property
    def loaded(self) -> bool:
        """Whether the model is loaded in the running engine process."""
        return self._loaded_in is not None and self._loaded_in == self._process.pid

    @property
    def keras_model(self) -> Any:
        """Not available here: the model lives in the engine process (use ``ProcessService.explain``)."""
        raise AttributeError("the model runs in the engine process; explain through the service")

    def device(self) -> DeviceInfo:
        """Where the engine process runs the model (loads it first)."""
        self.load()
        assert self._device is not None
        return self._device

    def load(self) -> None:
        """Verify and load the model in the engine process (again if that process restarted)."""
        if self.loaded:
            return
        with self._lock:
            if self.loaded:
                return
            info = self._process.call("load", self.card)
            self._device = DeviceInfo(info.kind, info.description)
            self.load_seconds = info.seconds
            self._loaded_in = info.pid

    def predict_prepared(
        self, images: np.ndarray, metadata: Sequence[PatientMetadata] | None = None
    ) -> np.ndarray:
        """Raw model outputs for a batch of prepared images, computed in the engine process."""
        meta = list(metadata) if metadata is not None else [UNKNOWN] * len(images)
        batch = np.ascontiguousarray(images, np.float32)
        return self._process.call("predict_prepared", self.card, batch, meta)


class ProcessService(SkinDeskService):
    """:class:`SkinDeskService` with every model run in one engine process.

    Args:
        registry: Where models are found (the default registry when None).
        process: The engine process (a new one, started on first use, when None).
    """

    def __init__(self, registry: ModelRegistry | None = None,
                 process: EngineProcess | None = None) -> None:
        super().__init__(registry)
        self.process = process or EngineProcess()
        # Proxies hold nothing loaded (the engine process's own cache bounds that).
        self._engines = EngineCache(capacity=None)  # this service's: they use its process

    def engine(self, model_id: str | None = None) -> RemoteEngine:
        """The engine of a model (the default when None); one per model for this service."""
        return self._engines.get(self.registry.get(model_id),
                                 lambda card: RemoteEngine(card, self.process))

    def explain(
        self,
        rgb: Any,
        method: str = "gradcam",
        class_id: str | int | None = None,
        metadata: PatientMetadata = UNKNOWN,
        model_id: str | None = None,
        **options: Any,
    ) -> Any:
        """Explain one image in the engine process (see :meth:`SkinDeskService.explain`)."""
        card = self.engine(model_id).card
        return self.process.call("explain", card, np.ascontiguousarray(rgb), method, class_id,
                                 metadata, options)

    def close(self) -> None:
        """Stop the engine process (a later call starts a new one)."""
        self.process.stop()
