"""The real app, end to end: the bundled model on a real melanoma image."""

from __future__ import annotations

import re

import pytest

from tests.gui.helpers import require_display

require_display()

from tests.gui.helpers import TickRecorder, screenshot

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
    assert ticks.max_gap < 0.5, f"the Tk thread stalled for {ticks.max_gap * 1000:.0f} ms"
    screenshot(app.root, output_dir / "02_result.png")

    window.ui.notebook.select(1)
    assert card.name in window.ui.model_card.plain_text()
    screenshot(app.root, output_dir / "03_model_card.png")
