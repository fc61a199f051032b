"""The Preprocessing tab: choose a preset, switch and tune steps, see the result live.

Every edit updates the pipeline (remembered in the settings) and asks the
:class:`~skindesk.gui.preview.PreviewController` for a new preview, which is
computed in a worker once the edits pause and drawn on the main window's
:class:`~skindesk.gui.compare_view.CompareView`. This module imports the
engine's preprocessing; the window imports it lazily.
"""

from __future__ import annotations

import tkinter
from typing import Any

import ttkbootstrap as ttk
from PIL import Image

from skindesk.core.errors import UserError
from skindesk.core.preprocess import preset_names
from skindesk.gui.compare_view import CompareView
from skindesk.gui.context import PaneContext
from skindesk.gui.latest_job import LatestJob
from skindesk.gui.pipeline_editor import PipelineEditor, pipeline_from_settings
from skindesk.gui.preview import DEBOUNCE_MS, Preview, PreviewController
from skindesk.gui.step_editor import StepEditor
from skindesk.gui.step_list import ORIGINAL, StepList
from skindesk.gui.units import px

CAUTION = ("The model learnt from images without this preprocessing, so it can change the "
           "model's estimate a lot; compare both before relying on either.")


def load_editor(settings: Any) -> PipelineEditor:
    """The editor for the remembered pipeline (worker thread: imports the engine)."""
    pipeline = pipeline_from_settings(settings.preprocessing_preset, settings.preprocessing)
    return PipelineEditor(pipeline, settings.preprocessing_preset or "none")


class PreprocessPane(ttk.Frame):
    """The tab's controls; the picture goes to ``view``.

    Args:
        master: The notebook page.
        context: Runner, model, settings, errors.
        view: Where before/after are drawn.
        editor: The pipeline being edited (see :func:`load_editor`).
        analyse_var: Backs "Analyse the preprocessed image" (shared with the menu).
    """

    def __init__(self, master: tkinter.Misc, context: PaneContext, view: CompareView,
                 editor: PipelineEditor, analyse_var: tkinter.BooleanVar) -> None:
        super().__init__(master, padding=(px(10), px(8)))
        self.context, self.view, self.editor = context, view, editor
        self.previews = PreviewController(context, self, view, self._set_status,
                                          self._show_preview)
        self.preset = tkinter.StringVar(self, editor.preset)
        self.mode = tkinter.StringVar(self, context.settings.compare_mode)
        self._build(analyse_var)
        self.preset.trace_add("write", lambda *_a: self.choose_preset(self.preset.get()))
        self.mode.trace_add("write", lambda *_a: self._mode_changed())
        self.view.set_mode(self.mode.get())
        self._refresh_steps(selected=len(editor.steps) - 1)

    def _build(self, analyse_var: tkinter.BooleanVar) -> None:
        top = ttk.Frame(self)
        top.pack(fill="x")
        ttk.Label(top, text="Preset").pack(side="left", padx=(0, px(6)))
        self.preset_box = ttk.Combobox(top, textvariable=self.preset, state="readonly",
                                       values=preset_names(), width=20)
        self.preset_box.pack(side="left", fill="x", expand=True)
        self.save_button = ttk.Button(top, text="Save preset…", bootstyle="secondary",
                                      command=self.save_preset_dialog)
        self.save_button.pack(side="left", padx=(px(6), 0))
        self.modified_label = ttk.Label(self, bootstyle="secondary")
        self.modified_label.pack(fill="x", pady=(px(2), px(4)))
        self.steps = StepList(self, self.toggle_step, self._step_selected)
        self.steps.pack(fill="x")
        self.step_editor = StepEditor(self, self._enabled_changed, self._param_changed)
        self.step_editor.pack(fill="x", pady=(px(8), px(4)))
        modes = ttk.Frame(self)
        modes.pack(fill="x", pady=px(4))
        ttk.Label(modes, text="Compare").pack(side="left", padx=(0, px(8)))
        self.mode_buttons = {
            value: ttk.Radiobutton(modes, text=text, value=value, variable=self.mode)
            for value, text in (("side", "Side by side"), ("split", "Split slider"))}
        for button in self.mode_buttons.values():
            button.pack(side="left", padx=(0, px(10)))
        self.analyse_check = ttk.Checkbutton(self, text="Analyse the preprocessed image",
                                             variable=analyse_var)
        self.analyse_check.pack(anchor="w", pady=(px(6), px(2)))
        self.caution = ttk.Label(self, text=CAUTION, justify="left", bootstyle="warning",
                                 wraplength=320)
        self.caution.pack(fill="x")
        self.status = ttk.Label(self, justify="left", bootstyle="secondary", wraplength=320)
        self.status.pack(fill="x", pady=(px(4), 0))
        self.bind("<Configure>", lambda e: [label.configure(wraplength=max(e.width - 30, 150))
                                            for label in (self.status, self.caution)])

    # Actions ----------------------------------------------------------------------
    def choose_preset(self, name: str) -> None:
        """Start again from a preset."""
        if name == self.editor.preset and not self.editor.modified:
            return
        try:
            self.editor.load_preset(name)
        except UserError as error:
            self.context.errors.report(error)
            return
        self._refresh_steps(selected=len(self.editor.steps) - 1)
        self._changed(delay_ms=0)

    def toggle_step(self, index: int) -> None:
        """Switch step ``index`` on or off."""
        self.editor.set_enabled(index, not self.editor.steps[index].enabled)
        self._step_changed(index)

    def save_preset(self, name: str) -> bool:
        """Save the steps as the user preset ``name``; False (message shown) if refused."""
        try:
            self.editor.save_as(name)
        except UserError as error:
            self.context.errors.report(error, context="Preset not saved: ")
            return False
        self.preset_box.configure(values=preset_names())
        self._set_preset_var(self.editor.preset)
        self._changed(delay_ms=None, preview=False)
        self.context.set_status(f"Preset “{self.editor.preset}” saved.")
        return True

    def save_preset_dialog(self) -> None:
        """Ask for a name, then save the preset."""
        from ttkbootstrap.dialogs import Querybox

        name = Querybox.get_string("Name of the new preset:", "Save preprocessing preset",
                                   parent=self.winfo_toplevel())
        if name:
            self.save_preset(name)

    def show_document(self, doc: Any) -> None:
        """Preview ``doc`` (when the tab is shown or the image changes)."""
        if doc is self.previews.doc and self.previews.preview is not None:
            return  # already previewed, or on its way
        self.previews.request(doc, self.editor.pipeline, delay_ms=0)

    def stop(self) -> None:
        """Drop pending previews (the window is closing)."""
        self.job.cancel()

    @property
    def job(self) -> LatestJob:
        """The preview worker (tests count its runs)."""
        return self.previews.job

    @property
    def preview(self) -> Preview | None:
        """The latest preview of the current image."""
        return self.previews.preview

    @property
    def shown_after(self) -> Image.Image | None:
        """The processed picture on screen (tests compare it)."""
        return self.view.after_image

    # Editing ------------------------------------------------------------------------
    def _step_selected(self, index: int) -> None:
        step = None if index == ORIGINAL else self.editor.steps[index]
        self.step_editor.show(step, self._title(index))
        self._show_preview()

    def _enabled_changed(self, enabled: bool) -> None:
        index = self.steps.selected
        if index != ORIGINAL:
            self.editor.set_enabled(index, enabled)
            self._step_changed(index)

    def _param_changed(self, name: str, value: Any) -> str | None:
        index = self.steps.selected
        if index == ORIGINAL:
            return None
        try:
            self.editor.set_param(index, name, value)
        except UserError as error:
            return str(error)
        choices_changed = self.step_editor.specs[name].kind == "choice"
        if choices_changed:  # e.g. another denoise method has other parameters
            self.after_idle(lambda: self.step_editor.show(self.editor.steps[index],
                                                          self._title(index)))
        self._step_changed(index)
        return None

    def _step_changed(self, index: int) -> None:
        step = self.editor.steps[index]
        self.steps.update_step(index, step.enabled, step.summary)
        if index == self.steps.selected:
            self.step_editor.enabled.set(step.enabled)
            self.step_editor.configure(text=self._title(index))
        self._changed()

    def _changed(self, delay_ms: int | None = DEBOUNCE_MS, preview: bool = True) -> None:
        settings = self.context.settings
        settings.preprocessing_preset = self.editor.preset
        settings.preprocessing = self.editor.pipeline.to_dict()
        self.modified_label.configure(
            text="Modified: not saved as a preset." if self.editor.modified else "")
        if preview and delay_ms is not None and self.previews.doc is not None:
            self.previews.request(self.previews.doc, self.editor.pipeline, delay_ms)

    def _refresh_steps(self, selected: int) -> None:
        self._set_preset_var(self.editor.preset)
        self.steps.set_steps([(s.enabled, s.summary) for s in self.editor.steps], selected)
        self._step_selected(selected)
        self._changed(delay_ms=None)

    def _set_preset_var(self, name: str) -> None:
        if self.preset.get() != name:
            self.preset.set(name)  # choose_preset ignores the unchanged preset

    def _mode_changed(self) -> None:
        self.context.settings.compare_mode = self.mode.get()
        self.view.set_mode(self.mode.get())

    def _title(self, index: int) -> str:
        if index == ORIGINAL:
            return "Original image"
        return f"Step {index + 1}: {self.editor.steps[index].label}"

    def _set_status(self, text: str) -> None:
        self.status.configure(text=text)

    def _show_preview(self) -> None:
        index = self.steps.selected
        last = index == len(self.editor.steps) - 1
        self.previews.show(index, "Result" if last else "Original" if index == ORIGINAL
                           else self._title(index))
