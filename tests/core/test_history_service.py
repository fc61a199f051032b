"""HistoryService: patients, visits, lesions, analyses, assessments, search, follow-up."""

from __future__ import annotations

import os

import pytest

from skindesk.core.history import (
    DuplicateError,
    HistoryError,
    HistoryService,
    NotFoundError,
)
from skindesk.core.history.followup import plot_followup
from tests.core.history_data import measurements, result, write_image


@pytest.fixture
def service():
    with HistoryService() as history:
        yield history


def test_a_saved_analysis_comes_back_in_the_patient_record(service, tmp_path):
    patient = service.add_patient("MRN-1", "Anna Berg", "1970-05-31", "female", "allergic")
    visit = service.add_visit(patient.id, "2024-03-01T10:00", "Dr Who", "check-up")
    lesion = service.add_or_get_lesion(patient.id, "L1", "back", body_map=(0.25, 0.5))
    image = write_image(tmp_path / "scan.png", seed=1)
    analysis = service.save_analysis(
        patient.id, image, result(0.7), visit_id=visit.id, lesion_id=lesion.id,
        preprocessing={"applied": True, "description": "hair removal"},
        measurements=measurements(6.0, 3),
        image_details={"device": "DermLite", "pixel_spacing_mm": 0.02, "acquired_at": "2024-03-01"},
    )  # fmt: skip
    service.set_assessment(analysis.id, "disagree", "dysplastic naevus", "excise",
                           histopathology="melanoma in situ", histopathology_date="2024-03-20")  # fmt: skip

    record = service.get_patient_record(patient.id)
    assert record.patient.name == "Anna Berg" and record.visits == [visit]
    assert record.lesions[0].body_map_x == 0.25 and record.lesions[0].site == "back"
    (stored,) = record.images
    assert stored.original_name == "scan.png" and stored.device == "DermLite"
    assert service.store.path_of(stored.store_path).read_bytes() == image.read_bytes()
    (saved,) = record.analyses
    assert saved.probabilities == {"mel": 0.7, "nv": pytest.approx(0.3)}
    assert saved.flagged and saved.preprocessing_applied and saved.measurements["colours"]
    assessment = record.assessments[saved.id]
    assert assessment.verdict == "disagree" and assessment.histopathology == "melanoma in situ"


def test_the_same_image_twice_is_stored_once(service, tmp_path):
    patient = service.add_patient("MRN-2")
    image = write_image(tmp_path / "a.png", seed=2)
    first = service.save_analysis(patient.id, image, result(0.2))
    second = service.save_analysis(patient.id, image, result(0.3, model_id="other"))
    assert first.image_id == second.image_id
    assert len(list(service.store.iter_files())) == 1


def test_the_model_inputs_of_an_analysis_are_kept(service, tmp_path):
    from skindesk.core.metadata import PatientMetadata
    from skindesk.core.prediction import Prediction
    from skindesk.core.service import FileResult

    patient = service.add_patient("MRN-META")
    image = write_image(tmp_path / "m.png", seed=5)
    prediction = Prediction({"mel": 0.6, "nv": 0.4}, "mel", 0.6, True, 0.4, "m", "0" * 64)
    file_result = FileResult(str(image), prediction, metadata=PatientMetadata(63.0, "male", "back"))
    saved = service.save_analysis(patient.id, image, file_result)
    assert saved.metadata == {"age": 63.0, "sex": "male", "site": "back"}
    assert service.save_analysis(patient.id, image, result(0.2)).metadata is None
    with pytest.raises(HistoryError, match="age"):
        service.save_analysis(patient.id, image, result(0.2, metadata={"age": "old"}))


def test_search_ignores_case_and_accents_and_matches_every_word(service):
    service.add_patient("MRN-10", "Zoë Ñúñez", "1980-01-02")
    service.add_patient("MRN-100", "Zoe Smith", "1955-07-08")
    service.add_patient("X_1%", "Literal Wildcards")
    assert [p.identifier for p in service.find_patients("nunez")] == ["MRN-10"]
    assert [p.identifier for p in service.find_patients("ZOE 1955")] == ["MRN-100"]
    assert [p.identifier for p in service.find_patients("1980-01")] == ["MRN-10"]
    # The exact identifier comes first, then the rest by name.
    assert [p.identifier for p in service.find_patients("MRN-10")] == ["MRN-10", "MRN-100"]
    # % and _ are literal characters, not wildcards.
    assert [p.identifier for p in service.find_patients("x_1%")] == ["X_1%"]
    assert service.find_patients("X%1") == []
    assert len(service.find_patients("")) == 3


def test_duplicate_identifiers_and_bad_values_are_user_errors(service):
    patient = service.add_patient("MRN-3")
    with pytest.raises(DuplicateError, match="already exists"):
        service.add_patient("MRN-3")
    other = service.add_patient("MRN-4")
    with pytest.raises(DuplicateError):
        service.update_patient(other.id, identifier="MRN-3")
    for bad in [{"identifier": "  "}, {"birth_date": "31.05.1970"}, {"birth_date": "2999-01-01"},
                {"sex": "unknown-value"}, {"name": "\ud800"}]:  # fmt: skip
        with pytest.raises(HistoryError):
            service.add_patient(**({"identifier": "MRN-5"} | bad))
    with pytest.raises(NotFoundError):
        service.add_visit(9999)
    with pytest.raises(HistoryError, match="agree"):
        service.set_assessment(1, verdict="maybe")
    assert service.get_patient(patient.id).identifier == "MRN-3"


def test_update_patient_changes_fields_and_search(service):
    patient = service.add_patient("MRN-6", "Old Name")
    updated = service.update_patient(patient.id, name="New Name", sex="male")
    assert (updated.name, updated.sex, updated.identifier) == ("New Name", "male", "MRN-6")
    assert service.find_patients("old") == [] and service.find_patients("new") == [updated]


def test_a_visit_and_lesion_must_belong_to_the_patient(service, tmp_path):
    anna, bert = service.add_patient("A"), service.add_patient("B")
    visit = service.add_visit(bert.id)
    lesion = service.add_or_get_lesion(bert.id, "L1")
    image = write_image(tmp_path / "x.png", seed=3)
    with pytest.raises(NotFoundError, match="visit"):
        service.save_analysis(anna.id, image, result(), visit_id=visit.id)
    with pytest.raises(NotFoundError, match="lesion"):
        service.save_analysis(anna.id, image, result(), lesion_id=lesion.id)
    assert list(service.store.iter_files()) == []  # the refused save left no file


def test_a_failed_save_leaves_no_file_and_no_rows(service, tmp_path, monkeypatch):
    patient = service.add_patient("MRN-7")

    def broken(values):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(service.repo, "insert_analysis", broken)
    with pytest.raises(RuntimeError):
        service.save_analysis(patient.id, write_image(tmp_path / "x.png", seed=4), result())
    assert list(service.store.iter_files()) == []
    assert service.get_patient_record(patient.id).images == []


def test_todays_visit_is_reused_and_lesions_are_found_by_label(service):
    patient = service.add_patient("MRN-8")
    assert service.visit_for_today(patient.id) == service.visit_for_today(patient.id)
    lesion = service.add_or_get_lesion(patient.id, "L3", "face")
    assert service.add_or_get_lesion(patient.id, "L3", "back") == lesion
    assert service.add_or_get_lesion(service.add_patient("MRN-9").id, "L3").id != lesion.id


def test_followup_reports_change_and_draws_a_plot(service, tmp_path, output_dir):
    patient = service.add_patient("MRN-F")
    lesion = service.add_or_get_lesion(patient.id, "L1")
    for day, (p, diameter, colours) in enumerate([(0.2, 5.0, 2), (0.35, 5.5, 3), (0.6, 7.0, 4)]):
        visit = service.add_visit(patient.id, f"2024-0{day + 1}-15T09:00")
        service.save_analysis(patient.id, write_image(tmp_path / f"{day}.png", seed=10 + day),
                              result(p), visit_id=visit.id, lesion_id=lesion.id,
                              measurements=measurements(diameter, colours))  # fmt: skip
    follow = service.lesion_followup(lesion.id)
    assert [p.malignant_probability for p in follow.points] == [0.2, 0.35, 0.6]
    change = follow.change()
    assert change["malignant_probability"] == pytest.approx(0.4)
    assert change["diameter_mm"] == pytest.approx(2.0) and change["colour_count"] == 2
    assert change["days"] == 60 and not change["mixed_models"]
    png = plot_followup(follow, output_dir / "followup.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and os.path.getsize(png) > 5000
