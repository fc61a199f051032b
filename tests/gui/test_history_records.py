"""The patient-history GUI's words, conversions and saving, without a display."""

from __future__ import annotations

import pytest

from skindesk.core.errors import UserError
from skindesk.core.history import HistoryService
from skindesk.gui.documents import Assessment
from skindesk.gui.history import save_work, timeline
from skindesk.gui.history.convert import assessment_values, fields_from_metadata, gui_assessment
from skindesk.gui.history.followup_data import change_rows, load_followup
from skindesk.gui.history.reopen import load_reopened
from tests.gui.fakes import FakeService
from tests.gui.history_helpers import model_result, seed_followup


def test_timeline_groups_analyses_by_visit_newest_first(tmp_path):
    patient, _lesion = seed_followup(tmp_path)
    with HistoryService() as history:
        record = history.get_patient_record(patient.id)
        history.set_assessment(record.analyses[0].id, "disagree", "nv", "stable",
                               histopathology="compound naevus")
        record = history.get_patient_record(patient.id)
    groups = timeline.visit_groups(record, {"mel": "Melanoma", "nv": "Naevus"}.get)
    assert [g.title for g in groups] == ["2024-03-14 11:00 · 1 analysis",
                                         "2023-09-12 10:30 · 1 analysis"]
    assert groups[1].details == "Visit 2023-09-12 10:30 · Dr Lee · mole check"
    old = groups[1].rows[0]
    assert (old.image, old.lesion, old.top_class, old.p_malignant, old.flagged) == (
        "visit-1.png", "L1 · back", "Naevus", "0.18", False)
    assert old.assessment == "disagrees: nv · histo: compound naevus"
    (lesion,) = timeline.lesion_rows(record)
    assert (lesion.label, lesion.analyses, lesion.last_p) == ("L1", 2, "0.41")
    details = timeline.analysis_details(record, old.analysis_id, str)
    assert "P(malignant) 0.18 · threshold 0.27 · not flagged" in details
    assert "Note: stable" in details


def test_analyses_without_a_visit_are_listed_too(tmp_path):
    from tests.core.history_data import write_image

    with HistoryService() as history:
        patient = history.add_patient("MRN-N")
        history.save_analysis(patient.id, write_image(tmp_path / "x.png", 1), model_result(0.5))
        record = history.get_patient_record(patient.id)
    (group,) = timeline.visit_groups(record, str)
    assert group.title == timeline.NO_VISIT and group.rows[0].lesion == "—"


def test_assessments_round_trip_and_keep_what_the_form_cannot_show():
    class Stored:
        verdict, diagnosis, note, updated_at = "agree", "dysplastic naevus", "n", "2024"
        histopathology, histopathology_date = "melanoma in situ", "2024-04-01"

    shown = gui_assessment(Stored, {"mel", "nv"})
    assert (shown.agreement, shown.diagnosis, shown.note) == ("agree", "other", "n")
    values = assessment_values(Assessment("unsure", "other", "changed"), Stored)
    assert values["diagnosis"] == "dysplastic naevus", "free text is not replaced by 'other'"
    assert values["histopathology"] == "melanoma in situ" and values["verdict"] == "unsure"
    assert assessment_values(Assessment("", "mel", ""))["verdict"] is None
    assert gui_assessment(None, set()) == Assessment()


def test_patient_fields_from_the_model_inputs():
    fields = fields_from_metadata("MRN-1", {"age": 63.0, "sex": "male", "site": None})
    assert (fields.identifier, fields.age, fields.sex, fields.site) == ("MRN-1", "63", "male", "")
    assert fields_from_metadata("X", None).age == ""


def test_labels_and_spacing():
    class L:
        def __init__(self, label):
            self.label = label

    assert save_work.next_label([]) == "L1"
    assert save_work.next_label([L("L1"), L("L7"), L("left arm")]) == "L8"
    assert save_work.parse_spacing(" 0,02 ") == 0.02 and save_work.parse_spacing("") is None
    for bad in ("abc", "0", "-1", "nan"):
        with pytest.raises(UserError):
            save_work.parse_spacing(bad)


def test_followup_data_and_change_rows(tmp_path):
    _patient, lesion = seed_followup(tmp_path)
    with HistoryService() as history:
        data = load_followup(history, lesion.id)
    first, last = data.followup.points
    assert data.plot is not None and data.plot.size == (640, 360)
    assert data.pictures[first.analysis_id].size == data.pictures[last.analysis_id].size
    rows = change_rows(first, last, data.followup.change())
    assert rows[0] == ("P(malignant)", "0.18", "0.41", "+0.23")
    assert rows[2] == ("Area", "21.2 mm²", "39.4 mm²", "+18.2 mm²")


def test_a_reopened_result_is_the_stored_one(tmp_path):
    patient, _lesion = seed_followup(tmp_path)
    with HistoryService() as history:
        record = history.get_patient_record(patient.id)
        later = record.analyses[-1]
        reopened = load_reopened(history, FakeService(), patient.id, later.id)
    result = reopened.result
    assert result.prediction.probabilities == later.probabilities
    assert result.prediction.threshold == 0.27 and result.prediction.flagged
    assert result.metadata.age == 58.0 and result.metadata.site == "back"
    assert result.lesion == {"measurements": later.measurements}
    assert result.card.id == "fake-model" and result.analysis_id == later.id
    assert "Reopened from MRN-F's record" in result.origin and "lesion L1" in result.origin
    assert reopened.title.startswith("visit-2.png (")
    assert (reopened.fields.age, reopened.fields.sex) == ("58", "female")
