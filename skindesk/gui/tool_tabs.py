"""The Preprocessing and Grad-CAM tabs: built on first use, wired to the work area.

Their modules import the engine's OpenCV and explain code, so they are
imported in a worker the first time a tab is shown, never at start-up.
While a tool tab is selected, the work area shows its picture (the
before/after preview or the heat maps) instead of the image viewer.
"""

from __future__ import annotations

import importlib
import tkinter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.compare_view import CompareView
from skindesk.gui.context import PaneContext
from skindesk.gui.explain_view import ExplainView
from skindesk.gui.tasks import Outcome

if TYPE_CHECKING:
    from skindesk.gui.explain_pane import ExplainPane
    from skindesk.gui.main_window import MainWindow
    from skindesk.gui.preprocess_pane import PreprocessPane


class ToolTab:
    """One lazily built tab whose picture takes over the work area while it is selected."""

    def __init__(self, window: MainWindow, text: str, stage_name: str,
                 build: Callable[[tkinter.Misc, Any], Any], load: Callable[[], Any]) -> None:
        self.window, self.stage_name = window, stage_name
        self._build, self._load = build, load
        scroller = ttk.ScrolledFrame(window.ui.notebook, auto_hide=False, padding=0)
        self.page, self.tab = scroller, scroller.container
        self.placeholder = ttk.Label(scroller, text="Loading…", padding=12)
        self.placeholder.pack(anchor="w")
        self.pane: Any = None
        self._loading = False
        window.add_side_tab(self.tab, text)

    @property
    def selected(self) -> bool:
        """True while this tab is the side panel's current tab."""
        return self.window.ui.notebook.select() == str(self.tab)

    def select(self) -> None:
        """Bring the tab to the front."""
        self.window.ui.notebook.select(self.tab)

    def activate(self) -> None:
        """The tab was selected: build it if needed, then show the current image."""
        if self.pane is not None:
            self.pane.show_document(self.window.current)
        elif not self._loading:
            self._loading = True
            self.window.runner.run_in_thread(self._load, self._loaded, "tool-tab-load")

    def _loaded(self, outcome: Outcome[Any]) -> None:
        self._loading = False
        if not outcome.ok:
            assert outcome.error is not None
            self.placeholder.configure(text=f"Not available: {outcome.error}")
            if not isinstance(outcome.error, UserError):
                self.window.errors.report(outcome.error, context="opening a tool tab")
            return
        self.placeholder.destroy()
        self.pane = self._build(self.page, outcome.value)
        self.pane.pack(fill="both", expand=True)
        if self.selected:
            self.pane.show_document(self.window.current)

    def refresh(self, doc: Any) -> None:
        """Follow the current image while the tab is shown."""
        if self.pane is not None and self.selected:
            self.pane.show_document(doc)


class ToolTabs:
    """Creates the tool tabs and keeps the work area in step with the selected tab."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        settings, ui = window.settings, window.ui
        self.context = PaneContext(window.runner, window.model, settings, window.errors,
                                   ui.status.set_message)
        self.analyse_preprocessed = tkinter.BooleanVar(window, settings.analyse_preprocessed)
        self.analyse_preprocessed.trace_add("write", lambda *_a: setattr(
            settings, "analyse_preprocessed", self.analyse_preprocessed.get()))
        self.compare_view, self.explain_view = CompareView(ui.stage), ExplainView(ui.stage)
        ui.stage.add("preprocess", self.compare_view)
        ui.stage.add("explain", self.explain_view)
        self.preprocessing = ToolTab(window, "Preprocessing", "preprocess",
                                     self._build_preprocess, self._load_preprocess)
        self.gradcam = ToolTab(window, "Grad-CAM", "explain", self._build_explain,
                               lambda: importlib.import_module("skindesk.gui.explain_pane"))
        ui.notebook.bind("<<NotebookTabChanged>>", lambda _e: self._tab_changed(), add="+")
        window.document_listeners.append(self.refresh)

    @property
    def preprocess_pane(self) -> PreprocessPane | None:
        """The preprocessing pane, once built."""
        return self.preprocessing.pane  # type: ignore[no-any-return]

    @property
    def explain_pane(self) -> ExplainPane | None:
        """The Grad-CAM pane, once built."""
        return self.gradcam.pane  # type: ignore[no-any-return]

    def _load_preprocess(self) -> Any:
        module = importlib.import_module("skindesk.gui.preprocess_pane")
        return module.load_editor(self.window.settings)

    def _build_preprocess(self, master: tkinter.Misc, editor: Any) -> Any:
        from skindesk.gui.preprocess_pane import PreprocessPane

        return PreprocessPane(master, self.context, self.compare_view, editor,
                              self.analyse_preprocessed)

    def _build_explain(self, master: tkinter.Misc, _module: Any) -> Any:
        from skindesk.gui.explain_pane import ExplainPane

        return ExplainPane(master, self.context, self.explain_view)

    def _tab_changed(self) -> None:
        for tab in (self.preprocessing, self.gradcam):
            if tab.selected:
                self.window.ui.stage.show(tab.stage_name)
                tab.activate()
                return
        self.window.ui.stage.show("image")

    def refresh(self, doc: Any) -> None:
        """The current image, or its result, changed."""
        self.preprocessing.refresh(doc)
        self.gradcam.refresh(doc)

    def save_overlay(self) -> None:
        """File ▸ Save overlay as PNG… (Ctrl+S)."""
        pane = self.explain_pane
        if pane is None:
            self.window.errors.report(UserError(
                "There is no heat map to save yet: open the Grad-CAM tab (Ctrl+G) first."))
            return
        pane.save_overlay_dialog()

    def forget(self, doc_id: str) -> None:
        """An image was closed: drop its cached heat maps."""
        if self.explain_pane is not None:
            self.explain_pane.controller.forget(doc_id)

    def stop(self) -> None:
        """Drop pending work before the window closes."""
        for pane in (self.preprocess_pane, self.explain_pane):
            if pane is not None:
                pane.stop()
