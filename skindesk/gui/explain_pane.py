"""The Grad-CAM tab: where in the image the model found evidence for a class.

Method (from the engine's registry), class (the top one by default),
colour map and opacity; "Compare with" adds a second panel with its own
method and class. Heat maps are computed in a worker and cached (see
:class:`~skindesk.gui.explain_controller.ExplainController`); opacity and
colour-map changes only re-blend the cached heat map. The overlays are
drawn on the main window's :class:`~skindesk.gui.explain_view.ExplainView`.
This module imports the engine's explain package; the window imports it lazily.
"""

from __future__ import annotations

import tkinter
from pathlib import Path
from tkinter import filedialog
from typing import Any

from PIL import Image

from skindesk.core.errors import UserError
from skindesk.core.explain import DEFAULT_METHOD, method_names, write_png
from skindesk.gui.context import PaneContext
from skindesk.gui.explain_controller import ExplainController, Key
from skindesk.gui.explain_controls import OUTLINE_TIP, ExplainControls
from skindesk.gui.explain_view import ExplainView
from skindesk.gui.explain_work import render, render_full, side_by_side
from skindesk.gui.presenters import heatmap_caption, percent

NOT_ANALYSED = "Analyse this image first (Ctrl+Enter): the heat map explains that analysis."
PREPARING = "Preparing explanation…"
FIRST_TIME = " The first one takes a few seconds while the model is prepared."


class ExplainPane(ExplainControls):
    """The tab's controls and what they do; the overlays go to ``view``."""

    def __init__(self, master: tkinter.Misc, context: PaneContext, view: ExplainView) -> None:
        super().__init__(master, context.settings, self.save_overlay_dialog)
        self.context, self.view = context, view
        self.doc: Any = None
        self.controller = ExplainController(context, self, self.redraw, self._failed)
        self._render_pending: str | None = None
        choices: list[tkinter.Variable] = [self.method, self.class_, self.method2, self.class2,
                                           self.compare]
        for var in choices:
            var.trace_add("write", lambda *_a: self.update_view())
        self.colormap.trace_add("write", lambda *_a: self._style_changed())
        self.opacity.trace_add("write", lambda *_a: self._style_changed())
        self.outline.trace_add("write", lambda *_a: view.set_outline_visible(self.outline.get()))

    # The image --------------------------------------------------------------------
    def show_document(self, doc: Any) -> None:
        """Explain ``doc``'s analysis (when the tab is shown or the image changes)."""
        if doc is not self.doc or (doc is not None and doc.result is not self._result):
            self._offer_classes(doc)
        self.doc = doc
        self.update_view()

    _result: Any = None

    def _offer_classes(self, doc: Any) -> None:
        card, prediction = self.context.model.card, getattr(doc, "prediction", None)
        self._result = getattr(doc, "result", None)
        if card is None or prediction is None:
            return
        probabilities = prediction.probabilities
        ranked = sorted(card.classes, key=lambda c: -probabilities.get(c.id, 0.0))
        self.classes = {f"{c.name} — {percent(probabilities.get(c.id, 0.0))}": c.id
                        for c in ranked}
        names = list(self.classes)
        for box in (self.class_box, self.class2_box):
            box.configure(values=names)
        self.class_.set(names[0])
        self.class2.set(names[min(1, len(names) - 1)])

    def panel_keys(self) -> list[Key]:
        """(method id, class id) of each panel."""
        pairs = [(self.method, self.class_)] + ([(self.method2, self.class2)]
                                                if self.compare.get() else [])
        return [(self.methods.get(m.get(), DEFAULT_METHOD), self.classes.get(c.get(), ""))
                for m, c in pairs]

    def update_view(self) -> None:
        """Show the cached heat maps, computing the missing ones in a worker."""
        for box in (self.method2_box, self.class2_box):
            box.configure(state="readonly" if self.compare.get() else "disabled")
        doc = self.doc
        if doc is None or getattr(doc, "prediction", None) is None or doc.image is None:
            self.controller.job.cancel()
            self.view.show_message(NOT_ANALYSED if doc is not None else "Open an image first.")
            self.set_progress("")
            self.caption.configure(text="")
            return
        if not self.controller.ensure(doc, self.panel_keys()):
            self.set_progress(PREPARING + (FIRST_TIME if self.controller.computed == 0 else ""))
        self.redraw()

    def redraw(self) -> None:
        """Draw every panel from the cache (no computing)."""
        self._render_pending = None
        doc = self.doc
        if doc is None or getattr(doc, "prediction", None) is None:
            return
        keys, subject = self.panel_keys(), self.controller.subject(doc)
        self.view.set_panel_count(len(keys))
        for panel, key in zip(self.view.panels, keys):
            shown = self.controller.cached(doc, key)
            title = self._title(key)
            if shown is None or subject is None:
                panel.show_message(PREPARING, title)
                continue
            picture = Image.fromarray(render(subject, shown, self.colormap.get(),
                                             self.opacity.get()))
            scale = subject.display_scale
            outline = [c * scale for c in subject.outline or ()]
            box = tuple(v * scale for v in subject.box) if subject.box else None
            panel.show(picture, title, outline, box)  # type: ignore[arg-type]
        self.view.set_outline_visible(self.outline.get())
        if all(self.controller.cached(doc, k) for k in keys):
            self.set_progress("")
            self._describe(subject, keys)

    def _describe(self, subject: Any, keys: list[Key]) -> None:
        card = self.context.model.card
        names = [card.class_name(c) if card else c for _m, c in keys]
        self.caption.configure(text=heatmap_caption(names, self.colormap.get(), keys[0][0]))
        first = self.controller.cached(self.doc, keys[0])
        layer = f" · layer {first.explanation.layer}" if first and first.explanation.layer else ""
        seen = (f"Explained on the preprocessed image the model analysed "
                f"({subject.preprocessing})." if subject.preprocessing
                else "Explained on the image as analysed (no preprocessing).")
        took = f" · {first.seconds:.1f} s" if first else ""
        self.details.configure(text=f"{first.explanation.method_name if first else ''}"
                                    f"{layer}{took}\n{seen}")
        self._offer_outline(subject)

    def _offer_outline(self, subject: Any) -> None:
        available = subject.outline is not None
        self.outline_check.configure(state="normal" if available else "disabled")
        self.outline_tip.configure(text=OUTLINE_TIP if available else subject.outline_note)

    def _title(self, key: Key) -> str:
        card, (method, class_id) = self.context.model.card, key
        name = card.class_name(class_id) if card else class_id
        probability = self.doc.prediction.probabilities.get(class_id) if self.doc else None
        share = f" ({percent(probability)})" if probability is not None else ""
        return f"{method_names().get(method, method)} · {name}{share}"

    def _failed(self, error: BaseException) -> None:
        self.set_progress("")
        self.status.configure(text=f"No heat map: {error}", bootstyle="danger")
        self.view.show_message(f"No heat map: {error}")
        if not isinstance(error, UserError):
            self.context.errors.report(error, context="explaining the image")

    def _style_changed(self) -> None:
        try:
            self.context.settings.explain_colormap = self.colormap.get()
            self.context.settings.explain_opacity = round(float(self.opacity.get()), 3)
        except tkinter.TclError:
            return
        self._show_opacity()
        if self._render_pending is None:  # one redraw for a burst of slider events
            self._render_pending = self.after_idle(self.redraw)

    # Saving -----------------------------------------------------------------------
    @property
    def can_save(self) -> bool:
        """True when the first panel's heat map is ready."""
        return self.doc is not None and self.controller.cached(self.doc, self.panel_keys()[0]) is not None

    def save_overlay(self, path: str | Path) -> Path:
        """Save the overlay at the analysed image's full size, as shown.

        In compare mode both panels are saved side by side, each under its title.

        Raises:
            UserError: No heat map yet, or the file cannot be written.
        """
        if not self.can_save:
            raise UserError("There is no heat map to save yet: open the Grad-CAM tab "
                            "of an analysed image and wait for it.")
        subject = self.controller.subject(self.doc)
        cached = [(key, self.controller.cached(self.doc, key)) for key in self.panel_keys()]
        shown = [(key, heat) for key, heat in cached if heat is not None]
        assert subject is not None
        pictures = [render_full(subject, heat, self.colormap.get(), self.opacity.get(),
                                self.outline.get()) for _key, heat in shown]
        saved = write_png(path, side_by_side(pictures, [self._title(key) for key, _heat in shown]))
        self.context.set_status(f"Overlay saved to {saved}")
        return saved

    def save_overlay_dialog(self) -> None:
        """File ▸ Save overlay as PNG… (Ctrl+S)."""
        if not self.can_save:
            self.context.errors.report(UserError("There is no heat map to save yet."))
            return
        method, class_id = self.panel_keys()[0]
        name = f"{Path(self.doc.path).stem}_{method.replace('+', 'pp')}_{class_id}.png"
        chosen = filedialog.asksaveasfilename(
            parent=self.winfo_toplevel(), title="Save overlay as PNG", initialfile=name,
            defaultextension=".png", filetypes=[("PNG image", "*.png")],
            initialdir=self.context.settings.last_folder or None)
        if chosen:
            try:
                self.save_overlay(chosen)
            except UserError as error:
                self.context.errors.report(error)

    def stop(self) -> None:
        """Drop pending work and timers (the window is closing)."""
        self.controller.job.cancel()
        if self._render_pending is not None:
            self.after_cancel(self._render_pending)
            self._render_pending = None
