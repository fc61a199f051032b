"""Help ▸ About: version, model, licences and the decision-support disclaimer."""

from __future__ import annotations

import platform
import tkinter
from typing import Any

import ttkbootstrap as ttk

from skindesk import DISCLAIMER, __version__
from skindesk.gui.units import px

APP_LICENCE = "MIT"


def about_lines(card: Any) -> list[tuple[str, str]]:
    """(label, text) rows of the About box; ``card`` may be None while it loads."""
    rows = [
        ("Version", f"SkinDesk {__version__}"),
        ("Licence", f"SkinDesk: {APP_LICENCE}"),
    ]
    if card is not None:
        model = f"{card.name} (id {card.id}{', v' + card.version if card.version else ''})"
        licence = card.license.get("name", "not stated")
        data_licence = card.license.get("training_data_license")
        rows.append(("Model", model))
        rows.append(("Model licence", licence + (f"; training data: {data_licence}" if data_licence else "")))
    else:
        rows.append(("Model", "still loading"))
    runtime = (f"Python {platform.python_version()}, Tk {tkinter.TkVersion}, "
               f"ttkbootstrap {getattr(ttk, '__version__', '?')}")
    rows.append(("Runtime", runtime))
    return rows


class AboutDialog(ttk.Toplevel):
    """A small non-modal window; Escape or Close dismisses it."""

    def __init__(self, master: tkinter.Misc, card: Any) -> None:
        parent = master.winfo_toplevel()
        super().__init__(title="About SkinDesk", resizable=(False, False), transient=parent,
                         master=parent)
        body = ttk.Frame(self, padding=(px(20), px(20)))
        body.pack(fill="both", expand=True)
        ttk.Label(body, text="SkinDesk", font="TkHeadingFont").grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, px(10)))
        self.rows = about_lines(card)
        for i, (label, text) in enumerate(self.rows, start=1):
            ttk.Label(body, text=label, font="TkHeadingFont").grid(
                row=i, column=0, sticky="nw", padx=(0, px(12)), pady=px(2))
            ttk.Label(body, text=text, wraplength=420, justify="left").grid(
                row=i, column=1, sticky="w", pady=px(2))
        disclaimer = ttk.Label(body, text=DISCLAIMER, wraplength=520, justify="left",
                               bootstyle="danger")
        disclaimer.grid(row=len(self.rows) + 1, column=0, columnspan=2, sticky="w",
                        pady=(px(14), px(10)))
        close = ttk.Button(body, text="Close", command=self.destroy, bootstyle="primary")
        close.grid(row=len(self.rows) + 2, column=1, sticky="e")
        self.bind("<Escape>", lambda _e: self.destroy())
        close.focus_set()
        self.update_idletasks()
        self._centre_on(parent)

    def text(self) -> str:
        """Everything the dialog says (for tests)."""
        return "\n".join(f"{label}: {text}" for label, text in self.rows) + "\n" + DISCLAIMER

    def _centre_on(self, parent: tkinter.Misc) -> None:
        x = parent.winfo_rootx() + (parent.winfo_width() - self.winfo_reqwidth()) // 2
        y = parent.winfo_rooty() + (parent.winfo_height() - self.winfo_reqheight()) // 3
        self.geometry(f"+{max(x, 0)}+{max(y, 0)}")
