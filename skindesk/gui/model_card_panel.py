"""The model card tab: what the model is, what it was trained on, how well it did.

The clinician should be able to judge, before trusting a number, whether
their patient and image resemble the model's training data.
"""

from __future__ import annotations

import tkinter
import tkinter.font as tkfont
from typing import Any

import ttkbootstrap as ttk

from skindesk.gui.presenters import card_sections
from skindesk.gui.units import px


class ModelCardPanel(ttk.Frame):
    """A read-only, scrollable rendering of a ``ModelCard``."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master, padding=(px(4), px(4)))
        self.text = ttk.Text(self, wrap="word", borderwidth=0, highlightthickness=0,
                             cursor="arrow")
        self.text.configure(padx=self.winfo_pixels(px(10)), pady=self.winfo_pixels(px(8)))
        scrollbar = ttk.Scrollbar(self, orient="vertical", command=self.text.yview)
        self.text.configure(yscrollcommand=scrollbar.set)
        scrollbar.pack(side="right", fill="y")
        self.text.pack(side="left", fill="both", expand=True)
        base = tkfont.nametofont("TkDefaultFont")
        title = base.copy()
        title.configure(size=int(base.actual("size") * 1.3) or 13, weight="bold")
        heading = base.copy()
        heading.configure(weight="bold")
        self._fonts = (title, heading)
        self.text.tag_configure("title", font=title, spacing3=4)
        self.text.tag_configure("heading", font=heading, spacing1=10, spacing3=2)
        self.text.tag_configure("body", font=base, lmargin1=0, lmargin2=14, spacing1=1)
        self.show_message("Reading the model card…")

    def show_message(self, message: str) -> None:
        """Show a one-line message instead of a card."""
        self._write([("body", message)])

    def show_card(self, card: Any) -> None:
        """Render ``card`` (a ``ModelCard``)."""
        chunks: list[tuple[str, str]] = []
        for i, (heading, lines) in enumerate(card_sections(card)):
            chunks.append(("title" if i == 0 else "heading", heading))
            chunks.extend(("body", line) for line in lines)
        self._write(chunks)

    def plain_text(self) -> str:
        """The rendered text (for tests)."""
        return self.text.get("1.0", "end-1c")

    def _write(self, chunks: list[tuple[str, str]]) -> None:
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        for tag, line in chunks:
            self.text.insert("end", line + "\n", tag)
        self.text.configure(state="disabled")
