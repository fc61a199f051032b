"""The engine process itself: load models and answer calls from the front end.

:func:`serve` is the child's entry point. It reads ``("call", id, op, args)``
messages, runs each in a worker thread (so a long Grad-CAM does not hold up
a prediction) and answers ``("result", id, value)`` or ``("error", id,
exception)``. Its log records travel back as ``("log", level, name, text)``
so they land in the app's one log file. It exits on ``("stop",)`` or when
the front end goes away (the pipe closes).
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
import traceback
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from skindesk.core.engine_process.client import EngineProcessError
from skindesk.core.errors import UserError
from skindesk.core.metadata import PatientMetadata
from skindesk.core.modelcard import ModelCard

log = logging.getLogger(__name__)

# Enough for a Grad-CAM and a batch scan to run side by side with a preview.
_WORKERS = 4
# Below the window's priority: when loading TensorFlow or a batch keeps every core busy,
# the scheduler still runs the Tk thread at once. Idle cores are used all the same.
NICENESS = 5


@dataclass(frozen=True)
class LoadedInfo:
    """What a ``load`` call answers: where the model runs and how long loading took."""

    kind: str
    description: str
    seconds: float | None
    pid: int


class _Answerer:
    """Sends answers and log records to the front end, one message at a time."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def send(self, message: tuple[Any, ...]) -> None:
        try:
            with self._lock:
                self._conn.send(message)
        except (OSError, ValueError):
            pass  # the front end is gone; the main loop notices and exits

    def answer(self, call_id: int, op: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            value = op(*args)
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the caller
            if not isinstance(error, UserError):
                log.error("engine call failed:\n%s", traceback.format_exc())
            self.send(("error", call_id, _portable(error)))
            return
        self.send(("result", call_id, value))


class _PipeLogHandler(logging.Handler):
    """Forwards the child's log records to the front end's log file."""

    def __init__(self, answerer: _Answerer) -> None:
        super().__init__()
        self._answerer = answerer

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self._answerer.send(("log", record.levelno, record.name, text))


def _portable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling, else an equivalent that does (same message)."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 - any unpicklable exception is replaced
        kind = UserError if isinstance(error, UserError) else EngineProcessError
        return kind(str(error) or type(error).__name__)


class _Models:
    """The child's engines, one per model file, created from the caller's card."""

    def __init__(self) -> None:
        from skindesk.core.service import EngineCache

        self._engines = EngineCache()
        # Weak, so an engine the cache released is forgotten (an id() could be reused).
        self._warming: weakref.WeakSet[Any] = weakref.WeakSet()

    def engine(self, card: ModelCard) -> Any:
        """The engine for the caller's card (the truth: e.g. a newly chosen threshold)."""
        from skindesk.core.engine import InferenceEngine

        return self._engines.get(card, InferenceEngine)

    def load(self, card: ModelCard) -> LoadedInfo:
        engine = self.engine(card)
        engine.load()
        if engine not in self._warming:
            self._warming.add(engine)
            threading.Thread(target=_warm_gradients, args=(engine,), name="gradcam-warm-up",
                             daemon=True).start()
        device = engine.device()
        return LoadedInfo(device.kind, device.description, engine.load_seconds, os.getpid())

    def predict_prepared(self, card: ModelCard, images: Any,
                         metadata: list[PatientMetadata]) -> Any:
        return self.engine(card).predict_prepared(images, metadata)

    def explain(self, card: ModelCard, rgb: Any, method: str, class_id: Any,
                metadata: PatientMetadata, options: dict[str, Any]) -> Any:
        from skindesk.core.explain.api import explain_images

        return explain_images(self.engine(card), [rgb], method, class_id, metadata, **options)[0]

    def operations(self) -> dict[str, Callable[..., Any]]:
        return {"load": self.load, "predict_prepared": self.predict_prepared,
                "explain": self.explain, "inspect_model": _inspect_model,
                "install_model": _install_model, "ping": os.getpid}


def _warm_gradients(engine: Any) -> None:
    """Prepare Grad-CAM now, so the user's first heat map does not wait for it.

    Under ONNX Runtime the model is ready for predictions in about a second, but
    explanations need TensorFlow and the Keras model (several seconds to load),
    and under either runtime the first Grad-CAM traces the split model's
    gradient graph (about 5 s for the default pair on two cores). Both happen
    here in the background, while predictions go on, rather than on the first click.
    """
    from skindesk.core.explain.api import warm_up

    try:
        if engine.keras_model is None:  # a SavedModel: no gradients, occlusion maps only
            return
        warm_up(engine)
        log.info("Grad-CAM ready for %s", engine.card.id)
    except Exception as error:  # noqa: BLE001 - an explanation request will report it
        log.warning("could not prepare Grad-CAM for %s: %s", engine.card.id, error)


def _inspect_model(path: str) -> Any:
    """A model file's inspection, without the loaded model (that stays here)."""
    from dataclasses import replace

    from skindesk.core.model_import.inspection import inspect_model

    return replace(inspect_model(path), model=None)


def _install_model(path: str, card_data: dict[str, Any]) -> Any:
    """Inspect and install a model file with its card, then smoke-test it."""
    from skindesk.core.model_import.inspection import inspect_model
    from skindesk.core.model_import.install import install_model

    return install_model(inspect_model(path), card_data)


def serve(conn: Connection, log_level: int = logging.INFO) -> None:
    """Answer calls on ``conn`` until told to stop or the front end goes away."""
    answerer = _Answerer(conn)
    if hasattr(os, "nice"):  # POSIX; Windows keeps normal priority
        os.nice(NICENESS)
    root = logging.getLogger("skindesk")
    root.addHandler(_PipeLogHandler(answerer))
    root.setLevel(log_level)
    root.propagate = False  # the front end writes them; a handler TensorFlow adds must not
    operations = _Models().operations()
    pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="engine-call")
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        if message[0] == "stop":
            break
        _, call_id, op_name, args = message
        op = operations.get(op_name)
        if op is None:
            answerer.send(("error", call_id, EngineProcessError(f"unknown operation {op_name!r}")))
            continue
        pool.submit(answerer.answer, call_id, op, args)
    pool.shutdown(wait=False, cancel_futures=True)
    logging.shutdown()
    os._exit(0)  # don't wait for TensorFlow's threads: the front end has what it needs
