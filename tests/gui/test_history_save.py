"""Saving an analysis from the main window into a patient's record, and reopening it exactly."""

from __future__ import annotations

import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk.core.history import HistoryService
from skindesk.gui.settings import GuiSettings
from tests.gui.helpers import press, screenshot
from tests.gui.history_helpers import (
    MeasuringService,
    double_click_row,
    tk_garbage_on_the_tk_thread,
    wait_for_history,
)

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _tk_garbage_on_the_tk_thread():
    with tk_garbage_on_the_tk_thread():
        yield


def analysed(make_app, image, service=None):
    settings = GuiSettings(geometry="1400x900+0+0", preprocessing_preset="standard dermoscopy",
                           analyse_preprocessed=True)
    app = make_app(service or MeasuringService(delay=0.1), settings)
    window = app.window
    window.open_paths([str(image)])
    app.wait_for_images()
    form = window.ui.patient_form
    form.identifier.set("MRN-7")
    form.age.set("63")
    form.sex.set("male")
    form.site.set("back")
    app.wait_for_model()
    assert window.analyse_current()
    app.wait_for_analysis()
    assessment = window.ui.result_panel.assessment
    assessment.agreement.set("disagree")
    assessment.choose_diagnosis("nv")
    assessment.note.insert("1.0", "Regular network; keep under review.")
    app.pump(timeout=0.1)
    return app


def create_patient_in_picker(app, dialog):
    """New patient… from the save dialog, with the identifier typed in the main window."""
    wait_for_history(app)
    assert dialog.picker.patient is None and str(dialog.save_button.cget("state")) == "disabled"
    form = dialog.picker.new_patient()
    assert form.identifier.get() == "MRN-7"
    form.name.set("Max Mustermann")
    form.birth_date.set("1961-07-14")
    form.sex.set("male")
    form.save_button.invoke()
    wait_for_history(app)
    assert not form.winfo_exists()
    assert dialog.picker.patient.identifier == "MRN-7"


def test_save_to_patient_then_reopen_exactly(make_app, lesion_images, output_dir):
    app = analysed(make_app, lesion_images[0])
    window = app.window
    original = window.current
    shown_before = window.ui.result_panel.visible_text()
    assert "Preprocessing: black-corner masking" in shown_before

    # Click 1: the result panel's Save to patient… button.
    window.history.panel_button.invoke()
    dialog = window.history.save_dialog
    create_patient_in_picker(app, dialog)
    assert dialog.visit.get().startswith("Today's visit")
    assert dialog.lesion.get() == "L1" and dialog.site.get() == "back"
    dialog.spacing.set("0.05")
    screenshot(dialog, output_dir / "01_save_dialog.png")
    dialog.save_button.invoke()  # click 2
    wait_for_history(app, timeout=30)
    assert not dialog.winfo_exists()
    assert window.ui.status.message.cget("text").startswith("Saved to MRN-7, visit ")

    with HistoryService() as history:
        patient = history.patient_by_identifier("MRN-7")
        record = history.get_patient_record(patient.id)
    (analysis,) = record.analyses
    assert analysis.probabilities == original.prediction.probabilities
    assert analysis.metadata == {"age": 63.0, "sex": "male", "site": "back"}
    assert analysis.preprocessing == original.result.preprocessing
    assert analysis.measurements["max_diameter_mm"] > 0 and record.images[0].pixel_spacing_mm == 0.05
    assert record.lesions[0].label == "L1" and record.lesions[0].site == "back"
    assert len(record.visits) == 1 and analysis.visit_id == record.visits[0].id
    stored = record.assessments[analysis.id]
    assert (stored.verdict, stored.diagnosis) == ("disagree", "nv")
    assert stored.note == "Regular network; keep under review."

    # Close the image; reopen it from the Patients window by double-clicking the analysis.
    calls = len(app.service.calls)
    window.close_current()
    patients = window.history.show_patients()
    wait_for_history(app)
    assert patients.selected_patient.identifier == "MRN-7"  # the only patient is chosen
    double_click_row(patients.view.tree, f"a{analysis.id}")
    wait_for_history(app)
    app.wait_for_images()
    doc = window.current
    assert doc is not original and doc.name.startswith(original.name)
    assert doc.path == str(history.store.path_of(record.images[0].store_path))
    assert doc.result.prediction.probabilities == original.prediction.probabilities
    assert doc.result.preprocessing == original.result.preprocessing
    assert doc.result.metadata == original.result.metadata
    assert doc.result.warnings == original.result.warnings
    assert doc.assessment.note == "Regular network; keep under review."
    assert len(app.service.calls) == calls, "reopening never runs the model"
    shown = window.ui.result_panel.visible_text()
    assert "Reopened from MRN-7's record" in shown
    for line in shown_before.splitlines():
        if not line.startswith("Model fake-model · "):  # how long it took is not kept
            assert line in shown
    form = window.ui.result_panel.assessment
    assert (form.agreement.get(), form.value().diagnosis) == ("disagree", "nv")
    assert window.ui.patient_form.values().age == "63"
    window.root.lift()
    screenshot(app.root, output_dir / "02_reopened.png")

    # Grad-CAM is computed on demand from the stored image and the recorded pipeline.
    press(window.ui.image_view.canvas, "<Control-g>")
    app.pump(lambda: window.tools.explain_pane is not None and not
             window.tools.explain_pane.controller.busy and app.service.explain_calls, 15,
             "the heat map of the reopened analysis")
    assert app.service.explain_calls[-1] == ("gradcam", "mel")

    # Ctrl+R on a stored result updates its assessment, keeping the histopathology.
    with HistoryService() as history:
        history.set_assessment(analysis.id, "disagree", "nv", stored.note,
                               histopathology="compound naevus")
    form.agreement.set("agree")
    app.pump(timeout=0.1)
    press(window.ui.image_view.canvas, "<Control-r>")
    wait_for_history(app)
    with HistoryService() as history:
        updated = history.get_patient_record(patient.id).assessments[analysis.id]
        assert len(history.get_patient_record(patient.id).analyses) == 1
    assert (updated.verdict, updated.histopathology) == ("agree", "compound naevus")
    assert "Assessment updated in MRN-7's record" in window.ui.status.message.cget("text")
    assert app.internal_errors == []


def test_save_picks_the_known_patient_and_an_existing_lesion(make_app, lesion_images):
    with HistoryService() as history:
        patient = history.add_patient("MRN-7", "Max Mustermann")
        history.add_or_get_lesion(patient.id, "L1", "back")
        history.add_or_get_lesion(patient.id, "L2", "chest")
    app = analysed(make_app, lesion_images[1])
    window = app.window
    press(window.ui.image_view.canvas, "<Control-r>")  # the shortcut opens the dialog
    dialog = window.history.save_dialog
    wait_for_history(app)
    assert dialog.picker.patient.identifier == "MRN-7"  # from the main window's form
    assert dialog.lesion.get() == "L3", "a new label by default"
    dialog.choose_lesion("L2")
    dialog.measure.set(False)
    dialog.save_button.invoke()
    wait_for_history(app)
    with HistoryService() as history:
        record = history.get_patient_record(patient.id)
    (analysis,) = record.analyses
    assert {item.id: item.label for item in record.lesions}[analysis.lesion_id] == "L2"
    assert analysis.measurements is None and len(record.lesions) == 2


def test_nothing_to_save_is_a_plain_message(app, lesion_images):
    app.window.history.save_current()
    assert "There is no result to save" in app.window.ui.message_bar.text
    assert app.window.history.save_dialog is None
    app.window.open_paths([str(lesion_images[0])])
    app.wait_for_images()
    app.window.history.toolbar_button.invoke()
    assert "There is no result to save" in app.window.ui.message_bar.text


def test_invalid_pixel_spacing_is_refused_in_the_dialog(make_app, lesion_images):
    with HistoryService() as history:
        history.add_patient("MRN-7")
    app = analysed(make_app, lesion_images[0])
    dialog = app.window.history.save_current()
    wait_for_history(app)
    dialog.spacing.set("-1")
    dialog.save_button.invoke()
    assert "positive number" in dialog.message.cget("text")
    assert dialog.winfo_exists() and not app.window.history.access.busy
