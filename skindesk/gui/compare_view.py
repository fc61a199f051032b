"""Before and after on one canvas: side by side, or under a draggable split divider.

In split mode one picture lies over the other and a vertical divider (drag
it anywhere on the picture) shows the original to its left and the
processed image to its right, which makes small changes easy to see.
Pictures are fitted to the canvas; fitted copies are cached per size.
"""

from __future__ import annotations

import tkinter
from typing import Any

from PIL import Image, ImageTk

from skindesk.gui.idle_canvas import IdleRedrawCanvas

MODES = ("side", "split")
GAP = 8
TITLE_HEIGHT = 22


class CompareView(IdleRedrawCanvas):
    """Shows two pictures for comparison, or a message when there are none."""

    def __init__(self, master: tkinter.Misc) -> None:
        super().__init__(master)
        self.canvas.pack(fill="both", expand=True)
        self.before: Image.Image | None = None
        self.after_image: Image.Image | None = None
        self.titles = ("", "")
        self.mode = "side"
        self.split = 0.5  # divider position, as a fraction of the picture's width
        self.message = ""
        self._fitted: dict[tuple[int, int, int], Image.Image] = {}
        self._photos: list[ImageTk.PhotoImage] = []
        self._picture_box = (0, 0, 1, 1)  # left, top, width, height of the split picture
        self.canvas.bind("<Configure>", lambda _e: self.schedule_redraw())
        self.canvas.bind("<ButtonPress-1>", self._drag)
        self.canvas.bind("<B1-Motion>", self._drag)

    def set_images(self, before: Image.Image | None, after: Image.Image | None,
                   titles: tuple[str, str] = ("", "")) -> None:
        """Show ``before`` and ``after`` with their titles."""
        if before is not self.before or after is not self.after_image:
            self._fitted.clear()
        self.before, self.after_image, self.titles = before, after, titles
        self.message = ""
        self.schedule_redraw()

    def show_message(self, text: str) -> None:
        """Show ``text`` instead of pictures."""
        self.before = self.after_image = None
        self._fitted.clear()
        self.message = text
        self.schedule_redraw()

    def set_mode(self, mode: str) -> None:
        """"side" (side by side) or "split" (one picture, draggable divider)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.schedule_redraw()

    def set_split(self, fraction: float) -> None:
        """Move the divider (0 = left edge, 1 = right edge of the picture)."""
        self.split = min(max(fraction, 0.0), 1.0)
        self.schedule_redraw()

    # Drawing -------------------------------------------------------------------
    def draw(self) -> None:
        """Draw both pictures (side by side or split) or the message."""
        self._photos = []
        width, height = max(self.canvas.winfo_width(), 2), max(self.canvas.winfo_height(), 2)
        if self.before is None or self.after_image is None:
            self._text(width / 2, height / 2, self.message, anchor="center")
            return
        if self.mode == "side":
            half = (width - GAP) // 2
            self._draw_fitted(self.before, 0, half, height, self.titles[0])
            self._draw_fitted(self.after_image, half + GAP, half, height, self.titles[1])
        else:
            self._draw_split(width, height)

    def _fit(self, image: Image.Image, width: int, height: int) -> Image.Image:
        scale = min(width / image.width, height / image.height)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        key = (id(image), *size)
        if key not in self._fitted:
            self._fitted[key] = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        return self._fitted[key]

    def _draw_fitted(self, image: Image.Image, left: int, width: int, height: int,
                     title: str) -> None:
        fitted = self._fit(image, max(width, 2), max(height - TITLE_HEIGHT, 2))
        x = left + (width - fitted.width) // 2
        y = TITLE_HEIGHT + (height - TITLE_HEIGHT - fitted.height) // 2
        self._photo_at(fitted, x, y)
        self._text(left + 4, 4, title)

    def _draw_split(self, width: int, height: int) -> None:
        assert self.before is not None and self.after_image is not None
        area = (width, max(height - TITLE_HEIGHT, 2))
        before = self._fit(self.before, *area)
        after = self._fit(self.after_image, *area)
        left = (width - after.width) // 2
        top = TITLE_HEIGHT + (area[1] - after.height) // 2
        self._picture_box = (left, top, after.width, after.height)
        cut = round(after.width * self.split)
        if cut < after.width:
            self._photo_at(after.crop((cut, 0, after.width, after.height)), left + cut, top)
        if cut > 0:
            shift = (before.width - after.width) // 2
            piece = before.crop((0, 0, min(before.width, cut + shift), before.height))
            self._photo_at(piece, (width - before.width) // 2,
                           TITLE_HEIGHT + (area[1] - before.height) // 2)
        x = left + cut
        self.canvas.create_line(x, top, x, top + after.height, fill="black", width=4)
        self.canvas.create_line(x, top, x, top + after.height, fill="white", width=2)
        middle = top + after.height / 2
        self.canvas.create_oval(x - 9, middle - 9, x + 9, middle + 9, fill="white",
                                outline="black")
        self.canvas.create_text(x, middle, text="↔", fill="black")
        self._text(4, 4, f"◀ {self.titles[0]}")
        self._text(width - 4, 4, f"{self.titles[1]} ▶", anchor="ne")

    def _photo_at(self, image: Image.Image, x: int, y: int) -> None:
        photo = ImageTk.PhotoImage(image, master=self.canvas)
        self._photos.append(photo)
        self.canvas.create_image(x, y, image=photo, anchor="nw")

    def _text(self, x: float, y: float, text: str, anchor: Any = "nw") -> None:
        if text:
            colour = self._palette.fg if self._palette else "black"
            self.canvas.create_text(x, y, text=text, anchor=anchor, fill=colour,
                                    font="TkDefaultFont", width=max(self.canvas.winfo_width() - 20, 50))

    def _drag(self, event: tkinter.Event) -> None:
        if self.mode != "split" or self.before is None:
            return
        left, _top, width, _height = self._picture_box
        self.set_split((event.x - left) / max(width, 1))

    @property
    def divider_x(self) -> float:
        """The divider's canvas x position (split mode)."""
        left, _top, width, _height = self._picture_box
        return left + width * self.split
