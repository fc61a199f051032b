"""Fixtures for GUI tests: a real main window around a fake (or the real) service."""

from __future__ import annotations

import gc
import tkinter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.gui.fakes import FakeService
from tests.gui.helpers import make_lesion_png, pump

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow


@dataclass
class App:
    """A running main window and what the test needs to drive it."""

    root: tkinter.Tk
    window: MainWindow
    service: Any
    internal_errors: list[str] = field(default_factory=list)
    dnd_loaded: bool = False

    def pump(self, until: Callable[[], bool] | None = None, timeout: float = 10.0,
             what: str = "the condition") -> None:
        pump(self.root, until, timeout, what)

    def wait_for_model(self, timeout: float = 30.0) -> None:
        self.pump(lambda: self.window.model.status.state in ("ready", "failed"), timeout,
                  "the model to load")

    def wait_for_images(self, timeout: float = 15.0) -> None:
        self.pump(lambda: not any(d.loading for d in self.window.documents.values()), timeout,
                  "the images to be decoded")

    def wait_for_analysis(self, timeout: float = 30.0) -> None:
        self.pump(lambda: not self.window.analysis.running, timeout, "the analysis to finish")


@pytest.fixture
def make_app() -> Iterator[Callable[..., App]]:
    """Build the real main window (1400×900) around a given service; destroyed afterwards."""
    from skindesk.gui.main_window import MainWindow
    from skindesk.gui.root import create_root, enable_drag_and_drop
    from skindesk.gui.settings import GuiSettings

    roots: list[tkinter.Tk] = []

    def build(service: Any, settings: GuiSettings | None = None) -> App:
        settings = settings or GuiSettings(geometry="1400x900+0+0")
        root = create_root(settings)
        roots.append(root)
        dnd_loaded = enable_drag_and_drop(root)
        errors: list[str] = []
        window = MainWindow(root, settings, service, show_internal_dialog=errors.append)
        window.start()
        app = App(root, window, service, errors, dnd_loaded)
        app.pump(lambda: root.winfo_ismapped(), 10, "the window to appear")
        return app

    yield build
    for root in roots:
        try:
            root.update()  # deliver queued events while their handlers still exist
            root.destroy()
        except tkinter.TclError:
            pass  # the test closed it
    # Free the windows' Tk objects now, on this thread: collected later in some
    # worker, a tkinter Variable would call Tk from there ("main thread is not in main loop").
    gc.collect()


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    """The main window around a fake service that answers in 0.3 s."""
    return make_app(FakeService(delay=0.3, warn_for={"lesion_b.png"}))


@pytest.fixture
def lesion_images(tmp_path: Path) -> list[Path]:
    """Two generated dermoscopy-like PNGs: lesion_a.png and lesion_b.png."""
    return [make_lesion_png(tmp_path / "lesion_a.png", seed=1),
            make_lesion_png(tmp_path / "lesion_b.png", size=(800, 600), seed=2)]


@pytest.fixture(scope="session")
def real_service():
    """The app's real service, the bundled default model loaded in its engine process (once)."""
    from skindesk.core.engine_process import ProcessService

    service = ProcessService()
    service.engine().load()
    yield service
    service.close()
