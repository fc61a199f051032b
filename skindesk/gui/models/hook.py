"""Analysis ▸ Models… in the main window, and the window following the dialog's changes.

When the default model changes, open images analysed with another model
lose their results (after the user agreed), since the result tab reads
them through the current model's card; the window then loads the new model
in the background, its status bar saying so. When the loaded model's card
changes (a new threshold), the window reads it again.
"""

from __future__ import annotations

import weakref
from tkinter import messagebox
from typing import TYPE_CHECKING

from skindesk.core.modelcard import ModelCard

if TYPE_CHECKING:  # the dialog module is imported when first opened, not at start-up
    from skindesk.gui.main_window import MainWindow
    from skindesk.gui.models.dialog import ModelsDialog

_dialogs: weakref.WeakKeyDictionary[MainWindow, ModelsDialog] = weakref.WeakKeyDictionary()


def ask_ok_cancel(parent: ModelsDialog | MainWindow, title: str, text: str) -> bool:
    """A modal question (tests replace it)."""
    return bool(messagebox.askokcancel(title, text, parent=parent))


class MainWindowModels:
    """The main window's side of the Models dialog (a ``ModelsListener``)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def _analysed_with_other(self, model_id: str) -> list:
        return [doc for doc in self.window.documents.values()
                if doc.prediction is not None and doc.prediction.model_id != model_id]

    def confirm_default_change(self, card: ModelCard) -> bool:
        """Refuse during an analysis; ask before results of another model are cleared."""
        parent = _dialogs.get(self.window) or self.window
        if self.window.analysis.running:
            messagebox.showinfo("Analysis running", "Wait for the running analysis to finish, "
                                "then switch the default model.", parent=parent)
            return False
        analysed = self._analysed_with_other(card.id)
        if not analysed:
            return True
        return ask_ok_cancel(parent, "Switch the default model?", (
            f"{len(analysed)} open image(s) were analysed with another model. Switching clears "
            f"those results (not the clinician's notes); analyse them again with {card.name}."))

    def default_changed(self, card: ModelCard) -> None:
        """Clear results of other models and load the new default in the background."""
        for doc in self._analysed_with_other(card.id):
            doc.result = None
            doc.analysed_patient = None
            self.window.view.show_list_status(doc)
        self.window.model.reload()
        self.window.refresh_result()
        self.window.update_actions()

    def card_changed(self, card: ModelCard) -> None:
        """Read the card again when it is the loaded model's."""
        loaded = self.window.model.card
        if loaded is not None and loaded.id == card.id:
            self.window.model.reload()


def open_models_dialog(window: MainWindow) -> ModelsDialog:
    """Show the window's Models dialog (raised when it is open already)."""
    from skindesk.gui.models.dialog import ModelsDialog
    from skindesk.gui.models.workbench import ModelWorkbench

    dialog = _dialogs.get(window)
    if dialog is not None and dialog.winfo_exists():
        dialog.deiconify()
        dialog.lift()
        return dialog
    # The window's service, so evaluations and imports run in its engine process.
    workbench = ModelWorkbench(service_factory=window.model.wait_for_service)
    dialog = ModelsDialog(window, workbench, listener=MainWindowModels(window))
    _dialogs[window] = dialog
    return dialog


def models_dialog_of(window: MainWindow) -> ModelsDialog | None:
    """The window's open Models dialog, or None."""
    dialog = _dialogs.get(window)
    return dialog if dialog is not None and dialog.winfo_exists() else None
