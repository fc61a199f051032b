"""The bars around the work area: message bar, status bar and the disclaimer."""

from __future__ import annotations

import tkinter
from collections.abc import Callable

import ttkbootstrap as ttk

from skindesk import DISCLAIMER
from skindesk.gui.themes import Palette
from skindesk.gui.units import px


class MessageBar(ttk.Frame):
    """A dismissible line above the work area for errors and notices.

    Shown with :meth:`show`, hidden by its × button, Escape or :meth:`hide`.
    It never blocks: the user can keep working with the message in view.
    """

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master, padding=(px(10), px(4)))
        self.icon = ttk.Label(self, text="⚠", bootstyle="danger", font="TkHeadingFont")
        self.label = ttk.Label(self, justify="left", bootstyle="danger")
        self.close_button = ttk.Button(self, text="✕", width=3, bootstyle="secondary-link",
                                       command=self.hide)
        self.icon.pack(side="left", padx=(0, px(8)))
        self.close_button.pack(side="right")
        self.label.pack(side="left", fill="x", expand=True)
        self.bind("<Configure>", lambda e: self.label.configure(wraplength=max(e.width - 120, 200)))
        self.text = ""
        self._pack_options: dict[str, object] = {}

    def place_in_layout(self, **pack_options: object) -> None:
        """Remember where to pack the bar when it is shown."""
        self._pack_options = pack_options

    def show(self, text: str, kind: str = "danger") -> None:
        """Show ``text``; ``kind`` is 'danger' (errors) or 'info' (notices)."""
        self.text = text
        self.icon.configure(text="⚠" if kind == "danger" else "ℹ", bootstyle=kind)
        self.label.configure(text=text, bootstyle=kind)
        if not self.winfo_manager():
            self.pack(**self._pack_options)  # type: ignore[arg-type]

    def hide(self) -> None:
        """Hide the bar."""
        self.text = ""
        self.pack_forget()

    @property
    def visible(self) -> bool:
        """True when a message is shown."""
        return bool(self.text)


class StatusBar(ttk.Frame):
    """Model status (with a spinner while it loads), a message and the zoom."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master, padding=(px(8), px(3)))
        self.model = ttk.Label(self, text="Starting…")
        self.spinner = ttk.Progressbar(self, mode="indeterminate", length=80)
        self.message = ttk.Label(self)
        self.zoom = ttk.Label(self, width=7, anchor="e")
        self.image_info = ttk.Label(self)
        self.model.pack(side="left")
        self.spinner.pack(side="left", padx=px(8))
        self.message.pack(side="left", padx=(px(12), 0), fill="x", expand=True)
        self.zoom.pack(side="right")
        self.image_info.pack(side="right", padx=px(12))
        self.spinner.start(15)

    def set_model(self, text: str, busy: bool, failed: bool = False) -> None:
        """The model line; the spinner runs while ``busy``."""
        self.model.configure(text=text, bootstyle="danger" if failed else "default")
        if busy:
            if not self.spinner.winfo_manager():
                self.spinner.pack(side="left", padx=px(8), after=self.model)
            self.spinner.start(15)
        else:
            self.spinner.stop()
            self.spinner.pack_forget()

    def set_message(self, text: str) -> None:
        """A transient message (e.g. 'Analysed 3 images')."""
        self.message.configure(text=text)

    def set_zoom(self, zoom: float | None) -> None:
        """The viewer's zoom, or blank without an image."""
        self.zoom.configure(text="" if zoom is None else f"{zoom * 100:.0f}%")

    def set_image_info(self, text: str) -> None:
        """Size and format of the shown image."""
        self.image_info.configure(text=text)


class DisclaimerBar(ttk.TkFrame):
    """The permanent decision-support note at the bottom of the window."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master, autostyle=False)
        self.configure(padx=self.winfo_pixels(px(10)), pady=self.winfo_pixels(px(4)))
        self.label = ttk.TkLabel(self, text=DISCLAIMER, justify="left", anchor="w",
                                 autostyle=False)
        self.label.pack(fill="x")
        self.bind("<Configure>", lambda e: self.label.configure(wraplength=max(e.width - 24, 300)))

    def apply_palette(self, palette: Palette) -> None:
        """A strip in the theme's primary colour, with white text."""
        self.configure(background=palette.primary)
        self.label.configure(background=palette.primary, foreground="#ffffff")


class PathBar(ttk.Frame):
    """File ▸ Paste path: a line to type or paste a file or folder path into.

    Args:
        master: Parent widget.
        on_open: Called with the list of paths entered.
    """

    def __init__(self, master: tkinter.Misc, on_open: Callable[[list[str]], None]) -> None:
        super().__init__(master, padding=(px(10), px(4)))
        self._on_open = on_open
        self.value = tkinter.StringVar(self)
        ttk.Label(self, text="File or folder:").pack(side="left", padx=(0, px(8)))
        self.entry = ttk.Entry(self, textvariable=self.value)
        self.entry.pack(side="left", fill="x", expand=True)
        ttk.Button(self, text="Open", command=self.submit, bootstyle="primary").pack(
            side="left", padx=(px(8), 0))
        ttk.Button(self, text="✕", width=3, command=self.hide, bootstyle="secondary-link").pack(
            side="left")
        self.entry.bind("<Return>", lambda _e: self.submit())
        self.entry.bind("<KP_Enter>", lambda _e: self.submit())
        self.entry.bind("<Escape>", lambda _e: self.hide())
        self._pack_options: dict[str, object] = {}

    def place_in_layout(self, **pack_options: object) -> None:
        """Remember where to pack the bar when it is shown."""
        self._pack_options = pack_options

    def show(self) -> None:
        """Show the bar with the clipboard's text when it looks like a path."""
        if not self.winfo_manager():
            self.pack(**self._pack_options)  # type: ignore[arg-type]
        try:
            clip = self.clipboard_get().strip()
        except tkinter.TclError:
            clip = ""
        if clip and not self.value.get() and ("/" in clip or "\\" in clip) and "\n" not in clip:
            self.value.set(clip)
        self.entry.focus_set()
        self.entry.select_range(0, "end")

    def hide(self) -> None:
        """Hide the bar."""
        self.pack_forget()

    def submit(self) -> None:
        """Open what was typed and hide the bar."""
        text = self.value.get().strip()
        self.hide()
        if text:
            self.value.set("")
            self._on_open([text])
