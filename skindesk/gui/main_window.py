"""The main window: image list | image viewer | patient form and result tabs.

The window is a Frame in a given root, built around an injected service
(tests pass a fake; the app passes None and the real one is created in a
worker). Its public methods are the user's actions (``open_paths``,
``select_index``, ``analyse_current``...), so tests drive it as a user
would and read the widgets' state back. It holds the open documents; the
work is done by :mod:`.file_actions`, :mod:`.document_selection`,
:mod:`.analysis_workflow`, :mod:`.window_state` and :mod:`.action_wiring`.
The Preprocessing and Grad-CAM tabs are in :mod:`.tool_tabs` (tabs of the
side notebook added with :meth:`MainWindow.add_side_tab`, following the
selected image through :attr:`MainWindow.document_listeners`).
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.about_dialog import AboutDialog
from skindesk.gui.action_wiring import install_drop_targets, install_menus, layout_commands
from skindesk.gui.analysis_workflow import AnalysisWorkflow
from skindesk.gui.backend import ModelLoader, ModelStatus, ServiceLike, default_service
from skindesk.gui.batch import BatchScanLauncher
from skindesk.gui.document_selection import DocumentSelection
from skindesk.gui.document_view import DocumentView
from skindesk.gui.documents import ImageDocument
from skindesk.gui.errors import ErrorReporter
from skindesk.gui.file_actions import FileActions
from skindesk.gui.history.wiring import install_history
from skindesk.gui.layout import MainLayout
from skindesk.gui.report_export import ReportExporter
from skindesk.gui.settings import GuiSettings
from skindesk.gui.tasks import TaskRunner
from skindesk.gui.tool_tabs import ToolTabs
from skindesk.gui.window_state import WindowState


class MainWindow(ttk.Frame):
    """SkinDesk's main window.

    Args:
        root: The application root (its menu bar and shortcuts are set here).
        settings: Remembered window state; updated and saved on :meth:`quit`.
        service: The analysis service; None creates the real one in a worker.
        service_factory: How to create it when ``service`` is None.
        show_internal_dialog: How internal errors are shown (tests record them).
    """

    def __init__(self, root: tkinter.Tk, settings: GuiSettings,
                 service: ServiceLike | None = None, *,
                 service_factory: Callable[[], ServiceLike] = default_service,
                 show_internal_dialog: Callable[[str], None] | None = None) -> None:
        super().__init__(root)
        self.root, self.settings = root, settings
        self.documents: dict[str, ImageDocument] = {}
        self.current: ImageDocument | None = None
        self.document_listeners: list[Callable[[ImageDocument | None], None]] = []
        self.runner = TaskRunner(self)
        scale = float(root.tk.call("tk", "scaling")) / (96 / 72)
        self.selection = DocumentSelection(self)
        self.ui = MainLayout(self, settings, scale, layout_commands(self))
        self.errors = ErrorReporter(root, self.ui.message_bar.show, show_internal_dialog)
        self.errors.install()
        self.model = ModelLoader(self.runner, self._model_status, service, service_factory)
        self.files = FileActions(self)
        self.opener = self.files.opener
        self.workflow = AnalysisWorkflow(self)
        self.analysis = self.workflow.controller
        self.view = DocumentView(self.ui, self.model, self.analysis)
        self.tools = ToolTabs(self)
        self.batch, self.report_export = BatchScanLauncher(self), ReportExporter(self)
        self.history = install_history(self)
        self.window_state = WindowState(self)
        self.dark = self.window_state.dark
        install_menus(self)
        self.drop_enabled = install_drop_targets(self)
        self.pack(fill="both", expand=True)
        self.apply_palette()
        self.selection.show(None)
        root.protocol("WM_DELETE_WINDOW", self.quit)

    def start(self) -> None:
        """Create the service and load the model in the background."""
        self.model.start()

    # File actions -----------------------------------------------------------------------
    def open_paths(self, paths: list[str]) -> list[ImageDocument]:
        """Open files (folders: the images inside); the first one is selected."""
        return self.files.open_paths(paths)

    def open_dialog(self) -> None:
        """File ▸ Open…: choose image files."""
        self.files.open_dialog()

    def paste_path(self) -> None:
        """File ▸ Paste path…: type or paste a file or folder path."""
        self.files.paste_path()

    def close_current(self) -> None:
        """File ▸ Close image."""
        self.files.close_current()

    def select_index(self, index: int) -> None:
        """Show the ``index``-th image of the list."""
        self.ui.filmstrip.select(self.ui.filmstrip.ids()[index])

    def quit(self) -> None:
        """Save the window state and close the app."""
        self.save_settings()
        self.analysis.cancel()
        self.tools.stop()
        self.runner.close()
        self.root.update_idletasks()  # run pending redraws while their commands still exist
        self.root.destroy()

    def destroy(self) -> None:
        """Stop polling and animations before the widgets go (no stray timers after)."""
        self.runner.close()
        self.ui.stop_animations()
        super().destroy()

    def save_settings(self) -> None:
        """Remember window size, panes, theme and folders."""
        self.window_state.save()

    # Analysis ---------------------------------------------------------------------
    def analyse_current(self) -> bool:
        """Analyse the shown image; False when nothing was started."""
        doc = self.current
        if doc is None or not doc.analysable:
            return False
        return self.workflow.analyse([doc])

    def analyse_all(self) -> bool:
        """Analyse every image that could be read; False when nothing was started."""
        return self.workflow.analyse([d for d in self.documents.values() if d.analysable])

    def cancel_analysis(self) -> None:
        """Stop the running analysis after its current batch."""
        self.workflow.cancel()

    # Tools --------------------------------------------------------------------------
    def show_preprocessing(self) -> None:
        """View ▸ Preprocessing (Ctrl+P)."""
        self.tools.preprocessing.select()

    def show_explain(self) -> None:
        """View ▸ Grad-CAM (Ctrl+G)."""
        self.tools.gradcam.select()

    def save_overlay(self) -> None:
        """File ▸ Save overlay as PNG… (Ctrl+S)."""
        self.tools.save_overlay()

    # Other actions ------------------------------------------------------------------
    def toggle_theme(self) -> None:
        """View ▸ Dark theme: switch between flatly and darkly."""
        self.window_state.toggle_theme()

    def apply_palette(self) -> None:
        """Recolour the canvas drawings for the current theme."""
        self.window_state.apply_palette()

    def show_about(self) -> AboutDialog:
        """Help ▸ About."""
        return AboutDialog(self, self.model.card)

    def add_side_tab(self, widget: tkinter.Widget, text: str) -> None:
        """Add a pane (e.g. preprocessing, Grad-CAM) as a tab next to the result."""
        self.ui.notebook.add(widget, text=text)

    def records(self) -> list[dict[str, Any]]:
        """Every open image with its patient details, result and assessment."""
        return [doc.to_dict() for doc in self.documents.values()]

    # Showing ---------------------------------------------------------------------------
    def ui_zoom_changed(self, zoom: float) -> None:
        """The viewer's zoom changed: show it in the status bar."""
        self.ui.status.set_zoom(zoom)

    def _model_status(self, status: ModelStatus) -> None:
        self.ui.status.set_model(status.text, busy=status.state == "loading",
                                 failed=status.state == "failed")
        if status.card is not None and self.ui.card_shown is not status.card:
            self.ui.show_card(status.card)
            self.refresh_result()
        if status.state == "failed":
            self.ui.model_card.show_message(status.text)

    def refresh_result(self) -> None:
        """Show the current image's result (and let the tool tabs follow it)."""
        self.view.show_result(self.current)
        self.tools.refresh(self.current)

    def update_actions(self) -> None:
        """Enable the actions that make sense now."""
        idle = not self.analysis.running
        current_ok = self.current is not None and self.current.analysable
        any_ok = any(d.analysable for d in self.documents.values())
        self.ui.toolbar.set_actions(analyse=idle and current_ok, analyse_all=idle and any_ok)
