"""The main window driven as a user would, around a fake service (no TensorFlow)."""

from __future__ import annotations

import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk import DISCLAIMER, __version__
from skindesk.gui.settings import DARK_THEME, LIGHT_THEME, load_settings
from tests.gui.fakes import BLUR_WARNING, IMAGE_ONLY_CARD_DATA, FakeService
from tests.gui.helpers import TickRecorder, make_lesion_png, screenshot

pytestmark = pytest.mark.gui

FLAGGED_READING = ("P(malignant) 0.63 is above the threshold (0.27) at which this model "
                   "flags lesions for review.")


def press(widget, key: str) -> None:
    """Type ``key`` into ``widget`` as the user would (focus first)."""
    widget.focus_force()
    widget.update()
    widget.event_generate(key)
    widget.update()


def test_window_starts_with_hint_disclaimer_and_model_status(app):
    window = app.window
    assert window.ui.disclaimer.label.cget("text") == DISCLAIMER
    assert "Open an image to begin" in window.ui.image_view.message
    assert str(window.ui.toolbar.analyse_button.cget("state")) == "disabled"
    app.wait_for_model()
    assert window.ui.status.model.cget("text") == "Model: Fake HAM10000 model · CPU (2 threads)"
    assert "Fake HAM10000 model" in window.ui.model_card.plain_text()
    assert "P(malignant) ≥ 0.27" in window.ui.model_card.plain_text()
    assert window.drop_enabled == app.dnd_loaded  # files can be dropped when tkdnd loads


def test_open_two_images_and_switch_with_arrow_keys(app, lesion_images, output_dir):
    window = app.window
    window.open_paths([str(p) for p in lesion_images])
    app.wait_for_images()
    names = [window.documents[i].name for i in window.ui.filmstrip.ids()]
    assert names == ["lesion_a.png", "lesion_b.png"]
    assert window.current.name == "lesion_a.png"
    assert window.ui.image_view.has_image
    assert window.ui.filmstrip.status_text(window.current.id) == "Not analysed"

    press(window.ui.filmstrip.tree, "<Down>")
    assert window.current.name == "lesion_b.png"
    assert "800×600 PNG" in window.ui.status.image_info.cget("text")
    press(window.ui.filmstrip.tree, "<Up>")
    assert window.current.name == "lesion_a.png"
    press(window.ui.image_view.canvas, "<Right>")
    assert window.current.name == "lesion_b.png"
    press(window.ui.image_view.canvas, "<Left>")
    assert window.current.name == "lesion_a.png"
    screenshot(app.root, output_dir / "01_opened.png")


def test_analyse_shows_result_in_words_and_numbers(app, lesion_images, output_dir):
    window = app.window
    window.open_paths([str(p) for p in lesion_images])
    app.wait_for_images()
    form = window.ui.patient_form
    form.age.set("63")
    form.sex.set("male")
    form.site.set("back")

    assert window.analyse_current()
    assert str(window.ui.toolbar.analyse_button.cget("state")) == "disabled"
    assert window.ui.toolbar.progress_visible
    assert not window.analyse_current(), "a second click while running is ignored"
    screenshot(app.root, output_dir / "02_analysing.png")
    app.wait_for_analysis()

    text = window.ui.result_panel.visible_text()
    assert "Most likely: Melanoma (55%)" in text
    assert FLAGGED_READING in text
    assert "Flagged for review" in text
    assert "Analysed with: age 63 · male · back" in text
    assert not window.ui.toolbar.progress_visible
    assert str(window.ui.toolbar.analyse_button.cget("state")) == "normal"
    assert window.ui.filmstrip.status_text(window.current.id) == "⚑ Flagged · Melanoma"
    bars = window.ui.result_panel.chart.bars
    assert [b.class_id for b in bars][:2] == ["mel", "nv"] and bars[0].top
    _, metadata = app.service.calls[-1]
    assert metadata.age == 63 and metadata.sex == "male" and metadata.site == "back"
    screenshot(app.root, output_dir / "03_result.png")

    form.age.set("36")
    assert "Patient details changed since: analyse again" in window.ui.result_panel.visible_text()


def test_an_image_only_model_says_the_patient_details_do_not_change_its_result(
        make_app, lesion_images, output_dir):
    app = make_app(FakeService(delay=0.1, card_data=IMAGE_ONLY_CARD_DATA))
    window = app.window
    window.open_paths([str(lesion_images[0])])
    app.wait_for_images()
    window.ui.patient_form.age.set("63")
    assert window.analyse_current()
    app.wait_for_analysis()

    text = window.ui.result_panel.visible_text()
    assert "Image only: age, sex and site do not change this model's result." in text
    assert "Analysed with" not in text
    window.ui.patient_form.age.set("36")
    assert "Patient details changed since" not in window.ui.result_panel.visible_text()
    card_text = window.ui.model_card.plain_text()
    assert "What the result depends on\nThe image, resized to 64×64 pixels, only." in card_text
    screenshot(app.root, output_dir / "image_only_result.png")


def test_analyse_all_and_quality_warning(app, lesion_images, output_dir):
    window = app.window
    window.open_paths([str(p) for p in lesion_images])
    app.wait_for_images()
    assert window.analyse_all()
    app.wait_for_analysis()
    assert all(d.prediction is not None for d in window.documents.values())
    window.select_index(1)
    app.pump(lambda: window.current.name == "lesion_b.png")
    assert BLUR_WARNING["message"] in window.ui.result_panel.visible_text()
    screenshot(app.root, output_dir / "04_warning.png")


def test_assessment_is_kept_per_image(app, lesion_images):
    window = app.window
    window.open_paths([str(p) for p in lesion_images])
    app.wait_for_images()
    assert window.analyse_all()
    app.wait_for_analysis()
    form = window.ui.result_panel.assessment
    form.agreement.set("disagree")
    form.choose_diagnosis("nv")
    form.note.insert("1.0", "Symmetric network on dermoscopy.")
    app.pump(timeout=0.2)

    first = window.current.assessment
    assert (first.agreement, first.diagnosis, first.note) == (
        "disagree", "nv", "Symmetric network on dermoscopy.")
    assert first.updated_at
    window.select_index(1)
    app.pump(lambda: window.current.name == "lesion_b.png")
    assert form.agreement.get() == "" and form.value().note == ""
    window.select_index(0)
    app.pump(lambda: window.current.name == "lesion_a.png")
    assert form.value() == first.__class__(agreement="disagree", diagnosis="nv",
                                           note="Symmetric network on dermoscopy.")
    record = window.records()[0]
    assert record["assessment"]["diagnosis"] == "nv"
    assert record["result"]["top_class"] == "mel"


def test_bad_file_shows_message_and_app_keeps_working(app, lesion_images, tmp_path, output_dir):
    window = app.window
    bad = tmp_path / "notes.jpg"
    bad.write_text("this is not a picture\n")
    window.open_paths([str(bad), str(lesion_images[0])])
    app.wait_for_images()

    assert window.ui.message_bar.visible
    assert "Cannot open notes.jpg: not an image (unrecognised content)" in window.ui.message_bar.text
    assert window.current.name == "notes.jpg"
    assert "not an image" in window.ui.image_view.message
    assert window.ui.filmstrip.status_text(window.current.id) == "Cannot be opened"
    assert str(window.ui.toolbar.analyse_button.cget("state")) == "disabled"
    assert not window.analyse_current()
    screenshot(app.root, output_dir / "05_bad_file.png")

    press(window.ui.filmstrip.tree, "<Down>")
    assert window.analyse_current()
    app.wait_for_analysis()
    assert "Most likely: Melanoma" in window.ui.result_panel.visible_text()
    assert app.internal_errors == []


def test_invalid_age_is_a_plain_message(app, lesion_images):
    window = app.window
    window.open_paths([str(lesion_images[0])])
    app.wait_for_images()
    window.ui.patient_form.age.set("sixty")
    assert not window.analyse_current()
    assert "age must be a number of years" in window.ui.message_bar.text
    assert app.internal_errors == []


def test_tk_thread_stays_responsive_while_workers_run(make_app, lesion_images, tmp_path):
    big = make_lesion_png(tmp_path / "big.png", size=(5000, 3800), seed=3)
    app = make_app(FakeService(delay=1.0))
    window = app.window
    window.open_paths([str(p) for p in lesion_images])
    app.wait_for_images()
    ticks = TickRecorder(app.root)
    ticks.start()
    assert window.analyse_all()
    window.open_paths([str(big)])  # a 19 MP decode while the analysis runs
    app.wait_for_analysis(timeout=60)
    app.wait_for_images(timeout=60)
    ticks.stop()
    assert window.current.name == "big.png" and window.ui.image_view.has_image
    assert ticks.ticks > 20
    assert ticks.max_gap < 0.2, f"the Tk thread stalled for {ticks.max_gap * 1000:.0f} ms"


def test_cancel_stops_analyse_all(make_app, tmp_path):
    app = make_app(FakeService(delay=0.5))
    window = app.window
    window.open_paths([str(make_lesion_png(tmp_path / f"l{i}.png", seed=i)) for i in range(6)])
    app.wait_for_images()
    assert window.analyse_all()
    app.pump(lambda: any(d.prediction for d in window.documents.values()), 20, "a first result")
    window.cancel_analysis()
    app.wait_for_analysis()
    analysed = [d for d in window.documents.values() if d.prediction is not None]
    assert 1 <= len(analysed) < 6
    assert "cancelled" in window.ui.status.message.cget("text")


def test_theme_toggle_and_about(app, lesion_images, output_dir):
    window = app.window
    window.open_paths([str(lesion_images[0])])
    app.wait_for_images()
    window.analyse_current()
    app.wait_for_analysis()
    window.toggle_theme()
    assert app.root.style.theme_use() == DARK_THEME
    assert window.settings.theme == DARK_THEME and window.dark.get()
    screenshot(app.root, output_dir / "06_dark.png")

    about = window.show_about()
    app.pump(lambda: about.winfo_ismapped(), 5, "the About box")
    text = about.text()
    assert f"SkinDesk {__version__}" in text
    assert "Fake HAM10000 model" in text and "MIT" in text
    assert DISCLAIMER in text
    screenshot(about, output_dir / "07_about.png")
    about.destroy()

    window.toggle_theme()
    assert app.root.style.theme_use() == LIGHT_THEME


def test_settings_are_saved_on_quit(app, lesion_images):
    window = app.window
    window.open_paths([str(p) for p in lesion_images])
    app.wait_for_images()
    window.toggle_theme()
    window.quit()
    saved = load_settings()
    assert saved.theme == DARK_THEME
    assert saved.geometry.startswith("1400x900")
    assert saved.last_folder == str(lesion_images[0].parent.resolve())
    assert saved.recent_files[0] == str(lesion_images[1].resolve())
    assert len(saved.pane_widths) == 2


def test_paste_path_opens_a_folder(app, lesion_images):
    window = app.window
    window.paste_path()
    window.ui.path_bar.value.set(str(lesion_images[0].parent))
    window.ui.path_bar.submit()
    app.wait_for_images()
    assert sorted(d.name for d in window.documents.values()) == ["lesion_a.png", "lesion_b.png"]
    window.close_current()
    assert [d.name for d in window.documents.values()] == ["lesion_b.png"]
    assert window.current.name == "lesion_b.png"


def test_internal_errors_are_logged_and_shown_with_the_log_path(app):
    from skindesk import paths

    def broken_callback():
        raise ZeroDivisionError("a bug")

    app.root.after(0, broken_callback)
    app.pump(lambda: app.internal_errors, 5, "the error report")
    assert str(paths.log_file()) in app.internal_errors[0]
    assert "Internal error (ZeroDivisionError: a bug)" in app.internal_errors[0]
    log_text = paths.log_file().read_text()
    assert "Traceback" in log_text and "broken_callback" in log_text
