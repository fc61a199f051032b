"""The questions of Import model…: a name, and only what the model file could not tell."""

from __future__ import annotations

import tkinter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import ttkbootstrap as ttk

from skindesk.core.errors import SettingsError
from skindesk.gui.units import px

if TYPE_CHECKING:  # the import machinery pulls in the engine: loaded when first used
    from skindesk.core.model_import.install import ImportOptions

#: Pixel scalings as offered, with the networks that use them (the key is the first word).
SCALINGS = (
    "rescale: pixels / 255 (most custom CNNs)",
    "imagenet-caffe: BGR minus the ImageNet mean (ResNet50, VGG16)",
    "imagenet-torch: / 255 then ImageNet mean and std (DenseNet)",
    "minus-one-one: scaled to -1…1 (MobileNetV2, Xception, Inception)",
    "none: raw 0-255 pixels (the model scales them itself)",
)
#: field -> (label, hint)
QUESTIONS = {
    "classes": ("Classes", ("Class ids in the order of the model's outputs, comma-separated, "
                "e.g. akiec,bcc,bkl,df,mel,nv,vasc")),
    "malignant": ("Malignant classes", "Which of those classes count as malignant, comma-separated"),
    "input_size": ("Input size", "The image size the model was trained at, in pixels (N×N)"),
    "preprocessing": ("Pixel scaling", "How the training notebook scaled the pixels"),
}


def _split(text: str) -> list[str] | None:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    return parts or None


class ImportForm(ttk.Frame):
    """Name and id always; the other questions only once :meth:`ask` names them."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.columnconfigure(1, weight=1)
        self.values = {key: tkinter.StringVar(self) for key in ("name", "model_id", *QUESTIONS)}
        self.asked: list[str] = []
        self._row = 0
        self._add_row("name", "Name", ttk.Entry(self, textvariable=self.values["name"]),
                      "Shown in the model list and on reports")
        self._add_row("model_id", "Id", ttk.Entry(self, textvariable=self.values["model_id"]),
                      "Lower-case letters, digits, '-'; the folder the model is kept in")

    def start(self, file_stem: str) -> None:
        """Prefill the name and id from the model file's name."""
        from skindesk.core.model_import.install import slug

        self.values["name"].set(file_stem)
        self.values["model_id"].set(slug(file_stem))

    def ask(self, fields: Iterable[str]) -> None:
        """Add the questions for ``fields`` (ImportOptions names) that are not shown yet."""
        for field in fields:
            if field in QUESTIONS and field not in self.asked:
                self.asked.append(field)
                label, hint = QUESTIONS[field]
                self._add_row(field, label, self._input_for(field), hint)

    def options(self) -> ImportOptions:
        """The answers so far.

        Raises:
            SettingsError: The input size is not a whole number of pixels.
        """
        from skindesk.core.model_import.install import ImportOptions

        text = {key: var.get().strip() for key, var in self.values.items()}
        size = None
        if text["input_size"]:
            if not text["input_size"].isdigit() or int(text["input_size"]) < 8:
                raise SettingsError("Input size must be a whole number of pixels, e.g. 224")
            size = int(text["input_size"])
        return ImportOptions(
            name=text["name"] or None, model_id=text["model_id"] or None,
            classes=_split(text["classes"]), malignant=_split(text["malignant"]),
            input_size=size, preprocessing=text["preprocessing"].split(":")[0] or None,
        )

    def _input_for(self, field: str) -> tkinter.Widget:
        if field == "preprocessing":
            return ttk.Combobox(self, textvariable=self.values[field], values=SCALINGS,
                                state="readonly", width=48)
        if field == "input_size":
            return ttk.Spinbox(self, textvariable=self.values[field], from_=8, to=2048,
                               increment=1, width=8)
        return ttk.Entry(self, textvariable=self.values[field])

    def _add_row(self, key: str, label: str, widget: tkinter.Widget, hint: str) -> None:
        ttk.Label(self, text=label).grid(row=self._row, column=0, sticky="nw",
                                         padx=(0, px(10)), pady=(px(4), 0))
        widget.grid(row=self._row, column=1, sticky="w" if key == "input_size" else "ew",
                    pady=(px(4), 0))
        setattr(self, f"{key}_input", widget)
        ttk.Label(self, text=hint, bootstyle="secondary", wraplength=460, justify="left").grid(
            row=self._row + 1, column=1, sticky="w")
        self._row += 2
