"""The main window: image list | image viewer | patient form and result tabs.

The window is a Frame in a given root, built around an injected service
(tests pass a fake; the app passes None and the real one is created in a
worker). Its public methods are the user's actions (``open_paths``,
``select_index``, ``analyse_current``...), so tests drive it as a user
would and read the widgets' state back.

The analysis actions live in :mod:`.analysis_workflow`; the Preprocessing
and Grad-CAM tabs in :mod:`.tool_tabs` (tabs of the side notebook added with
:meth:`MainWindow.add_side_tab`, following the selected image through
:attr:`MainWindow.document_listeners`).
"""

from __future__ import annotations

import logging
import tkinter
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog
from typing import Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.about_dialog import AboutDialog
from skindesk.gui.analysis_workflow import AnalysisWorkflow
from skindesk.gui.backend import ModelLoader, ModelStatus, ServiceLike, default_service
from skindesk.gui.batch import BatchScanLauncher
from skindesk.gui.dnd import register_drop_target
from skindesk.gui.document_view import DocumentView, model_inputs
from skindesk.gui.documents import Assessment, ImageDocument, PatientFields
from skindesk.gui.errors import ErrorReporter
from skindesk.gui.history.wiring import install_history
from skindesk.gui.image_loading import IMAGE_SUFFIXES, expand_paths
from skindesk.gui.layout import MainLayout
from skindesk.gui.menus import MenuCommands, bind_shortcuts, build_menubar
from skindesk.gui.models.hook import open_models_dialog
from skindesk.gui.opening import Decoded, ImageOpener
from skindesk.gui.report_export import ReportExporter
from skindesk.gui.report_header import ReportHeaderDialog
from skindesk.gui.settings import GuiSettings, save_settings
from skindesk.gui.tasks import TaskRunner
from skindesk.gui.themes import other_theme, palette, use_theme
from skindesk.gui.tool_tabs import ToolTabs

log = logging.getLogger(__name__)


class MainWindow(ttk.Frame):
    """SkinDesk's main window.

    Args:
        root: The application root (its menu bar and shortcuts are set here).
        settings: Remembered window state; updated and saved on :meth:`quit`.
        service: The analysis service; None creates the real one in a worker.
        service_factory: How to create it when ``service`` is None.
        show_internal_dialog: How internal errors are shown (tests record them).
    """

    def __init__(
        self,
        root: tkinter.Tk,
        settings: GuiSettings,
        service: ServiceLike | None = None,
        *,
        service_factory: Callable[[], ServiceLike] = default_service,
        show_internal_dialog: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(root)
        self.root = root
        self.settings = settings
        self.documents: dict[str, ImageDocument] = {}
        self.current: ImageDocument | None = None
        self.document_listeners: list[Callable[[ImageDocument | None], None]] = []
        self._open_failures: list[str] = []
        self.runner = TaskRunner(self)
        scale = float(root.tk.call("tk", "scaling")) / (96 / 72)
        self.ui = MainLayout(self, settings, scale, self._layout_commands())
        self.errors = ErrorReporter(root, self.ui.message_bar.show, show_internal_dialog)
        self.errors.install()
        self.model = ModelLoader(self.runner, self._model_status, service, service_factory)
        self.opener = ImageOpener(self.runner, self.ui.thumb_size, self._decoded, self._decode_done)
        self.workflow = AnalysisWorkflow(self)
        self.analysis = self.workflow.controller
        self.view = DocumentView(self.ui, self.model, self.analysis)
        self.tools = ToolTabs(self)
        self.batch, self.report_export = BatchScanLauncher(self), ReportExporter(self)
        self.history = install_history(self)
        self.dark = tkinter.BooleanVar(self, settings.dark)
        commands = self._menu_commands()
        build_menubar(root, commands, self.dark, self.tools.analyse_preprocessed)
        bind_shortcuts(root, commands)
        targets = (self.ui.image_view.canvas, self.ui.filmstrip.tree)
        registered = [register_drop_target(w, self.open_paths) for w in targets]
        self.drop_enabled = all(registered)
        self.pack(fill="both", expand=True)
        self.apply_palette()
        self._show_document(None)
        root.protocol("WM_DELETE_WINDOW", self.quit)

    def start(self) -> None:
        """Create the service and load the model in the background."""
        self.model.start()

    # Opening and closing ------------------------------------------------------------
    def open_paths(self, paths: list[str]) -> list[ImageDocument]:
        """Open files (folders: the images inside); the first one is selected.

        A file already open is selected rather than opened twice; one that
        could not be read before is read again.
        """
        opened: list[ImageDocument] = []
        to_decode: list[ImageDocument] = []
        known = {d.path: d for d in self.documents.values()}
        for path in expand_paths(list(paths)):
            resolved = str(Path(path).resolve())
            doc = known.get(resolved)
            if doc is None:
                doc = ImageDocument(path=resolved, patient=self.ui.patient_form.values())
                self.documents[doc.id] = known[resolved] = doc
                self.ui.filmstrip.add(doc.id, doc.name)
                to_decode.append(doc)
            elif doc.load_error:
                doc.load_error = None
                to_decode.append(doc)
            opened.append(doc)
            self.settings.add_recent(resolved)
            self.settings.last_folder = str(Path(resolved).parent)
        if to_decode:
            self.opener.decode([(d.id, d.path) for d in to_decode])
        if opened:
            self.ui.filmstrip.select(opened[0].id)
        self.update_actions()
        return opened

    def open_dialog(self) -> None:
        """File ▸ Open…: choose image files."""
        types = [("Images", " ".join(f"*{s}" for s in IMAGE_SUFFIXES)), ("All files", "*")]
        chosen = filedialog.askopenfilenames(parent=self.root, title="Open images",
                                             initialdir=self.settings.last_folder or None,
                                             filetypes=types)
        if chosen:
            self.open_paths(list(self.root.tk.splitlist(chosen)))

    def paste_path(self) -> None:
        """File ▸ Paste path…: type or paste a file or folder path."""
        self.ui.path_bar.show()

    def close_current(self) -> None:
        """File ▸ Close image."""
        if self.current is not None:
            doc = self.current
            del self.documents[doc.id]
            self.tools.forget(doc.id)
            self.ui.filmstrip.remove(doc.id)
            if not self.documents:
                self._show_document(None)
            self.update_actions()

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
        zoomed = str(self.root.wm_state()) == "zoomed"
        self.settings.maximized = zoomed
        if not zoomed:
            self.settings.geometry = self.root.geometry()
        self.settings.pane_widths = self.ui.pane_widths()
        save_settings(self.settings)

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
        self.settings.theme = other_theme(self.settings.theme)
        use_theme(self.root.style, self.settings.theme)  # type: ignore[attr-defined]
        self.dark.set(self.settings.dark)
        self.apply_palette()

    def apply_palette(self) -> None:
        """Recolour the canvas drawings for the current theme."""
        self.ui.apply_palette(palette(self.root.style))  # type: ignore[attr-defined]

    def show_about(self) -> AboutDialog:
        """Help ▸ About."""
        return AboutDialog(self, self.model.card)

    def add_side_tab(self, widget: tkinter.Widget, text: str) -> None:
        """Add a pane (e.g. preprocessing, Grad-CAM) as a tab next to the result."""
        self.ui.notebook.add(widget, text=text)

    def records(self) -> list[dict[str, Any]]:
        """Every open image with its patient details, result and assessment."""
        return [doc.to_dict() for doc in self.documents.values()]

    # Callbacks ------------------------------------------------------------------------
    def _layout_commands(self) -> dict[str, Callable[..., Any]]:
        return {
            "open": self.open_dialog, "analyse": self.analyse_current,
            "analyse_all": self.analyse_all, "cancel": self.cancel_analysis,
            "select": self._selected, "patient": self._patient_changed,
            "assessment": self._assessment_changed, "open_paths": self.open_paths,
            "zoom": self.ui_zoom_changed,
        }

    def _menu_commands(self) -> MenuCommands:
        view = self.ui.image_view
        return MenuCommands(
            open=self.open_dialog, open_path=lambda p: self.open_paths([p]),
            recent_files=lambda: list(self.settings.recent_files),
            clear_recent=self.settings.recent_files.clear, paste_path=self.paste_path,
            close_image=self.close_current, quit=self.quit, analyse=self.analyse_current,
            analyse_all=self.analyse_all, fit=view.fit, actual_size=view.actual_size,
            toggle_theme=self.toggle_theme, about=self.show_about,
            show_preprocessing=self.show_preprocessing, show_explain=self.show_explain,
            save_overlay=self.save_overlay,
            scan_folder=self.batch.open, export_report=self.report_export.export,
            report_header=lambda: ReportHeaderDialog(self.root, self.settings, self.save_settings),
            models=lambda: open_models_dialog(self),
            patients=self.history.show_patients, save_to_patient=self.history.save_current,
        )

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

    def _selected(self, doc_id: str | None) -> None:
        self._show_document(self.documents.get(doc_id) if doc_id else None)

    def _patient_changed(self, fields: PatientFields) -> None:
        doc = self.current
        if doc is not None:
            model_inputs_changed = model_inputs(doc.patient) != model_inputs(fields)
            doc.patient = fields
            if doc.result is not None and model_inputs_changed:
                self.refresh_result()  # to say the result predates the change

    def _assessment_changed(self, assessment: Assessment) -> None:
        if self.current is not None:
            self.current.assessment = assessment.stamped()

    def _decoded(self, decoded: Decoded) -> None:
        doc = self.documents.get(decoded.doc_id)
        if doc is None:
            return
        if decoded.image is not None:
            doc.image = decoded.image
            self.ui.filmstrip.set_thumbnail(doc.id, decoded.image.thumbnail)
        else:
            doc.load_error = decoded.reason
            if decoded.error is not None and not isinstance(decoded.error, UserError):
                self.errors.report(decoded.error, context=f"reading {doc.name}")
            self._open_failures.append(f"{doc.name}: {doc.load_error}")
        self.view.show_list_status(doc)
        if doc is self.current:
            self._show_document(doc)
        self.update_actions()

    def _decode_done(self) -> None:
        failures, self._open_failures = self._open_failures, []
        if len(failures) == 1:
            self.errors.report(UserError(f"Cannot open {failures[0]}"))
        elif failures:
            self.errors.report(UserError(f"{len(failures)} files cannot be opened: "
                                         + "; ".join(failures)))
        self.update_actions()

    # Showing ---------------------------------------------------------------------------
    def _show_document(self, doc: ImageDocument | None) -> None:
        self.current = doc
        self.view.show(doc)
        self.update_actions()
        for listener in self.document_listeners:
            listener(doc)

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

