"""The real app, end to end: the bundled model on a real melanoma image."""

from __future__ import annotations

import re

import pytest

from tests.gui.helpers import require_display

require_display()

from PIL import Image

from tests.gui.helpers import TickRecorder, drag_scale, press, screenshot

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.realdata]


def test_real_model_analyses_a_melanoma_image(make_app, shared_data, real_service, output_dir):
    image = min((shared_data / "ham10000" / "images" / "mel").glob("*.jpg"))
    app = make_app(real_service)
    window = app.window
    app.wait_for_model(timeout=120)
    card = real_service.card()
    assert window.ui.status.model.cget("text").startswith(f"Model: {card.name} · ")

    window.open_paths([str(image)])
    app.wait_for_images()
    window.ui.patient_form.age.set("70")
    window.ui.patient_form.sex.set("male")
    window.ui.patient_form.site.set("back")
    screenshot(app.root, output_dir / "01_opened.png")

    ticks = TickRecorder(app.root)
    ticks.start()
    assert window.analyse_current()
    app.wait_for_analysis(timeout=120)
    ticks.stop()

    prediction = window.current.prediction
    assert prediction is not None, window.current.result.error
    text = window.ui.result_panel.visible_text()
    top_name = card.class_name(prediction.top_class)
    assert re.search(rf"Most likely: {re.escape(top_name)} \((<1|>99|\d+)%\)", text)
    relation = "above" if prediction.flagged else "below"
    assert re.search(rf"P\(malignant\) \S+ is (at|{relation}) the threshold \(\S+\) at which "
                     "this model flags lesions for review.", text)
    assert ("Flagged for review" if prediction.flagged else "Not flagged") in text
    assert ticks.max_gap < 0.15, f"the Tk thread stalled: {ticks.long_gaps}"
    screenshot(app.root, output_dir / "02_result.png")

    window.ui.notebook.select(1)
    assert card.name in window.ui.model_card.plain_text()
    screenshot(app.root, output_dir / "03_model_card.png")

    preprocess_then_analyse(app, output_dir)
    explain_with_gradcam(app, image, output_dir)


def test_the_model_loads_without_stalling_the_window(make_app, output_dir):
    """As at start-up: the app's own service loads the default model in its engine process."""
    app = make_app(None)
    ticks = TickRecorder(app.root)
    ticks.start()
    try:
        app.wait_for_model(timeout=180)
        ticks.stop()
        status = app.window.model.status
        assert status.state == "ready", status.text
        service = app.window.model.service
        assert service.process.pid is not None
        assert status.text.startswith(f"Model: {service.card().name} · ")
        # TensorFlow's import and the model's loading held the interpreter lock for up to
        # 0.4 s at a time when they ran in this process; in the engine process they cannot.
        assert ticks.max_gap < 0.15, f"the Tk thread stalled: {ticks.long_gaps}"
        screenshot(app.root, output_dir / "model_ready.png")
    finally:
        app.window.model.service.close()


def preprocess_then_analyse(app, output_dir):
    """Preprocessing tab: standard preset, a stronger CLAHE, split view; analyse the result."""
    window = app.window
    press(window.ui.image_view.canvas, "<Control-p>")
    app.pump(lambda: window.tools.preprocess_pane is not None, 30, "the preprocessing pane")
    pane = window.tools.preprocess_pane
    ticks = TickRecorder(app.root)
    ticks.start()
    pane.preset.set("standard dermoscopy")
    app.pump(lambda: pane.preview is not None and not pane.job.busy
             and pane.preview.pipeline.fingerprint() == pane.editor.pipeline.fingerprint(),
             60, "the standard preset's preview")
    pane.steps.select(4)  # CLAHE
    app.pump(timeout=0.05)
    drag_scale(pane.step_editor.scales["clip_limit"], 2.5, 3.0)
    app.pump(lambda: not pane.job.busy and pane.preview.pipeline.steps[4].clip_limit == 3.0,
             60, "the edited preview")
    ticks.stop()
    assert ticks.max_gap < 0.2, f"the Tk thread stalled: {ticks.long_gaps}"
    assert len(pane.preview.images) == 5
    screenshot(app.root, output_dir / "04_preprocessing.png")
    pane.mode_buttons["split"].invoke()
    screenshot(app.root, output_dir / "05_preprocessing_split.png")

    pane.analyse_check.invoke()
    assert window.analyse_current()
    app.wait_for_analysis(timeout=120)
    described = pane.editor.pipeline.describe()
    assert "CLAHE (clip 3.0)" in described
    assert window.current.result.preprocessing["description"] == described
    assert f"Preprocessing: {described}" in window.ui.result_panel.visible_text()
    window.ui.notebook.select(0)
    screenshot(app.root, output_dir / "06_result_preprocessed.png")


def explain_with_gradcam(app, image, output_dir):
    """Grad-CAM tab: first heat map, opacity, another class side by side, save, assess."""
    window = app.window
    ticks = TickRecorder(app.root)
    ticks.start()
    press(window.ui.image_view.canvas, "<Control-g>")
    app.pump(lambda: window.tools.explain_pane is not None, 30, "the Grad-CAM pane")
    pane = window.tools.explain_pane

    def heatmaps_ready():
        return not pane.controller.busy and all(
            pane.controller.cached(pane.doc, k) for k in pane.panel_keys())

    app.pump(heatmaps_ready, 180, "the first heat map")
    app.pump(timeout=0.1)
    ticks.stop()
    assert ticks.max_gap < 0.2, f"the Tk thread stalled: {ticks.long_gaps}"
    top = window.current.prediction.top_class
    assert pane.panel_keys() == [("gradcam", top)]
    name = app.service.card().class_name(top)
    assert pane.caption.cget("text").startswith(
        f"Red areas influenced the model's score for {name} most.")
    assert "Explained on the preprocessed image the model analysed" in pane.details.cget("text")
    screenshot(app.root, output_dir / "07_gradcam.png")

    runs = pane.controller.job.runs
    drag_scale(pane.opacity_scale, 0.6)
    app.pump(timeout=0.2)
    assert pane.controller.job.runs == runs, "opacity changes re-blend, never recompute"

    ticks.start()
    pane.compare.set(True)
    pane.method2_box.set("Grad-CAM++")
    app.pump(heatmaps_ready, 180, "the second heat map")
    app.pump(timeout=0.1)
    ticks.stop()
    assert ticks.max_gap < 0.2, f"the Tk thread stalled: {ticks.long_gaps}"
    assert len(window.tools.explain_view.panels) == 2
    screenshot(app.root, output_dir / "08_gradcam_compare.png")

    saved = pane.save_overlay(output_dir / "overlay.png")
    with Image.open(saved) as png, Image.open(image) as original:
        # Compare mode: both overlays side by side at full size, under their titles.
        assert png.size[0] == 2 * original.size[0] + 12 and png.size[1] > original.size[1]

    window.ui.notebook.select(0)
    form = window.ui.result_panel.assessment
    form.agreement.set("agree")
    form.choose_diagnosis(top)
    assert window.current.assessment.agreement == "agree"
    assert app.internal_errors == []
