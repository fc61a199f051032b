"""The image viewer: fit, 1:1, zoom around the cursor, pan by dragging.

Only the visible part of the picture is resized, from the smallest pyramid
level that still has enough pixels (see :mod:`skindesk.gui.image_loading`),
so a redraw costs about the same for a phone photo and a 50 MP scan.
When zoomed in by hand past 300 %, pixels are drawn as blocks (nearest
neighbour), so what looks like structure is structure in the file, not
interpolation.
"""

from __future__ import annotations

import tkinter
from collections.abc import Callable

import ttkbootstrap as ttk
from PIL import Image, ImageTk

from skindesk.gui.image_loading import DisplayImage
from skindesk.gui.themes import Palette

MIN_ZOOM = 0.01
MAX_ZOOM = 32.0
WHEEL_STEP = 1.25
KEY_STEP = 1.5


class ImageView(ttk.Frame):
    """A canvas showing one :class:`DisplayImage`, or a message when there is none.

    Args:
        master: Parent widget.
        on_zoom: Called with the zoom factor (1.0 = one image pixel per screen pixel).
        on_navigate: Called with -1 / +1 when the arrow keys ask for the previous / next image.
    """

    def __init__(
        self,
        master: tkinter.Misc,
        on_zoom: Callable[[float], object] | None = None,
        on_navigate: Callable[[int], object] | None = None,
    ) -> None:
        super().__init__(master)
        self.canvas = ttk.Canvas(self, highlightthickness=0, takefocus=True, autostyle=False)
        self.canvas.pack(fill="both", expand=True)
        self._on_zoom = on_zoom or (lambda _z: None)
        self._on_navigate = on_navigate or (lambda _d: None)
        self._image: DisplayImage | None = None
        self._zoom = 1.0
        self._origin = (0.0, 0.0)  # canvas position of the image's top-left pixel
        self._fit_mode = True
        self._drag_from: tuple[int, int] | None = None
        self._photo: ImageTk.PhotoImage | None = None
        self._redraw_pending: str | None = None  # the after_idle id
        self.message = ""
        self._message_colour = "fg"
        self._palette: Palette | None = None
        self._bind_events()

    # Public API ---------------------------------------------------------------
    @property
    def zoom(self) -> float:
        """Screen pixels per image pixel."""
        return self._zoom

    @property
    def has_image(self) -> bool:
        """True when a picture is shown."""
        return self._image is not None

    @property
    def fit_mode(self) -> bool:
        """True while the picture follows the window size."""
        return self._fit_mode

    def set_image(self, image: DisplayImage | None, message: str = "") -> None:
        """Show ``image`` fitted to the window, or ``message`` when it is None."""
        self._image = image
        self.message = "" if image is not None else message
        self._message_colour = "fg"
        self.fit()

    def show_message(self, text: str, error: bool = False) -> None:
        """Show a message instead of a picture (e.g. why a file cannot be shown)."""
        self._image = None
        self.message = text
        self._message_colour = "danger" if error else "fg"
        self._schedule_redraw()

    def fit(self) -> None:
        """Zoom so the whole picture fits, centred; it then follows window resizes."""
        self._fit_mode = True
        if self._image is not None:
            cw, ch = self._canvas_size()
            zoom = min(cw / self._image.width, ch / self._image.height)
            self._set_zoom(max(MIN_ZOOM, min(zoom, MAX_ZOOM)))
            self._origin = (
                (cw - self._image.width * self._zoom) / 2,
                (ch - self._image.height * self._zoom) / 2,
            )
        self._schedule_redraw()

    def actual_size(self) -> None:
        """One image pixel per screen pixel, around the centre of the view."""
        self.zoom_to(1.0)

    def zoom_to(self, zoom: float, at: tuple[float, float] | None = None) -> None:
        """Zoom to ``zoom``, keeping the image point under ``at`` (canvas coordinates) still."""
        if self._image is None:
            return
        cw, ch = self._canvas_size()
        cx, cy = at if at is not None else (cw / 2, ch / 2)
        new = max(MIN_ZOOM, min(zoom, MAX_ZOOM))
        x0, y0 = self._origin
        ratio = new / self._zoom
        self._origin = (cx - (cx - x0) * ratio, cy - (cy - y0) * ratio)
        self._fit_mode = False
        self._set_zoom(new)
        self._clamp()
        self._schedule_redraw()

    def zoom_by(self, factor: float, at: tuple[float, float] | None = None) -> None:
        """Multiply the zoom by ``factor`` around ``at`` (default: the centre)."""
        self.zoom_to(self._zoom * factor, at)

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) screen pixels."""
        if self._image is None:
            return
        self._origin = (self._origin[0] + dx, self._origin[1] + dy)
        self._fit_mode = False
        self._clamp()
        self._schedule_redraw()

    def apply_palette(self, palette: Palette) -> None:
        """Recolour for the current theme."""
        self._palette = palette
        self.canvas.configure(background=palette.track)
        self._schedule_redraw()

    # Events -------------------------------------------------------------------------
    def _bind_events(self) -> None:
        c = self.canvas
        c.bind("<Configure>", self._on_configure)
        c.bind("<ButtonPress-1>", self._on_press)
        c.bind("<B1-Motion>", self._on_drag)
        c.bind("<ButtonRelease-1>", lambda _e: self._end_drag())
        c.bind("<MouseWheel>", lambda e: self._on_wheel(e, e.delta > 0))
        c.bind("<Button-4>", lambda e: self._on_wheel(e, True))
        c.bind("<Button-5>", lambda e: self._on_wheel(e, False))
        for key in ("<plus>", "<equal>", "<KP_Add>"):
            c.bind(key, lambda _e: self.zoom_by(KEY_STEP))
        for key in ("<minus>", "<KP_Subtract>"):
            c.bind(key, lambda _e: self.zoom_by(1 / KEY_STEP))
        for key in ("<Key-0>", "<KP_0>"):
            c.bind(key, lambda _e: self.fit())
        c.bind("<Key-1>", lambda _e: self.actual_size())
        for key, step in (("<Left>", -1), ("<Up>", -1), ("<Right>", 1), ("<Down>", 1)):
            c.bind(key, self._navigate_handler(step))

    def _navigate_handler(self, step: int) -> Callable[[tkinter.Event], None]:
        def handler(_event: tkinter.Event) -> None:
            self._on_navigate(step)

        return handler

    def _on_configure(self, _event: tkinter.Event) -> None:
        if self._fit_mode:
            self.fit()
        else:
            self._clamp()
            self._schedule_redraw()

    def _on_press(self, event: tkinter.Event) -> None:
        self.canvas.focus_set()
        self._drag_from = (event.x, event.y)
        if self._image is not None:
            self.canvas.configure(cursor="fleur")

    def _on_drag(self, event: tkinter.Event) -> None:
        if self._drag_from is None:
            return
        dx, dy = event.x - self._drag_from[0], event.y - self._drag_from[1]
        self._drag_from = (event.x, event.y)
        self.pan_by(dx, dy)

    def _end_drag(self) -> None:
        self._drag_from = None
        self.canvas.configure(cursor="")

    def _on_wheel(self, event: tkinter.Event, zoom_in: bool) -> None:
        self.zoom_by(WHEEL_STEP if zoom_in else 1 / WHEEL_STEP, (event.x, event.y))

    # Drawing ---------------------------------------------------------------------------
    def _canvas_size(self) -> tuple[int, int]:
        return max(self.canvas.winfo_width(), 2), max(self.canvas.winfo_height(), 2)

    def _set_zoom(self, zoom: float) -> None:
        self._zoom = zoom
        self._on_zoom(zoom)

    def _clamp(self) -> None:
        """Centre the picture along an axis where it is smaller than the view; else keep it covering the view."""
        assert self._image is not None
        cw, ch = self._canvas_size()
        w, h = self._image.width * self._zoom, self._image.height * self._zoom
        x0, y0 = self._origin
        x0 = (cw - w) / 2 if w <= cw else min(0.0, max(cw - w, x0))
        y0 = (ch - h) / 2 if h <= ch else min(0.0, max(ch - h, y0))
        self._origin = (x0, y0)

    def _schedule_redraw(self) -> None:
        if self._redraw_pending is None:
            self._redraw_pending = self.after_idle(self.redraw)

    def destroy(self) -> None:
        """Cancel a pending redraw, then destroy the widget."""
        if self._redraw_pending is not None:
            self.after_cancel(self._redraw_pending)
            self._redraw_pending = None
        super().destroy()

    def redraw(self) -> None:
        """Draw the visible region now (normally scheduled for idle time)."""
        self._redraw_pending = None
        self.canvas.delete("all")
        self._photo = None
        if self._image is None:
            self._draw_message()
            return
        region = self._visible_region()
        if region is not None:
            left, top, picture = region
            self._photo = ImageTk.PhotoImage(picture, master=self.canvas)
            self.canvas.create_image(left, top, image=self._photo, anchor="nw")

    def _visible_region(self) -> tuple[int, int, Image.Image] | None:
        assert self._image is not None
        image, zoom = self._image, self._zoom
        cw, ch = self._canvas_size()
        x0, y0 = self._origin
        left, top = max(0, round(x0)), max(0, round(y0))
        right = min(cw, round(x0 + image.width * zoom))
        bottom = min(ch, round(y0 + image.height * zoom))
        if right - left < 1 or bottom - top < 1:
            return None
        level = self._level_for(zoom)
        sx, sy = level.width / image.width, level.height / image.height
        # Clamped: float rounding must not push the box a hair outside the level.
        box = (
            max(0.0, (left - x0) / zoom * sx), max(0.0, (top - y0) / zoom * sy),
            min(float(level.width), (right - x0) / zoom * sx),
            min(float(level.height), (bottom - y0) / zoom * sy),
        )
        # Fitted: smooth. Zoomed in by hand past 300 %: the file's pixels as blocks.
        pixelated = zoom >= 3 and not self._fit_mode
        resample = Image.Resampling.NEAREST if pixelated else Image.Resampling.BILINEAR
        return left, top, level.resize((right - left, bottom - top), resample, box=box)

    def _level_for(self, zoom: float) -> Image.Image:
        """The most reduced pyramid level that still has at least ``zoom`` of the pixels."""
        assert self._image is not None
        chosen = self._image.levels[0]
        for level in self._image.levels[1:]:
            if level.width / self._image.width < zoom:
                break
            chosen = level
        return chosen

    def _draw_message(self) -> None:
        if not self.message:
            return
        cw, ch = self._canvas_size()
        palette = self._palette
        colour = (getattr(palette, self._message_colour) if palette else "black")
        self.canvas.create_text(
            cw / 2, ch / 2, text=self.message, fill=colour, width=max(cw - 60, 100),
            justify="center", font="TkHeadingFont",
        )
