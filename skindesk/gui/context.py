"""What the tool panes (preprocessing, Grad-CAM) share with the main window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skindesk.gui.backend import ModelLoader
from skindesk.gui.errors import ErrorReporter
from skindesk.gui.settings import GuiSettings
from skindesk.gui.tasks import TaskRunner


@dataclass(frozen=True)
class PaneContext:
    """The window's services for a pane.

    Attributes:
        runner: Where workers run.
        model: The service (workers wait for it with ``wait_for_service``).
        settings: Remembered choices (saved when the window closes).
        errors: Shows user errors plainly, logs internal ones.
        set_status: Puts a short message in the status bar.
    """

    runner: TaskRunner
    model: ModelLoader
    settings: GuiSettings
    errors: ErrorReporter
    set_status: Callable[[str], None]
