"""Choose operating point…: a threshold for a target sensitivity or by Youden's index.

The threshold is chosen on a stored evaluation's images (their P(malignant)
was kept with the report), shown with the sensitivity and specificity it
gives and their 95% CIs, and saved into the model's card with the dataset
named. Bundled models are read-only: the point is shown, not saved.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ttkbootstrap as ttk

from skindesk.core.evaluation.store import StoredEvaluation
from skindesk.core.evaluation.summary import fmt_ci
from skindesk.core.modelcard import ModelCard
from skindesk.gui.models.feedback import MessageLine
from skindesk.gui.models.workbench import ModelWorkbench
from skindesk.gui.presenters import probability_text
from skindesk.gui.units import px

#: (key, label, target sensitivity or None for Youden)
CHOICES = (("0.90", "Sensitivity at least 0.90", 0.90),
           ("0.95", "Sensitivity at least 0.95", 0.95),
           ("youden", "Youden index (best sensitivity + specificity)", None))
CAVEAT = ("Chosen on these same images: expect somewhat lower numbers on new images. Choose it on "
          "a validation set, not on the test images you report.")


def describe_point(chosen: dict[str, Any]) -> str:
    """The chosen threshold and what it does, in words."""
    counts = chosen["counts"]
    return (f"Threshold {probability_text(chosen['threshold'], 3)} on P(malignant).\n"
            f"Sensitivity {chosen['sensitivity']:.2f} ({fmt_ci(chosen['sensitivity_ci'])}): "
            f"flags {counts['malignant_flagged']} of {counts['malignant']} malignant lesions.\n"
            f"Specificity {chosen['specificity']:.2f} ({fmt_ci(chosen['specificity_ci'])}): "
            f"clears {counts['benign_cleared']} of {counts['benign']} benign lesions.")


def dataset_line(stored: StoredEvaluation) -> str:
    """Which images the threshold is chosen on, and when they were evaluated."""
    report = stored.report
    data, counts = report.get("dataset", {}), report.get("counts", {})
    split = f", split '{data['split']}'" if data.get("split") else ""
    return (f"Chosen on: {data.get('path', '?')}{split}: {report.get('n', '?')} images analysed "
            f"({counts.get('malignant', '?')} malignant, {counts.get('benign', '?')} benign), "
            f"evaluated {stored.created.replace('T', ' ')}")


class OperatingPointDialog(ttk.Toplevel):
    """Pick a rule, see the resulting threshold, save it into the card.

    Args:
        master: The Models dialog.
        workbench: Chooses and saves.
        card: The model's current card.
        stored: The evaluation whose images the threshold is chosen on.
        on_saved: Called with the card's path after saving.
    """

    def __init__(self, master: tkinter.Misc, workbench: ModelWorkbench, card: ModelCard,
                 stored: StoredEvaluation, on_saved: Callable[[Path], None]) -> None:
        super().__init__(title=f"Operating point · {card.name}", master=master.winfo_toplevel(),
                         transient=master.winfo_toplevel(), resizable=(False, False))
        self._workbench, self._card, self._stored, self._on_saved = workbench, card, stored, on_saved
        self.chosen: dict[str, Any] | None = None
        body = ttk.Frame(self, padding=(px(18), px(16)))
        body.pack(fill="both", expand=True)
        ttk.Label(body, text=dataset_line(stored), wraplength=560, justify="left").pack(anchor="w")
        ttk.Label(body, text=(f"Current threshold: {probability_text(card.threshold.value, 3)} "
                              f"({card.threshold.method or 'method not stated'})"),
                  wraplength=560, justify="left", bootstyle="secondary").pack(
            anchor="w", pady=(px(4), px(10)))
        self.rule = tkinter.StringVar(self, CHOICES[0][0])
        for key, label, _target in CHOICES:
            ttk.Radiobutton(body, text=label, value=key, variable=self.rule,
                            command=self.recompute).pack(anchor="w", pady=px(2))
        self.result = ttk.Label(body, justify="left", font="TkHeadingFont", wraplength=560)
        self.result.pack(anchor="w", pady=(px(12), px(4)))
        ttk.Label(body, text=CAVEAT, wraplength=560, justify="left",
                  bootstyle="secondary").pack(anchor="w")
        self.message = MessageLine(body, wraplength=560)
        self.message.pack(anchor="w", pady=(px(8), 0))
        buttons = ttk.Frame(body)
        buttons.pack(fill="x", pady=(px(12), 0))
        ttk.Button(buttons, text="Close", bootstyle="secondary",
                   command=self.destroy).pack(side="right")
        self.save_button = ttk.Button(buttons, text="Save into the model card",
                                      bootstyle="primary", command=self.save)
        self.save_button.pack(side="right", padx=(0, px(8)))
        self._read_only = workbench.read_only_reason(card.id)
        if self._read_only:
            self.save_button.configure(state="disabled")
            self.message.show(self._read_only, "info")
        self.bind("<Escape>", lambda _e: self.destroy())
        self.recompute()

    def recompute(self) -> None:
        """Choose the threshold by the selected rule and show it."""
        target = next(t for key, _label, t in CHOICES if key == self.rule.get())
        try:
            self.chosen = self._workbench.operating_point(self._stored, target, target is None)
        except Exception as error:  # noqa: BLE001 - shown in the dialog (user error or logged bug)
            self.chosen = None
            self.result.configure(text="")
            self.message.show_error(error, "choosing an operating point")
            self.save_button.configure(state="disabled")
            return
        self.result.configure(text=describe_point(self.chosen))
        if not self._read_only:
            self.save_button.configure(state="normal")

    def save(self) -> None:
        """Write the chosen threshold into the card."""
        if self.chosen is None:
            return
        try:
            path = self._workbench.save_operating_point(self._card.id, self.chosen, self._stored)
        except Exception as error:  # noqa: BLE001 - shown in the dialog
            self.message.show_error(error, "saving the threshold")
            return
        self.message.show(f"Saved: the threshold of {self._card.name} is now "
                          f"{probability_text(self.chosen['threshold'], 3)} "
                          f"({self.chosen['method']}).", "ok")
        self._on_saved(path)
