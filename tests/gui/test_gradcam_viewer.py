"""The Grad-CAM tab driven as a user would, around a fake service (no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.gui.helpers import require_display

require_display()

from skindesk.gui import explain_pane as explain_pane_module
from skindesk.gui.explain_view import OUTLINE_TAG
from skindesk.gui.pipeline_editor import pipeline_from_settings
from tests.gui.fakes import FakeService
from tests.gui.helpers import TickRecorder, drag_scale, press, screenshot

pytestmark = pytest.mark.gui


def analysed_app(make_app, image, **settings):
    from skindesk.gui.settings import GuiSettings

    app = make_app(FakeService(delay=0.1), GuiSettings(geometry="1400x900+0+0", **settings))
    app.window.open_paths([str(image)])
    app.wait_for_images()
    app.wait_for_model()
    assert app.window.analyse_current()
    app.wait_for_analysis()
    return app


def open_gradcam(app):
    """Ctrl+G, then wait for the first heat map."""
    window = app.window
    press(window.ui.image_view.canvas, "<Control-g>")
    app.pump(lambda: window.tools.explain_pane is not None, 10, "the Grad-CAM pane")
    pane = window.tools.explain_pane
    wait_for_heatmaps(app, pane)
    return pane


def wait_for_heatmaps(app, pane):
    app.pump(lambda: not pane.controller.busy
             and all(pane.controller.cached(pane.doc, k) for k in pane.panel_keys()), 10,
             "the heat maps")
    app.pump(timeout=0.05)


def pixels(panel):
    return np.asarray(panel.picture)


def test_gradcam_viewer(make_app, lesion_images, tmp_path, output_dir, monkeypatch):
    app = analysed_app(make_app, lesion_images[0])
    window, service = app.window, app.service
    ticks = TickRecorder(app.root)
    ticks.start()
    pane = open_gradcam(app)
    assert window.ui.stage.current == "explain"
    assert service.explain_calls == [("gradcam", "mel")]  # the top class by default
    assert pane.class_.get() == "Melanoma — 55%" and pane.method.get() == "Grad-CAM"
    panel = window.tools.explain_view.panels[0]
    assert panel.title.cget("text") == "Grad-CAM · Melanoma (55%)"
    assert pane.caption.cget("text") == (
        "Red areas influenced the model's score for Melanoma most. A heat map shows where "
        "the model looked, not why, and can be wrong.")
    assert panel.canvas.find_withtag(OUTLINE_TAG)  # the lesion outline and box
    ticks.stop()  # a screenshot holds the Tk thread
    screenshot(app.root, output_dir / "01_gradcam.png")
    ticks.start()

    before = pixels(panel)
    drag_scale(pane.opacity_scale, 0.6, 0.8)
    app.pump(timeout=0.1)
    pane.colormap.set("inferno")
    app.pump(timeout=0.1)
    assert service.explain_calls == [("gradcam", "mel")], "opacity/colour map: no recomputation"
    assert pane.controller.job.runs == 1
    assert window.settings.explain_opacity == pytest.approx(0.8, abs=0.02)
    assert not np.array_equal(pixels(panel), before)
    assert pane.caption.cget("text").startswith("Yellow areas influenced")
    pane.outline.set(False)
    assert all(panel.canvas.itemcget(i, "state") == "hidden"
               for i in panel.canvas.find_withtag(OUTLINE_TAG))
    ticks.stop()
    screenshot(app.root, output_dir / "02_opacity_inferno_no_outline.png")
    ticks.start()

    pane.method_box.set("Grad-CAM++")
    wait_for_heatmaps(app, pane)
    nevus = next(text for text in pane.classes if text.startswith("Melanocytic nevus"))
    pane.class_box.set(nevus)
    wait_for_heatmaps(app, pane)
    assert service.explain_calls[1:] == [("gradcam++", "mel"), ("gradcam++", "nv")]
    assert "score for Melanocytic nevus" in pane.caption.cget("text")

    pane.class_box.set("Melanoma — 55%")  # (Grad-CAM++, mel), then (Grad-CAM, mel): both cached
    pane.method_box.set("Grad-CAM")
    wait_for_heatmaps(app, pane)
    assert len(service.explain_calls) == 3, "back to a computed heat map: from the cache"

    pane.compare.set(True)
    pane.method2_box.set("LayerCAM")
    pane.class2_box.set(nevus)
    wait_for_heatmaps(app, pane)
    ticks.stop()
    assert len(window.tools.explain_view.panels) == 2
    titles = [p.title.cget("text") for p in window.tools.explain_view.panels]
    assert titles == ["Grad-CAM · Melanoma (55%)", "LayerCAM · Melanocytic nevus (25%)"]
    assert "Melanoma (left) and Melanocytic nevus (right)" in pane.caption.cget("text")
    assert ticks.max_gap < 0.2, f"the Tk thread stalled for {ticks.max_gap * 1000:.0f} ms"
    pane.outline.set(True)
    screenshot(app.root, output_dir / "03_compare.png")

    saved = pane.save_overlay(tmp_path / "overlay.png")
    with Image.open(saved) as png:  # both panels side by side under their titles
        assert png.mode == "RGB" and png.size[0] == 2 * 600 + 12 and png.size[1] > 450
        png.save(output_dir / "04_saved_compare.png")
    pane.compare.set(False)
    wait_for_heatmaps(app, pane)
    with Image.open(pane.save_overlay(tmp_path / "single.png")) as png:
        assert png.size == (600, 450) and png.mode == "RGB"
    pane.compare.set(True)
    wait_for_heatmaps(app, pane)
    target = tmp_path / "from_dialog.png"
    monkeypatch.setattr(explain_pane_module.filedialog, "asksaveasfilename",
                        lambda **_options: str(target))
    press(window.ui.image_view.canvas, "<Control-s>")
    assert target.is_file()

    window.ui.notebook.select(0)
    app.pump(lambda: window.ui.stage.current == "image", 2, "the image viewer")
    form = window.ui.result_panel.assessment
    form.agreement.set("agree")
    form.choose_diagnosis("mel")
    assert (window.current.assessment.agreement, window.current.assessment.diagnosis) == (
        "agree", "mel")
    assert app.internal_errors == []


def test_heatmap_explains_the_preprocessed_image_the_model_saw(make_app, lesion_images,
                                                               output_dir):
    app = analysed_app(make_app, lesion_images[0], preprocessing_preset="standard dermoscopy",
                       analyse_preprocessed=True)
    pane = open_gradcam(app)
    pipeline = pipeline_from_settings("standard dermoscopy", {})
    original = np.asarray(Image.open(lesion_images[0]).convert("RGB"))
    seen = app.service.model_input(original, pipeline)
    assert np.array_equal(app.service.explained_images[-1], seen)
    assert "Explained on the preprocessed image the model analysed (black-corner masking" in (
        pane.details.cget("text"))
    screenshot(app.root, output_dir / "gradcam_preprocessed.png")


def test_saving_before_any_heatmap_is_a_plain_message(app, lesion_images):
    app.window.save_overlay()
    assert "no heat map to save yet" in app.window.ui.message_bar.text
    app.window.open_paths([str(lesion_images[0])])
    app.wait_for_images()
    app.window.show_explain()
    app.pump(lambda: app.window.tools.explain_pane is not None, 10, "the Grad-CAM pane")
    view = app.window.tools.explain_view
    app.pump(lambda: "Analyse this image first" in view.panels[0].message, 5, "the hint")
    assert app.service.explain_calls == []
    assert app.internal_errors == []


class ServiceWithoutSegmentation(FakeService):
    segment = None  # an engine without lesion segmentation


def test_outline_switch_is_disabled_without_segmentation(make_app, lesion_images):
    from skindesk.gui.settings import GuiSettings

    app = make_app(ServiceWithoutSegmentation(delay=0.1), GuiSettings(geometry="1400x900+0+0"))
    app.window.open_paths([str(lesion_images[0])])
    app.wait_for_images()
    assert app.window.analyse_current()
    app.wait_for_analysis()
    pane = open_gradcam(app)
    assert str(pane.outline_check.cget("state")) == "disabled"
    assert pane.outline_tip.text == "segmentation not available"
    assert not app.window.tools.explain_view.panels[0].canvas.find_withtag(OUTLINE_TAG)
