"""The Models dialog: installed models, their cards and validation results, and actions.

Left, the models (the default starred); right, the selected model's card and
its stored evaluations. Below: Set as default, Evaluate on (a folder per
class or a labels CSV) with progress and Cancel, and Import model…. What
the main window must do when the default or a card changes goes through a
:class:`ModelsListener`.
"""

from __future__ import annotations

import tkinter
from pathlib import Path
from typing import Protocol

import ttkbootstrap as ttk

from skindesk.core.modelcard import ModelCard
from skindesk.gui.model_card_panel import ModelCardPanel
from skindesk.gui.models.evaluate_flow import (
    EvaluateFlow,
    EvaluationOutcome,
    ProgressStrip,
    ask_dataset,
)
from skindesk.gui.models.feedback import MessageLine
from skindesk.gui.models.import_dialog import ImportDialog
from skindesk.gui.models.model_list import ModelList
from skindesk.gui.models.operating_point import OperatingPointDialog
from skindesk.gui.models.report_actions import ReportActions
from skindesk.gui.models.validation_tab import ValidationTab
from skindesk.gui.models.workbench import ModelWorkbench
from skindesk.gui.tasks import TaskRunner
from skindesk.gui.units import px


class ModelsListener(Protocol):
    """What the main window does when the dialog changes models."""

    def confirm_default_change(self, card: ModelCard) -> bool: ...

    def default_changed(self, card: ModelCard) -> None: ...

    def card_changed(self, card: ModelCard) -> None: ...


class ModelsDialog(ttk.Toplevel):
    """Analysis ▸ Models….

    Args:
        master: The main window.
        workbench: The dialog's access to models (a real one when None).
        listener: Told when the default model or a card changes.
    """

    def __init__(self, master: tkinter.Misc, workbench: ModelWorkbench | None = None,
                 listener: ModelsListener | None = None) -> None:
        parent = master.winfo_toplevel()
        super().__init__(title="Models", master=parent, transient=parent, minsize=(900, 560))
        self.workbench = workbench or ModelWorkbench()
        self.listener = listener
        self.runner = TaskRunner(self)
        self._build()
        self.reports = ReportActions(self, self.runner, self.workbench, self.message)
        self.flow = EvaluateFlow(self.runner, self.workbench, self.progress, self._running,
                                 self._evaluation_finished)
        self.bind("<Escape>", lambda _e: self.destroy())
        width, height = self.winfo_pixels(px(1200)), self.winfo_pixels(px(720))
        self.geometry(f"{width}x{height}+{parent.winfo_rootx() + 40}+{parent.winfo_rooty() + 30}")
        self.update_idletasks()
        self.panes.sashpos(0, self.winfo_pixels(px(495)))  # the list's columns, uncut
        self.refresh()

    def _build(self) -> None:
        body = ttk.Frame(self, padding=(px(12), px(10)))
        body.pack(fill="both", expand=True)
        self.panes = panes = ttk.Panedwindow(body, orient="horizontal")
        left = ttk.Frame(panes, padding=(0, 0, px(8), 0))
        ttk.Label(left, text="Installed models", font="TkHeadingFont").pack(anchor="w")
        self.models = ModelList(left, self._model_selected)
        self.models.pack(fill="both", expand=True, pady=(px(4), px(8)))
        ttk.Button(left, text="Import model…", bootstyle="secondary",
                   command=self.import_model).pack(anchor="w")
        self.notebook = ttk.Notebook(panes)
        self.card_panel = ModelCardPanel(self.notebook)
        self.validation = ValidationTab(self.notebook, {
            "open_pdf": lambda: self.reports.open_pdf(self.validation.selected),
            "save_pdf": lambda: self.reports.save_pdf(self.validation.selected),
            "operating_point": self.choose_operating_point})
        self.notebook.add(self.card_panel, text="Model card")
        self.notebook.add(self.validation, text="Validation results")
        panes.add(left, weight=2)
        panes.add(self.notebook, weight=3)
        panes.pack(fill="both", expand=True)
        self.message = MessageLine(body, wraplength=1000)
        self.message.pack(fill="x", pady=(px(8), 0))
        bar = ttk.Frame(body)
        bar.pack(fill="x", pady=(px(8), 0))
        self.default_button = ttk.Button(bar, text="Set as default", bootstyle="primary",
                                         command=self.set_default)
        self.evaluate_button = ttk.Menubutton(bar, text="Evaluate on…", bootstyle="secondary")
        self.evaluate_menu = ttk.Menu(self.evaluate_button, tearoff=False)
        self.evaluate_menu.add_command(label="Folder per class…",
                                       command=lambda: self.choose_dataset("folder"))
        self.evaluate_menu.add_command(label="Labels CSV…", command=lambda: self.choose_dataset("csv"))
        self.evaluate_button.configure(menu=self.evaluate_menu)
        self.progress = ProgressStrip(bar, self.cancel_evaluation)
        self.default_button.pack(side="left")
        self.evaluate_button.pack(side="left", padx=(px(8), 0))
        ttk.Button(bar, text="Close", bootstyle="secondary", command=self.destroy).pack(side="right")

    def destroy(self) -> None:
        """Cancel a running evaluation and stop polling before the widgets go."""
        self.flow.cancel()
        self.runner.close()
        super().destroy()

    # Models ---------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        """Read the installed models and cards again."""
        self.models.set_models(self.workbench.models(), select)

    @property
    def selected_card(self) -> ModelCard | None:
        """The card of the selected model."""
        entry = self.models.entries.get(self.models.selected or "")
        return entry.card if entry else None

    def _model_selected(self, model_id: str) -> None:
        entry = self.models.entries[model_id]
        self.card_panel.show_card(entry.card)
        self.validation.set_evaluations(self.workbench.evaluations(model_id))
        self.default_button.configure(state="disabled" if entry.default else "normal")

    def set_default(self) -> None:
        """Make the selected model the default; the main window switches to it."""
        entry = self.models.entries.get(self.models.selected or "")
        if entry is None or entry.default:
            return
        if self.listener is not None and not self.listener.confirm_default_change(entry.card):
            return
        try:
            self.workbench.set_default(entry.card.id)
        except Exception as error:  # noqa: BLE001 - shown in the dialog
            self.message.show_error(error, "setting the default model")
            return
        self.refresh(select=entry.card.id)
        self.message.show(f"{entry.card.name} is now the default model; the main window is "
                          "loading it.", "ok")
        if self.listener is not None:
            self.listener.default_changed(entry.card)

    def import_model(self) -> ImportDialog:
        """Import model…: a window of its own; the list follows when it installs."""
        return ImportDialog(self, self.workbench, lambda card: self.refresh(select=card.id))

    # Evaluation -----------------------------------------------------------------------
    def choose_dataset(self, kind: str) -> None:
        """Ask for a labelled folder ('folder') or CSV ('csv'), then evaluate on it."""
        chosen = ask_dataset(self, kind)
        if chosen:
            self.evaluate(chosen)

    def evaluate(self, dataset: str) -> bool:
        """Evaluate the selected model on ``dataset`` in the background."""
        card = self.selected_card
        if card is None:
            return False
        self.message.clear()
        return self.flow.start(dataset, card.id)

    def cancel_evaluation(self) -> None:
        """The progress strip's Cancel."""
        self.flow.cancel()

    def _running(self, running: bool) -> None:
        self.evaluate_button.configure(state="disabled" if running else "normal")
        if running:
            self.progress.pack(side="left", padx=(px(16), 0))
        else:
            self.progress.pack_forget()

    def _evaluation_finished(self, outcome: EvaluationOutcome) -> None:
        if outcome.error is not None:
            self.message.show_error(outcome.error, "evaluating the model")
            return
        if outcome.cancelled or outcome.stored is None:
            self.message.show("Evaluation cancelled; nothing was stored.", "info")
            return
        stored, report = outcome.stored, outcome.stored.report
        if self.models.selected != stored.model_id:
            self.models.select(stored.model_id)
        self.validation.set_evaluations(self.workbench.evaluations(stored.model_id), stored.path)
        self.notebook.select(self.validation)
        failed = report["dataset"]["n_failed"]
        note = f" {failed} file(s) could not be analysed (listed in the report)." if failed else ""
        self.message.show(f"Evaluated {report['model']['name']} on {report['n']} images; the "
                          f"result is stored with the model's validation results.{note}", "ok")

    def choose_operating_point(self) -> OperatingPointDialog | None:
        """Choose operating point… on the selected stored evaluation."""
        stored, card = self.validation.selected, self.selected_card
        if stored is None or card is None:
            return None
        return OperatingPointDialog(self, self.workbench, self.workbench.card(card.id), stored,
                                    self._threshold_saved)

    def _threshold_saved(self, _path: Path) -> None:
        card = self.selected_card
        if card is None:
            return
        self.refresh(select=card.id)
        if self.listener is not None:
            self.listener.card_changed(self.workbench.card(card.id))
