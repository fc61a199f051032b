"""Import model…: choose a Keras file, read it off the Tk thread, ask the rest, install.

The file is inspected in a worker (loading a large model takes seconds);
only what it cannot tell is asked in the form; installing copies it into
the user's model folder and proves it runs with a smoke prediction, also
in a worker. Every failure is shown in the dialog in words.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog
from typing import Any

import ttkbootstrap as ttk

from skindesk.core.modelcard import ModelCard
from skindesk.gui.models.feedback import MessageLine
from skindesk.gui.models.import_form import ImportForm
from skindesk.gui.models.workbench import ModelWorkbench
from skindesk.gui.tasks import Outcome, TaskRunner
from skindesk.gui.units import px

MODEL_TYPES = [("Keras models", "*.keras *.h5 *.hdf5"), ("All files", "*")]


def inspection_lines(inspection: Any) -> list[str]:
    """What was read off the model file, one fact a line."""
    legacy = " (legacy Keras 2 file read with tf_keras; kept as a SavedModel)" if inspection.legacy else ""
    size = inspection.input_size
    kind = inspection.output_kind
    return [
        f"{inspection.path.name}: {inspection.format} file{legacy}",
        f"Architecture: {inspection.architecture}, {inspection.parameters:,} parameters",
        f"Input: {size[0]}×{size[1]} RGB" if size else "Input: any size (asked below)",
        (f"Output: {kind} over {inspection.output_units} unit(s) ({inspection.output_evidence})"
         if kind else f"Output: {inspection.output_evidence}"),
        (f"Pixel scaling: {inspection.preprocessing} ({inspection.preprocessing_reason})"
         if inspection.preprocessing else "Pixel scaling: cannot tell (asked below)"),
        f"Grad-CAM layer: {inspection.gradcam_layer or 'none found (occlusion maps only)'}",
    ]


class ImportDialog(ttk.Toplevel):
    """The import window.

    Args:
        master: The Models dialog.
        workbench: Inspects and installs.
        on_installed: Called with the new model's card.
    """

    def __init__(self, master: tkinter.Misc, workbench: ModelWorkbench,
                 on_installed: Callable[[ModelCard], None]) -> None:
        parent = master.winfo_toplevel()
        super().__init__(title="Import model", master=parent, transient=parent, minsize=(620, 300))
        self._workbench, self._on_installed = workbench, on_installed
        self.runner = TaskRunner(self)
        self.inspection: Any = None
        self.installed: ModelCard | None = None
        body = ttk.Frame(self, padding=(px(18), px(16)))
        body.pack(fill="both", expand=True)
        row = ttk.Frame(body)
        row.pack(fill="x")
        ttk.Label(row, text="Model file:", font="TkHeadingFont").pack(side="left")
        self.path_label = ttk.Label(row, text="none chosen (.keras or legacy .h5)",
                                    wraplength=440, justify="left")
        self.path_label.pack(side="left", padx=px(8))
        ttk.Button(row, text="Choose file…", bootstyle="secondary",
                   command=self.choose_file).pack(side="right")
        self.facts = ttk.Label(body, justify="left", wraplength=600)
        self.facts.pack(anchor="w", pady=(px(10), px(6)))
        self.form = ImportForm(body)
        self.spinner = ttk.Progressbar(body, mode="indeterminate", length=220)
        self.message = MessageLine(body, wraplength=600)
        self.message.pack(anchor="w", pady=(px(8), 0))
        buttons = ttk.Frame(body)
        buttons.pack(side="bottom", fill="x", pady=(px(12), 0))
        ttk.Button(buttons, text="Close", bootstyle="secondary",
                   command=self.destroy).pack(side="right")
        self.install_button = ttk.Button(buttons, text="Install", bootstyle="primary",
                                         command=self.install, state="disabled")
        self.install_button.pack(side="right", padx=(0, px(8)))
        self.bind("<Escape>", lambda _e: self.destroy())

    def destroy(self) -> None:
        """Stop polling workers first (a model still loading is simply dropped)."""
        self.runner.close()
        super().destroy()

    def choose_file(self) -> None:
        """Ask for a model file, then inspect it."""
        chosen = filedialog.askopenfilename(parent=self, title="Model file to import",
                                            filetypes=MODEL_TYPES)
        if chosen:
            self.inspect(str(chosen))

    def inspect(self, path: str) -> None:
        """Read ``path``'s model in a worker; the questions follow."""
        self.inspection = None
        self.path_label.configure(text=path)
        self.facts.configure(text="")
        self.install_button.configure(state="disabled")
        self._set_busy(f"Reading {Path(path).name}… (a large model takes a while)")
        self.runner.run_in_thread(lambda: self._workbench.inspect(path), self._inspected,
                                  "model-inspect")

    def install(self) -> None:
        """Check the answers, then install and smoke-test in a worker."""
        card_data = self._plan()
        if card_data is None:
            return
        self.install_button.configure(state="disabled")
        self._set_busy(f"Installing {card_data['name']} and running a test prediction…")
        inspection = self.inspection
        self.runner.run_in_thread(lambda: self._workbench.install(inspection, card_data),
                                  self._installed, "model-install")

    # Steps ------------------------------------------------------------------------
    def _inspected(self, outcome: Outcome[Any]) -> None:
        self._set_busy(None)
        if not outcome.ok:
            assert outcome.error is not None
            self.message.show_error(outcome.error, "reading the model file")
            return
        self.inspection = outcome.value
        self.facts.configure(text="\n".join(inspection_lines(self.inspection)))
        self.form.start(self.inspection.path.stem)
        self.form.pack(fill="x", pady=(px(4), 0), before=self.message)
        if self._plan(first=True) is not None:
            self.message.show("Everything needed was read from the file. Check the name, "
                              "then Install.", "info")
        self.install_button.configure(state="normal")

    def _plan(self, first: bool = False) -> dict[str, Any] | None:
        """The card to write, or None after asking for what is missing or showing an error."""
        from skindesk.core.model_import.install import MissingOptionsError

        try:
            return self._workbench.plan(self.inspection, self.form.options())
        except MissingOptionsError as missing:
            self.form.ask(missing.fields)
            intro = "The file does not tell everything: please answer" if first else "Please answer"
            self.message.show(f"{intro} {self._field_names(missing.fields)}.", "error")
        except Exception as error:  # noqa: BLE001 - a contradiction or a bug: shown here
            self.message.show_error(error, "planning the import")
        return None

    @staticmethod
    def _field_names(fields: list[str]) -> str:
        from skindesk.gui.models.import_form import QUESTIONS

        return ", ".join(QUESTIONS[f][0].lower() for f in fields if f in QUESTIONS)

    def _installed(self, outcome: Outcome[tuple[ModelCard, dict[str, Any]]]) -> None:
        self._set_busy(None)
        if not outcome.ok or outcome.value is None:
            assert outcome.error is not None
            self.message.show_error(outcome.error, "installing the model")
            self.install_button.configure(state="normal")
            return
        card, smoke = outcome.value
        self.installed = card
        self.message.show(
            f"Installed {card.name} [{card.id}]. Test prediction on a generated image: "
            f"P(malignant) {smoke['malignant_probability']:.3f}, probabilities sum to 1 "
            f"({smoke['seconds']:.1f} s). Its threshold is the default 0.5, not validated: "
            "evaluate it on your own labelled images and choose an operating point.", "ok")
        self._on_installed(card)

    def _set_busy(self, text: str | None) -> None:
        if text is None:
            self.spinner.stop()
            self.spinner.pack_forget()
            return
        self.message.show(text, "info")
        self.spinner.pack(anchor="w", pady=(px(6), 0), after=self.message)
        self.spinner.start(15)
