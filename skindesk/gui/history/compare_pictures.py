"""Two pictures of the same lesion, compared side by side, flickered or split.

Flicker alternates the two pictures in one place, which makes growth and
new colours jump out; split shows the earlier picture left of a divider and
the later one right of it, the divider dragged with a slider. Both pictures
have the same size (see :func:`~.followup_data.fitted`), so they line up.
"""

from __future__ import annotations

import tkinter

import ttkbootstrap as ttk
from PIL import Image, ImageDraw, ImageTk

from skindesk.gui.units import px

MODES = (("side", "Side by side"), ("flicker", "Flicker"), ("split", "Split"))
FLICKER_MS = 700


class PictureCompare(ttk.Frame):
    """A canvas showing pictures A (earlier) and B (later) in the chosen mode."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.mode = tkinter.StringVar(self, "side")
        self.split = tkinter.DoubleVar(self, 0.5)
        controls = ttk.Frame(self)
        controls.pack(fill="x", pady=(0, px(4)))
        for value, text in MODES:
            ttk.Radiobutton(controls, text=text, value=value, variable=self.mode,
                            bootstyle="primary-outline-toolbutton").pack(side="left")
        self.split_scale = ttk.Scale(controls, from_=0.0, to=1.0, variable=self.split, length=200)
        self.caption = ttk.Label(controls, bootstyle="secondary")
        self.caption.pack(side="right")
        self.canvas = tkinter.Canvas(self, highlightthickness=0, background="#282828")
        self.canvas.pack(anchor="w")
        self.pictures: tuple[Image.Image, Image.Image] | None = None
        self.labels = ("", "")
        self.showing = 0  # in flicker mode: which picture is on screen
        self._photos: list[ImageTk.PhotoImage] = []
        self._after: str | None = None
        self.mode.trace_add("write", lambda *_a: self.redraw())
        self.split.trace_add("write", lambda *_a: self.redraw())
        self.bind("<Destroy>", lambda e: self._stop() if e.widget is self else None)

    def set_pictures(self, a: Image.Image, b: Image.Image, labels: tuple[str, str]) -> None:
        """Compare ``a`` (earlier) with ``b`` (later); ``labels`` say when each was taken."""
        self.pictures, self.labels = (a, b), labels
        self.redraw()

    def redraw(self) -> None:
        """Draw the pictures in the current mode."""
        self._stop()
        self.canvas.delete("all")
        self._photos = []
        if self.pictures is None:
            return
        mode = self.mode.get()
        if mode == "split":
            self.split_scale.pack(side="left", padx=(px(12), 0))
        else:
            self.split_scale.pack_forget()
        a, b = self.pictures
        both = a.width * 2 + 12
        self.canvas.configure(width=both if mode == "side" else a.width, height=a.height)
        if mode == "side":
            self._draw(a, 0, self.labels[0])
            self._draw(b, a.width + 12, self.labels[1])
            self.caption.configure(text="Left: earlier · right: later")
        elif mode == "split":
            self._draw(split_picture(a, b, self.split.get()), 0,
                       f"◀ {self.labels[0]}   |   {self.labels[1]} ▶")
            self.caption.configure(text="Earlier left of the line, later right of it")
        else:
            self._flick()

    def _flick(self) -> None:
        assert self.pictures is not None
        self.canvas.delete("all")
        self._photos = []
        self._draw(self.pictures[self.showing], 0, self.labels[self.showing])
        self.caption.configure(text=f"Showing the {('earlier', 'later')[self.showing]} picture")
        self._after = self.after(FLICKER_MS, self._next_flick)

    def _next_flick(self) -> None:
        self._after = None
        self.showing = 1 - self.showing
        self._flick()

    def _draw(self, picture: Image.Image, x: int, label: str) -> None:
        photo = ImageTk.PhotoImage(picture, master=self)
        self._photos.append(photo)
        self.canvas.create_image(x, 0, image=photo, anchor="nw")
        # A dark band behind the label keeps it readable on pale skin.
        text = self.canvas.create_text(x + 8, 6, text=label, anchor="nw", fill="white",
                                       font="TkDefaultFont")
        left, top, right, bottom = self.canvas.bbox(text)
        band = self.canvas.create_rectangle(left - 4, top - 2, right + 4, bottom + 2,
                                            fill="black", outline="")
        self.canvas.tag_lower(band, text)

    def _stop(self) -> None:
        if self._after is not None:
            self.after_cancel(self._after)
            self._after = None


def split_picture(a: Image.Image, b: Image.Image, fraction: float) -> Image.Image:
    """``a`` left of ``fraction`` of the width, ``b`` right of it, with a white line between."""
    x = round(max(0.0, min(1.0, fraction)) * a.width)
    out = a.copy()
    out.paste(b.crop((x, 0, b.width, b.height)), (x, 0))
    ImageDraw.Draw(out).line([(x, 0), (x, out.height)], fill="white", width=2)
    return out
