"""The GUI's view of the service, and loading the model without freezing the window.

Importing the engine pulls in NumPy, OpenCV and pydicom (about a second), so
it happens in a worker: :class:`ModelLoader` creates the service and loads
the model while the window is already usable, and worker threads that need
the service wait for it with :meth:`ModelLoader.wait_for_service`.
TensorFlow never enters this process: the real service
(:class:`~skindesk.core.engine_process.ProcessService`) runs the model in an
engine process, because TensorFlow's import and model loading hold the
interpreter lock for long stretches that no thread can hide.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from skindesk.gui.tasks import Outcome, TaskRunner

if TYPE_CHECKING:
    from skindesk.core.metadata import PatientMetadata
    from skindesk.core.modelcard import ModelCard
    from skindesk.core.service import FileResult

log = logging.getLogger(__name__)

ENGINE_ENV = "SKINDESK_ENGINE"


class DeviceLike(Protocol):
    """Where inference runs (:class:`~skindesk.core.tfruntime.DeviceInfo`)."""

    @property
    def kind(self) -> str: ...

    @property
    def description(self) -> str: ...


class EngineLike(Protocol):
    """What the GUI uses of :class:`~skindesk.core.engine.InferenceEngine`."""

    @property
    def loaded(self) -> bool: ...

    def load(self) -> None: ...

    def device(self) -> DeviceLike: ...


class ServiceLike(Protocol):
    """What the GUI uses of :class:`~skindesk.core.service.SkinDeskService`.

    ``segment(rgb)`` is optional: without it the Grad-CAM tab draws no lesion outline.
    """

    def card(self, model_id: str | None = None) -> ModelCard: ...

    def engine(self, model_id: str | None = None) -> EngineLike: ...

    def predict_files(
        self,
        paths: Iterable[str | Path],
        metadata: PatientMetadata = ...,
        model_id: str | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        preprocessing: Any = None,
    ) -> Iterator[FileResult]: ...

    def preprocess_steps(self, rgb: Any, pipeline: Any) -> list[tuple[Any, Any]]: ...

    def model_input(self, rgb: Any, preprocessing: Any) -> Any: ...

    def explain(self, rgb: Any, method: str = ..., class_id: str | int | None = None,
                metadata: PatientMetadata = ..., model_id: str | None = None,
                **options: Any) -> Any: ...


def _freeze_long_lived_objects() -> None:
    """Keep what exists once the model is ready out of later garbage collections.

    A full collection walks every tracked object while holding the GIL, so
    its length grows with everything the process ever imported; objects
    alive at this point (modules, the service, the window) live as long as
    the app. Freezing them makes later collections cover only newer objects:
    short pauses, even in a process that imported TensorFlow for something
    else (a test session). No collection first: that alone would hold the
    GIL for tens of milliseconds, and the little garbage frozen with them
    costs nothing.
    """
    gc.freeze()


def default_service() -> ServiceLike:
    """The real service, with models in an engine process (call it from a worker thread).

    ``SKINDESK_ENGINE=inprocess`` runs the models in the GUI's own process
    instead: a fallback where a second process cannot start, and the baseline
    of ``bench/bench_gui_model_load.py``.
    """
    if os.environ.get(ENGINE_ENV) == "inprocess":
        from skindesk.core.service import SkinDeskService

        return SkinDeskService()
    from skindesk.core.engine_process import ProcessService

    return ProcessService()


@dataclass(frozen=True)
class ModelStatus:
    """What the status bar says about the model."""

    state: str  # "starting", "loading", "ready" or "failed"
    text: str
    card: Any = None  # ModelCard once known


class ModelLoader:
    """Creates the service and loads the default model in worker threads.

    Args:
        runner: Where the work runs.
        on_status: Called on the Tk thread at each step with a :class:`ModelStatus`.
        service: A ready service (tests inject a fake); None creates the real one.
        service_factory: Used when ``service`` is None.
    """

    def __init__(
        self,
        runner: TaskRunner,
        on_status: Callable[[ModelStatus], None],
        service: ServiceLike | None = None,
        service_factory: Callable[[], ServiceLike] = default_service,
    ) -> None:
        self._runner = runner
        self._on_status = on_status
        self._factory = (lambda: service) if service is not None else service_factory
        self._ready = threading.Event()
        self._service: ServiceLike | None = None
        self._error: BaseException | None = None
        self.card: ModelCard | None = None
        self.status = ModelStatus("starting", "Starting…")
        self._reload_pending = False

    @property
    def service(self) -> ServiceLike | None:
        """The service, once created (None before)."""
        return self._service

    def start(self) -> None:
        """Create the service and read the model card, then load the model."""
        self._set(ModelStatus("loading", "Loading model…"))
        self._runner.run_in_thread(self._create_service, self._service_created, "service-start")

    def reload(self) -> None:
        """Switch to the default model as it is now (after it or its card changed).

        Reads the card again and loads that model in a worker; the status
        follows as at start-up. Before the service exists, it starts (again).
        """
        if self._service is None:
            if self.status.state == "failed":
                self.start()
            else:
                self._reload_pending = True  # the start in progress may read the old default
            return
        self._set(ModelStatus("loading", "Switching model…", self.card))
        service = self._service
        self._runner.run_in_thread(lambda: (service, service.card()), self._service_created,
                                   "model-switch")

    def _create_service(self) -> tuple[ServiceLike, ModelCard]:
        service = self._factory()
        return service, service.card()

    def _service_created(self, outcome: Outcome[tuple[ServiceLike, ModelCard]]) -> None:
        if not outcome.ok or outcome.value is None:
            self._fail(outcome.error)
            return
        self._service, self.card = outcome.value
        self._error = None
        self._ready.set()
        if self._reload_pending:
            self._reload_pending = False
            self.reload()
            return
        self._set(ModelStatus("loading", f"Loading model {self.card.name}…", self.card))
        self._runner.run_in_thread(self._load_engine, self._engine_loaded, "model-load")

    def _load_engine(self) -> str:
        assert self._service is not None
        engine = self._service.engine()
        engine.load()
        _freeze_long_lived_objects()
        return engine.device().description

    def _engine_loaded(self, outcome: Outcome[str]) -> None:
        if not outcome.ok:
            self._fail(outcome.error)
            return
        name = self.card.name if self.card else "?"
        self._set(ModelStatus("ready", f"Model: {name} · {outcome.value}", self.card))

    def _fail(self, error: BaseException | None) -> None:
        self._error = error
        self._ready.set()  # waiting workers must wake up and see the error
        log.error("model could not be loaded: %s", error, exc_info=error)
        self._set(ModelStatus("failed", f"Model unavailable: {error}", self.card))

    def _set(self, status: ModelStatus) -> None:
        self.status = status
        self._on_status(status)

    def wait_for_service(self, timeout: float | None = None) -> ServiceLike:
        """The service, waiting while it starts (worker threads only).

        Raises:
            The error that stopped the service from starting, or TimeoutError.
        """
        if not self._ready.wait(timeout):
            raise TimeoutError("the analysis service did not start in time")
        if self._service is None:
            assert self._error is not None
            raise self._error
        return self._service
