"""The Patients window: create, search, edit, export, delete, and lesion follow-up."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk.core.history import HistoryService
from tests.gui.helpers import screenshot
from tests.gui.history_helpers import seed_followup, tk_garbage_on_the_tk_thread, wait_for_history

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _tk_garbage_on_the_tk_thread():
    with tk_garbage_on_the_tk_thread():
        yield


def create_patient(app, patients, identifier, name, birth_date="", sex="unknown"):
    dialog = patients.new_patient()
    dialog.identifier_entry.insert(0, identifier)
    dialog.name.set(name)
    dialog.birth_date.set(birth_date)
    dialog.sex.set(sex)
    dialog.save_button.invoke()
    wait_for_history(app)
    return dialog


def listed(patients):
    tree = patients.search.tree
    return [tree.item(iid, "text") for iid in tree.get_children()]


def search(app, patients, text):
    patients.search.entry.delete(0, "end")
    patients.search.entry.insert(0, text)  # typed: searched after a short pause
    app.pump(lambda: not patients.search.searching, 5, "the search to start")
    wait_for_history(app)
    return listed(patients)


def test_create_search_and_edit_patients(app, output_dir):
    patients = app.window.history.show_patients()
    wait_for_history(app)
    assert listed(patients) == [] and patients.view.record is None

    dialog = create_patient(app, patients, "MRN-1", "Anna Berg", "31/05/1970", "female")
    assert dialog.winfo_exists(), "the history refused the date; the dialog stays open"
    assert "is not a date like 1970-05-31" in dialog.message.cget("text")
    dialog.birth_date.set("1970-05-31")
    dialog.save_button.invoke()
    wait_for_history(app)
    assert not dialog.winfo_exists()
    # A new patient is shown and chosen: the search shows their identifier.
    assert patients.search.query.get() == "MRN-1" and listed(patients) == ["MRN-1"]
    assert patients.selected_patient.name == "Anna Berg"
    assert patients.status.cget("text") == "Saved patient MRN-1."
    create_patient(app, patients, "MRN-2", "Zoë Østergård", "1988-11-02", "female")
    create_patient(app, patients, "X-3", "Bob Brown", "", "male")
    duplicate = create_patient(app, patients, "MRN-1", "Someone Else")
    assert "already exists" in duplicate.message.cget("text")
    duplicate.destroy()
    assert sorted(search(app, patients, "")) == ["MRN-1", "MRN-2", "X-3"]
    assert patients.status.cget("text") == "3 patients in the history"

    assert search(app, patients, "anna") == ["MRN-1"]
    assert search(app, patients, "ZOE østergard") == ["MRN-2"]  # case and accents ignored
    assert search(app, patients, "1970-05") == ["MRN-1"]
    assert search(app, patients, "X-3") == ["X-3"]
    assert search(app, patients, "nobody") == []
    assert search(app, patients, "MRN") == ["MRN-1", "MRN-2"]

    patients.search.tree.selection_set(patients.search.tree.get_children()[0])
    wait_for_history(app)
    assert patients.view.title.cget("text") == "Anna Berg · MRN-1 · born 1970-05-31 · female"
    edit = patients.edit_patient()
    assert edit.identifier.get() == "MRN-1" and edit.sex.get() == "female"
    edit.name.set("Anna Berg-Lund")
    edit.notes.insert("1.0", "Many naevi; father had melanoma.")
    edit.save_button.invoke()
    wait_for_history(app)
    assert patients.view.title.cget("text").startswith("Anna Berg-Lund · MRN-1")
    assert patients.view.notes.cget("text") == "Many naevi; father had melanoma."
    screenshot(patients, output_dir / "01_patients.png")
    assert app.internal_errors == []


def test_followup_of_a_lesion_seen_at_two_visits(app, tmp_path, output_dir):
    _patient, lesion = seed_followup(tmp_path)
    patients = app.window.history.show_patients()
    wait_for_history(app)
    view = patients.view
    visits = view.tree.get_children()
    assert [view.tree.item(v, "text")[:10] for v in visits] == ["2024-03-14", "2023-09-12"]
    first = view.tree.get_children(visits[0])[0]
    assert view.tree.item(first, "values")[:4] == ("L1 · back", "Melanoma", "0.41", "⚑ yes")
    view.tree.selection_set(first)
    wait_for_history(app)
    assert view.thumbnail.cget("image"), "the stored image's thumbnail is shown"
    screenshot(patients, output_dir / "01_patient_view.png")

    view.lesions.selection_set(f"l{lesion.id}")
    app.pump(timeout=0.05)
    view.followup_button.invoke()
    followup = app.window.history.followups[-1]
    wait_for_history(app, timeout=30)
    assert followup.title_label.cget("text").startswith("Lesion L1 · back")
    assert followup.plot.cget("image"), "the P(malignant) plot is shown"
    assert followup.data.plot.size[0] > 300
    rows = {followup.table.item(i, "text"): followup.table.item(i, "values")
            for i in followup.table.get_children()}
    assert rows["P(malignant)"] == ("0.18", "0.41", "+0.23")
    assert rows["Diameter"] == ("5.5 mm", "7.5 mm", "+2.0 mm")
    assert rows["Colours"] == ("2", "3", "+1")
    assert rows["Days between"][2] == "184"
    a, b = followup.compare.pictures
    assert a.size == b.size and not np.array_equal(np.asarray(a), np.asarray(b))
    screenshot(followup, output_dir / "02_followup_side.png")
    followup.compare.mode.set("split")
    followup.compare.split.set(0.4)
    app.pump(timeout=0.1)
    screenshot(followup, output_dir / "03_followup_split.png")
    followup.compare.mode.set("flicker")
    shown = followup.compare.showing
    app.pump(lambda: followup.compare.showing != shown, 3, "the flicker to switch pictures")
    followup.destroy()
    assert app.internal_errors == []


def test_export_then_delete_leaves_nothing_in_the_store(app, tmp_path, output_dir):
    _patient, _lesion = seed_followup(tmp_path)
    with HistoryService() as history:
        store = history.store
        assert len(list(store.iter_files())) == 2
    patients = app.window.history.show_patients()
    wait_for_history(app)
    analysis_id = patients.view.record.analyses[0].id
    patients.view.select_analysis(analysis_id)
    wait_for_history(app)  # its thumbnail is cached now
    patients.view.open_button.invoke()  # reopened in the main window
    wait_for_history(app)
    assert [ref.analysis_id for ref in app.window.history.saved.values()] == [analysis_id]

    exports = tmp_path / "exports"
    exports.mkdir()
    patients.ask_directory = lambda **_options: str(exports)
    patients.export_button.invoke()
    wait_for_history(app)
    (folder,) = exports.iterdir()
    data = json.loads((folder / "patient.json").read_text())
    assert data["record"]["patient"]["identifier"] == "MRN-F"
    assert len(list((folder / "images").iterdir())) == 2
    assert (folder / "analyses.csv").read_text().count("\n") == 3
    assert "Exported to" in patients.status.cget("text")

    dialog = patients.delete_patient()
    assert str(dialog.delete_button.cget("state")) == "disabled"
    dialog.entry.insert(0, "MRN-")
    assert str(dialog.delete_button.cget("state")) == "disabled"
    dialog.confirm()  # pressing Enter-like confirm with a wrong identifier does nothing
    assert "does not match" in dialog.message.cget("text")
    dialog.entry.insert("end", "F")
    assert str(dialog.delete_button.cget("state")) == "normal"
    screenshot(dialog, output_dir / "01_delete_dialog.png")
    dialog.delete_button.invoke()
    wait_for_history(app)
    assert not dialog.winfo_exists()
    assert listed(patients) == [] and patients.view.record is None
    assert patients.status.cget("text") == "Deleted patient MRN-F and their images."
    assert app.window.history.saved == {}, "Save to patient… asks again for the open image"
    with HistoryService() as history:
        assert history.find_patients("") == []
        assert list(history.store.iter_files()) == []
        assert history.repo.counts() == dict.fromkeys(
            ("patients", "visits", "lesions", "images", "analyses", "assessments"), 0)
    thumbnails = store.thumbnail_root
    assert not thumbnails.exists() or not any(p.is_file() for p in thumbnails.rglob("*"))
    assert app.internal_errors == []


def test_reopening_from_the_followup_window(app, tmp_path):
    _patient, lesion = seed_followup(tmp_path)
    followup = app.window.history.show_followup(lesion.id)
    wait_for_history(app)
    followup.first_box.current(1)  # compare the later analysis with itself
    followup.first_box.event_generate("<<ComboboxSelected>>")
    rows = {followup.table.item(i, "text"): followup.table.item(i, "values")
            for i in followup.table.get_children()}
    assert rows["P(malignant)"][:2] == ("0.41", "0.41")
    followup.open_buttons[1].invoke()  # Open later in main window
    wait_for_history(app)
    app.wait_for_images()
    doc = app.window.current
    assert doc.prediction.malignant_probability == 0.41
    assert doc.result.lesion["measurements"]["max_diameter_mm"] == 7.5
    assert doc.patient.age == "58" and doc.patient.site == "back"
