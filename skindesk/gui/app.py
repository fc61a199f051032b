"""Starting the desktop app: ``skindesk`` with no arguments, or ``skindesk-gui``.

The window must be up and usable in about a second, so nothing slow runs
on the Tk thread: the engine (NumPy, OpenCV, pydicom) is imported and the
model (TensorFlow) loaded in workers once the window is on screen. When the
window is mapped and idle, "window ready in X ms since process start" is
logged (and printed as ``SKINDESK_READY <ms>`` when ``$SKINDESK_REPORT_READY``
is set, for ``bench/bench_gui_startup.py``; then, once the model is loaded,
``SKINDESK_MODEL_READY`` with the Tk thread's longest stall meanwhile, for
``bench/bench_gui_model_load.py``).
"""

from __future__ import annotations

import time

_IMPORTED_AT = time.monotonic()  # as early as possible: the start-up clock

import logging
import os
import sys
import threading
import tkinter
from collections.abc import Sequence

from skindesk._splash import close_splash
from skindesk.core.logs import configure_logging, log_internal_error

log = logging.getLogger("skindesk.gui")

READY_ENV = "SKINDESK_REPORT_READY"
EXIT_OK = 0
EXIT_NO_DISPLAY = 2
EXIT_INTERNAL = 3
# The first full paint follows the window's mapping; starting the engine (imports, a second
# process) in the same instant would compete with it for the CPU on small machines.
START_DELAY_MS = 250


def process_age_ms() -> float | None:
    """Milliseconds since this process started (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat(5), counted after "comm"
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000
    except (OSError, ValueError, IndexError):
        return None


def _since_import_ms() -> float:
    return (time.monotonic() - _IMPORTED_AT) * 1000


def _since_start_ms() -> float:
    """Milliseconds since the process started (since this module's import where unknown)."""
    age = process_age_ms()
    return age if age is not None else _since_import_ms()


def _report_ready(root: tkinter.Misc) -> None:
    since_import, since_start = _since_import_ms(), _since_start_ms()
    log.info("window ready in %.0f ms since process start (%.0f ms since skindesk.gui.app import)",
             since_start, since_import)
    if os.environ.get(READY_ENV):
        print(f"SKINDESK_READY {since_start:.0f} {since_import:.0f}", flush=True)


def _watch_model_loading(root: tkinter.Misc, window: object) -> None:
    from skindesk.gui.load_watch import TAIL_ENV, LoadWatch

    try:
        tail_s = float(os.environ.get(TAIL_ENV) or 0)
    except ValueError:  # a bench setting: never a reason for the app not to start
        tail_s = 0.0
    LoadWatch(root, lambda: window.model.status.state, _since_start_ms,  # type: ignore[attr-defined]
              tail_s=tail_s).start()


def _when_ready(root: tkinter.Misc, callback: object) -> None:
    """Run ``callback`` once the root is mapped and the event loop is idle."""
    def mapped(_event: tkinter.Event) -> None:
        root.unbind("<Map>", binding)
        root.after_idle(callback)  # type: ignore[arg-type]

    binding = root.bind("<Map>", mapped, add="+")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop app until its window closes; the exit status."""
    log_path = configure_logging()
    log.info("starting SkinDesk GUI (pid %d)", os.getpid())
    try:
        from skindesk.gui.main_window import MainWindow
        from skindesk.gui.root import create_root, enable_drag_and_drop
        from skindesk.gui.settings import load_settings

        settings = load_settings()
        try:
            root = create_root(settings)
        except tkinter.TclError as error:
            print(f"skindesk: cannot open a window ({error}); is a display available?",
                  file=sys.stderr)
            return EXIT_NO_DISPLAY
        enable_drag_and_drop(root)
        window = MainWindow(root, settings)

        def ready() -> None:
            close_splash()  # a packaged build's splash, shown while it unpacked
            _report_ready(root)
            root.after(START_DELAY_MS, window.start)  # the model loads once the window is painted
            if os.environ.get(READY_ENV):
                _watch_model_loading(root, window)

        _when_ready(root, ready)
        root.mainloop()
        _stop_engine_process(window.model.service)
    except Exception as error:  # noqa: BLE001 - last resort before the event loop runs
        path = log_internal_error("the GUI could not start", error)
        print(f"skindesk: internal error ({error}); details in {path or log_path}", file=sys.stderr)
        return EXIT_INTERNAL
    _exit_now_if_workers_run(EXIT_OK)
    return EXIT_OK


def _stop_engine_process(service: object) -> None:
    """Let the engine process exit with the window (it would also exit when the pipe closes)."""
    close = getattr(service, "close", None)
    if close is not None:
        close()


def _exit_now_if_workers_run(code: int) -> None:
    """End the process at once when a worker is still busy (e.g. importing TensorFlow).

    Interpreter shutdown while TensorFlow initialises in a daemon thread
    aborts the process ("terminate called without an active exception").
    Settings are saved and the log flushed first, so nothing is lost.
    """
    busy = [t.name for t in threading.enumerate() if t.daemon and t.is_alive()]
    if not busy:
        return
    log.info("closing while workers still run (%s)", ", ".join(busy))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
