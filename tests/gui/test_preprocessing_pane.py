"""The Preprocessing tab driven as a user would, around a fake service (no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk.core.preprocess import load_user_presets
from skindesk.gui.settings import load_settings
from tests.gui.fakes import FakeService, fake_step
from tests.gui.helpers import TickRecorder, click_tree_cell, drag_scale, press, screenshot

pytestmark = pytest.mark.gui


def open_analysed(app, path):
    window = app.window
    window.open_paths([str(path)])
    app.wait_for_images()
    app.wait_for_model()
    assert window.analyse_current()
    app.wait_for_analysis()
    return window


def open_pane(app):
    """Ctrl+P, then wait for the pane and its first preview."""
    window = app.window
    press(window.ui.image_view.canvas, "<Control-p>")
    app.pump(lambda: window.tools.preprocess_pane is not None, 10, "the preprocessing pane")
    pane = window.tools.preprocess_pane
    app.pump(lambda: pane.preview is not None and not pane.job.busy, 10, "the first preview")
    return pane


def expected_after(pane):
    """What the fake service makes of the preview source, up to the selected step."""
    image = np.asarray(pane.preview.original.convert("RGB"))
    for step in pane.editor.steps[: pane.steps.selected + 1]:
        if step.enabled:
            image = fake_step(image, step)
    return image


def wait_for_preview_of(app, pane, pipeline):
    app.pump(lambda: not pane.job.busy and pane.preview.pipeline.fingerprint()
             == pipeline.fingerprint(), 10, "the preview of the new pipeline")


def test_preview_follows_edits_debounced_in_a_worker(app, lesion_images, output_dir):
    window = open_analysed(app, lesion_images[0])
    assert "Preprocessing: none" in window.ui.result_panel.visible_text()
    pane = open_pane(app)
    assert window.tools.preprocessing.selected and window.ui.stage.current == "preprocess"
    assert [s.enabled for s in pane.editor.steps] == [False] * 6  # preset "none"

    pane.preset_box.set("standard dermoscopy")
    pane.preset_box.event_generate("<<ComboboxSelected>>")
    wait_for_preview_of(app, pane, pane.editor.pipeline)
    assert [s.enabled for s in pane.editor.steps] == [True] * 5 + [False]
    assert np.array_equal(np.asarray(pane.shown_after), expected_after(pane))
    screenshot(app.root, output_dir / "01_standard_preset.png")

    ticks = TickRecorder(app.root)
    ticks.start()
    click_tree_cell(pane.steps.tree, "1", "on")  # hair removal off
    assert not pane.editor.steps[1].enabled
    assert pane.steps.row_text(1)[0] == "☐"
    wait_for_preview_of(app, pane, pane.editor.pipeline)
    assert pane.steps.selected == 1  # the clicked row: the image after hair removal (now off)
    assert np.array_equal(np.asarray(pane.shown_after), expected_after(pane))

    pane.steps.select(4)  # CLAHE
    app.pump(timeout=0.05)
    assert pane.step_editor.cget("text") == "Step 5: CLAHE"
    runs, calls = pane.job.runs, len(app.service.preprocess_calls)
    drag_scale(pane.step_editor.scales["clip_limit"], 3.0, 4.0, 5.0)
    assert pane.editor.steps[4].clip_limit == 5.0
    assert pane.step_editor.spins["clip_limit"].get() == "5.0"
    assert pane.steps.row_text(4) == ("☑", "CLAHE (clip 5.0)")
    app.root.update()
    assert len(app.service.preprocess_calls) == calls, "no work before the 250 ms pause"
    wait_for_preview_of(app, pane, pane.editor.pipeline)
    ticks.stop()
    assert pane.job.runs == runs + 1, "one preview for a burst of changes"
    assert len(app.service.preprocess_calls) == calls + 1
    assert np.array_equal(np.asarray(pane.shown_after), expected_after(pane))
    assert pane.modified_label.cget("text") == "Modified: not saved as a preset."
    assert ticks.max_gap < 0.2, f"the Tk thread stalled for {ticks.max_gap * 1000:.0f} ms"
    screenshot(app.root, output_dir / "02_edited.png")

    pane.steps.select(0)  # the image after the first step only
    app.pump(timeout=0.05)
    first_only = fake_step(np.asarray(pane.preview.original.convert("RGB")), pane.editor.steps[0])
    assert np.array_equal(np.asarray(pane.shown_after), first_only)


def test_split_view_preset_and_analysing_the_preprocessed_image(app, lesion_images, output_dir):
    window = open_analysed(app, lesion_images[0])
    pane = open_pane(app)
    pane.preset.set("standard dermoscopy")
    wait_for_preview_of(app, pane, pane.editor.pipeline)

    pane.mode_buttons["split"].invoke()
    view = pane.view
    assert view.mode == "split" and window.settings.compare_mode == "split"
    app.pump(timeout=0.1)
    left, top, width, _height = view._picture_box
    view.canvas.event_generate("<ButtonPress-1>", x=left + width // 2, y=top + 10)
    view.canvas.event_generate("<B1-Motion>", x=left + width // 4, y=top + 10)
    app.pump(timeout=0.1)
    assert view.split == pytest.approx(0.25, abs=0.01)
    assert view.divider_x == pytest.approx(left + width / 4, abs=1)
    screenshot(app.root, output_dir / "03_split.png")

    assert not pane.save_preset("Standard dermoscopy")  # a built-in name is refused
    assert "built-in preset" in window.ui.message_bar.text
    pane.editor.set_param(4, "clip_limit", 2.5)
    assert pane.save_preset("My dermoscopy")
    saved = load_user_presets()
    assert saved["My dermoscopy"].fingerprint() == pane.editor.pipeline.fingerprint()
    assert "My dermoscopy" in pane.preset_box.cget("values")
    assert pane.preset.get() == "My dermoscopy" and not pane.editor.modified

    pane.analyse_check.invoke()
    assert window.settings.analyse_preprocessed and window.tools.analyse_preprocessed.get()
    assert window.analyse_current()
    app.wait_for_analysis()
    described = pane.editor.pipeline.describe()
    assert f"Preprocessing: {described}" in window.ui.result_panel.visible_text()
    assert app.service.pipelines[-1].fingerprint() == pane.editor.pipeline.fingerprint()
    assert window.current.result.preprocessing["applied"]
    window.ui.notebook.select(0)
    app.pump(lambda: window.ui.stage.current == "image", 2, "the image viewer")
    screenshot(app.root, output_dir / "04_result_with_preprocessing.png")

    window.quit()
    remembered = load_settings()
    assert remembered.preprocessing_preset == "My dermoscopy"
    assert remembered.analyse_preprocessed and remembered.compare_mode == "split"
    assert remembered.preprocessing["steps"][4]["params"]["clip_limit"] == 2.5


def test_remembered_pipeline_is_used_without_opening_the_pane(make_app, lesion_images):
    from skindesk.gui.settings import GuiSettings

    settings = GuiSettings(geometry="1400x900+0+0", preprocessing_preset="standard dermoscopy",
                           analyse_preprocessed=True)
    app = make_app(FakeService(delay=0.1), settings)
    window = open_analysed(app, lesion_images[0])
    assert window.tools.preprocess_pane is None
    assert "Preprocessing: black-corner masking → hair removal" in (
        window.ui.result_panel.visible_text())
