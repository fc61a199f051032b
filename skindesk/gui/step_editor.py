"""The selected step's switch and parameters, as widgets generated from its fields.

Numbers get a slider and a spin box (ranges from :mod:`skindesk.gui.param_specs`),
choices a read-only combobox, flags a check button. Every edit is snapped
to the parameter's step and handed to ``on_param``, which applies it
through the step's own validation and returns the error text, if any.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.param_specs import ParamSpec, relevant_specs
from skindesk.gui.units import px

ParamCallback = Callable[[str, Any], "str | None"]  # (name, value) -> error text


class StepEditor(ttk.Labelframe):
    """Edits one step.

    Args:
        master: Parent widget.
        on_enabled: Called with True/False when the step's switch changes.
        on_param: Called with (name, value); returns an error text or None.
    """

    def __init__(self, master: tkinter.Misc, on_enabled: Callable[[bool], None],
                 on_param: ParamCallback) -> None:
        super().__init__(master, text="Step", padding=(px(8), px(4)))
        self._on_enabled = on_enabled
        self._on_param = on_param
        self._quiet = False
        self.enabled = tkinter.BooleanVar(self, False)
        self.enabled_check = ttk.Checkbutton(self, text="Use this step", variable=self.enabled,
                                             command=lambda: self._on_enabled(self.enabled.get()))
        self.body = ttk.Frame(self)
        self.error = ttk.Label(self, bootstyle="danger", justify="left", wraplength=300)
        self.hint = ttk.Label(self, justify="left", wraplength=300)
        self.vars: dict[str, tkinter.Variable] = {}
        self.scales: dict[str, ttk.Scale] = {}
        self.spins: dict[str, ttk.Spinbox] = {}
        self.specs: dict[str, ParamSpec] = {}
        self.body.columnconfigure(1, weight=1)
        self.show(None, "")

    def show(self, step: Any, title: str) -> None:
        """Edit ``step`` (None: show a hint instead)."""
        for child in self.body.winfo_children():
            child.destroy()
        for widget in (self.enabled_check, self.body, self.error, self.hint):
            widget.pack_forget()
        self.vars, self.scales, self.spins, self.specs = {}, {}, {}, {}
        self.configure(text=title or "Step")
        if step is None:
            self.hint.configure(text="Select a step above to change its settings.")
            self.hint.pack(fill="x")
            return
        self._quiet = True
        self.enabled.set(step.enabled)
        self._quiet = False
        self.enabled_check.pack(anchor="w", pady=(0, px(4)))
        for row, spec in enumerate(relevant_specs(step)):
            self._add_row(row, spec, getattr(step, spec.name))
        self.body.pack(fill="x")
        self.error.configure(text="")
        self.error.pack(fill="x")

    def _add_row(self, row: int, spec: ParamSpec, value: Any) -> None:
        self.specs[spec.name] = spec
        ttk.Label(self.body, text=spec.label).grid(row=row, column=0, sticky="w",
                                                  padx=(0, px(6)), pady=px(2))
        if spec.kind == "bool":
            var: tkinter.Variable = tkinter.BooleanVar(self.body, value)
            ttk.Checkbutton(self.body, variable=var).grid(row=row, column=1, sticky="w")
            var.trace_add("write", lambda *_a, s=spec, v=var: self._apply(s, v.get()))
        elif spec.kind == "choice":
            var = tkinter.StringVar(self.body, value)
            box = ttk.Combobox(self.body, textvariable=var, values=spec.choices,
                               state="readonly", width=12)
            box.grid(row=row, column=1, columnspan=2, sticky="ew", pady=px(2))
            var.trace_add("write", lambda *_a, s=spec, v=var: self._apply(s, v.get()))
        else:
            var = self._add_number(row, spec, value)
        self.vars[spec.name] = var

    def _add_number(self, row: int, spec: ParamSpec, value: float) -> tkinter.Variable:
        var = tkinter.DoubleVar(self.body, min(max(value, spec.low), spec.high))
        text = tkinter.StringVar(self.body, spec.display(value))
        scale = ttk.Scale(self.body, from_=spec.low, to=spec.high, variable=var, length=120)
        spin = ttk.Spinbox(self.body, textvariable=text, from_=spec.low, to=spec.high,
                           increment=spec.step, width=7,
                           command=lambda: self._typed(spec, text))
        scale.grid(row=row, column=1, sticky="ew", pady=px(2))
        spin.grid(row=row, column=2, sticky="e", padx=(px(6), 0), pady=px(2))
        for key in ("<Return>", "<KP_Enter>", "<FocusOut>"):
            spin.bind(key, lambda _e: self._typed(spec, text))
        var.trace_add("write", lambda *_a: self._slid(spec, var, text))
        self.scales[spec.name], self.spins[spec.name] = scale, spin
        return var

    def _slid(self, spec: ParamSpec, var: tkinter.DoubleVar, text: tkinter.StringVar) -> None:
        if self._quiet:
            return
        try:
            value = spec.snap(var.get())
        except (tkinter.TclError, ValueError):
            return
        self._quiet = True
        try:
            text.set(spec.display(value))
        finally:
            self._quiet = False
        self._apply(spec, value)

    def _typed(self, spec: ParamSpec, text: tkinter.StringVar) -> None:
        try:
            value = spec.snap(float(text.get().replace(",", ".")))
        except ValueError:
            self.error.configure(text=f"{spec.label}: type a number")
            return
        self._quiet = True
        try:
            text.set(spec.display(value))
            self.vars[spec.name].set(value)
        finally:
            self._quiet = False
        self._apply(spec, value)

    def _apply(self, spec: ParamSpec, value: Any) -> None:
        if self._quiet:
            return
        problem = self._on_param(spec.name, value)
        self.error.configure(text=problem or "")

    def set_value(self, name: str, value: Any) -> None:
        """Set a parameter's widget as the user would (the change is applied)."""
        self.vars[name].set(value)  # for numbers, the slider's variable: snapped, shown, applied
