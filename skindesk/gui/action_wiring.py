"""Which of the main window's actions its layout, menus, shortcuts and drop targets call.

The menu bar and shortcuts themselves are built by :mod:`.menus` from a
:class:`~skindesk.gui.menus.MenuCommands`; this module fills that in with
the window's actions (and the dialogs opened from the menus), gives the
:class:`~skindesk.gui.layout.MainLayout` its callbacks, and lets files
dropped on the viewer or the image list be opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from skindesk.gui.dnd import register_drop_target
from skindesk.gui.menus import MenuCommands, bind_shortcuts, build_menubar
from skindesk.gui.models.hook import open_models_dialog
from skindesk.gui.report_header import ReportHeaderDialog

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow


def layout_commands(window: MainWindow) -> dict[str, Callable[..., Any]]:
    """What the toolbar, image list, forms and viewer of ``window`` call.

    Built before the layout, so it may only name ``window``'s methods and
    its :class:`~skindesk.gui.document_selection.DocumentSelection`.
    """
    selection = window.selection
    return {
        "open": window.open_dialog, "analyse": window.analyse_current,
        "analyse_all": window.analyse_all, "cancel": window.cancel_analysis,
        "select": selection.select, "patient": selection.patient_changed,
        "assessment": selection.assessment_changed, "open_paths": window.open_paths,
        "zoom": window.ui_zoom_changed,
    }


def menu_commands(window: MainWindow) -> MenuCommands:
    """The actions of ``window`` behind each menu item and shortcut."""
    view, settings = window.ui.image_view, window.settings
    return MenuCommands(
        open=window.open_dialog, open_path=lambda p: window.open_paths([p]),
        recent_files=lambda: list(settings.recent_files),
        clear_recent=settings.recent_files.clear, paste_path=window.paste_path,
        close_image=window.close_current, quit=window.quit, analyse=window.analyse_current,
        analyse_all=window.analyse_all, fit=view.fit, actual_size=view.actual_size,
        toggle_theme=window.toggle_theme, about=window.show_about,
        show_preprocessing=window.show_preprocessing, show_explain=window.show_explain,
        save_overlay=window.save_overlay,
        scan_folder=window.batch.open, export_report=window.report_export.export,
        report_header=lambda: ReportHeaderDialog(window.root, settings, window.save_settings),
        models=lambda: open_models_dialog(window),
        patients=window.history.show_patients, save_to_patient=window.history.save_current,
    )


def install_menus(window: MainWindow) -> None:
    """Give the root of ``window`` its menu bar and keyboard shortcuts."""
    commands = menu_commands(window)
    build_menubar(window.root, commands, window.dark, window.tools.analyse_preprocessed)
    bind_shortcuts(window.root, commands)


def install_drop_targets(window: MainWindow) -> bool:
    """Open files dropped on the viewer or the image list; False when drops are unavailable."""
    targets = (window.ui.image_view.canvas, window.ui.filmstrip.tree)
    registered = [register_drop_target(w, window.open_paths) for w in targets]
    return all(registered)
