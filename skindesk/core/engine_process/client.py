"""The front end's side of the engine process: start it, call it, notice when it dies.

Calls may come from any thread at the same time; each waits on its own
future while one reader thread per child routes the answers (and the child's
log records) back. A child that dies fails every call in flight with a clear
message, and the next call starts a fresh one.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from skindesk.core.errors import ModelError

log = logging.getLogger(__name__)

# How long to wait for the child to exit when asked to stop, before killing it.
_STOP_GRACE_SECONDS = 5.0


class EngineProcessError(ModelError):
    """The engine process could not be started or stopped unexpectedly."""


@dataclass
class _Child:
    """One running child process and the calls waiting for its answers."""

    process: Any
    conn: Connection
    pending: dict[int, Future[Any]] = field(default_factory=dict)
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: bool = False


class EngineProcess:
    """A lazily started child process that runs models (see :mod:`.server`).

    Args:
        log_level: The child's logging level (its records come back to this process).
    """

    def __init__(self, log_level: int = logging.INFO) -> None:
        self._log_level = log_level
        self._lock = threading.Lock()
        self._child: _Child | None = None
        self._ids = itertools.count(1)
        self.starts = 0  # how many children were started (a restart after a crash adds one)

    @property
    def pid(self) -> int | None:
        """The running child's process id, or None."""
        child = self._child
        return child.process.pid if child is not None and child.process.is_alive() else None

    def call(self, op: str, *args: Any, timeout: float | None = None) -> Any:
        """Run ``op`` in the child with ``args`` and return its answer (blocks; not on a UI thread).

        Raises:
            Whatever the operation raised in the child (user errors keep their type),
            EngineProcessError if the child died, TimeoutError after ``timeout`` seconds.
        """
        return self.submit(op, *args).result(timeout)

    def submit(self, op: str, *args: Any) -> Future[Any]:
        """Send ``op`` to the child (starting it if needed); the future holds its answer."""
        future: Future[Any] = Future()
        with self._lock:
            child = self._running_child()
            call_id = next(self._ids)
            child.pending[call_id] = future
        try:
            with child.send_lock:
                child.conn.send(("call", call_id, op, args))
        except (OSError, ValueError) as error:  # the pipe closed under us: the child is gone
            child.pending.pop(call_id, None)
            raise EngineProcessError(f"the analysis engine process is not running ({error})") from None
        return future

    def stop(self) -> None:
        """Ask the child to exit (killing it if it does not); the next call starts a new one."""
        with self._lock:
            child, self._child = self._child, None
        if child is None:
            return
        child.stopping = True
        try:
            with child.send_lock:
                child.conn.send(("stop",))
        except (OSError, ValueError):
            pass
        child.process.join(_STOP_GRACE_SECONDS)
        if child.process.is_alive():
            child.process.kill()
            child.process.join(_STOP_GRACE_SECONDS)
        child.conn.close()

    def _running_child(self) -> _Child:
        if self._child is not None and self._child.process.is_alive():
            return self._child
        from skindesk.core.engine_process.server import serve

        context = multiprocessing.get_context("spawn")  # never fork a process that has threads
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(target=serve, args=(theirs, self._log_level),
                                  name="skindesk-engine", daemon=True)
        try:
            process.start()
        except OSError as error:
            raise EngineProcessError(f"could not start the analysis engine process: {error}") from None
        theirs.close()  # only the child holds that end now, so its exit closes the pipe
        child = _Child(process, ours)
        self._child = child
        self.starts += 1
        threading.Thread(target=self._read_answers, args=(child,), name="engine-reader",
                         daemon=True).start()
        log.info("started the engine process (pid %s)", process.pid)
        return child

    def _read_answers(self, child: _Child) -> None:
        while True:
            try:
                message = child.conn.recv()
            except (EOFError, OSError):
                break
            except Exception as error:  # noqa: BLE001 - an unreadable answer must not stop the reader
                log.error("unreadable answer from the engine process: %s", error)
                continue
            _route(child, message)
        self._child_ended(child)

    def _child_ended(self, child: _Child) -> None:
        child.process.join(_STOP_GRACE_SECONDS)
        code = child.process.exitcode
        with self._lock:
            if self._child is child:
                self._child = None
            waiting, child.pending = child.pending, {}
        if not child.stopping:
            log.error("the engine process ended unexpectedly (exit code %s)", code)
        for future in waiting.values():
            future.set_exception(EngineProcessError(
                f"the analysis engine process stopped unexpectedly (exit code {code}); "
                "try again — the next analysis starts a new one"))


def _route(child: _Child, message: tuple[Any, ...]) -> None:
    kind = message[0]
    if kind == "log":
        _, level, name, text = message
        logging.getLogger(name).log(level, "[engine process] %s", text)
        return
    _, call_id, value = message
    future = child.pending.pop(call_id, None)
    if future is None:
        return
    if kind == "error":
        future.set_exception(value)
    else:
        future.set_result(value)
