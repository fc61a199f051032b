"""Hostile text in every free-text field is stored and read back exactly."""

from __future__ import annotations

import csv
import json

import pytest

from skindesk.core.history import AnalysisInput, HistoryService
from tests.core.history_data import write_image

HOSTILE = {
    "sql": "'; DROP TABLE patients; --",
    "quotes": "O'Brien \"the\" `tick` \\back\\slash ''",
    "long": "ä" * 100_000,
    "unicode": "名前 🧑‍⚕️🩺 مرحبا بالعالم \u202eevil\u202c שלום",
    "controls": "a\x00b\x01\x07\x1b[31mred\r\n\tend\x7f\x9b",
    "wildcards": "%_\\% LIKE '%' ESCAPE",
    "formula": '=HYPERLINK("http://x","click")',
}


def _save_everything(service, text, tmp_path, n):
    patient = service.add_patient(f"{text}#{n}", name=text, notes=text)
    visit = service.add_visit(patient.id, clinician=text, reason=text)
    lesion = service.add_or_get_lesion(patient.id, text)
    model_result = AnalysisInput(
        model_id=text, model_sha256=text, probabilities={text: 0.25, "other": 0.75},
        top_class=text, malignant_probability=0.25, threshold=0.5, flagged=False,
        warnings=[{"message": text}],
    )  # fmt: skip
    analysis = service.save_analysis(
        patient.id, write_image(tmp_path / f"{n}.png", seed=n), model_result, visit_id=visit.id,
        lesion_id=lesion.id, preprocessing={"applied": False, "description": text},
        measurements={"note": text}, image_details={"original_name": text, "device": text},
    )  # fmt: skip
    service.set_assessment(analysis.id, "unsure", diagnosis=text, note=text, histopathology=text)
    return patient.id


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_text_round_trips_in_every_field(kind, tmp_path):
    text = HOSTILE[kind]
    with HistoryService() as service:
        patient_id = _save_everything(service, text, tmp_path, 1)
    with HistoryService() as service:  # a fresh connection reads it back from disk
        record = service.get_patient_record(patient_id)
        found = service.find_patients(text)
        counts = service.repo.counts()
    p = record.patient
    assert (p.identifier, p.name, p.notes) == (f"{text}#1", text, text)
    assert (record.visits[0].clinician, record.visits[0].reason) == (text, text)
    assert record.lesions[0].label == text
    assert (record.images[0].original_name, record.images[0].device) == (text, text)
    a = record.analyses[0]
    assert (a.model_id, a.model_sha256, a.top_class) == (text, text, text)
    assert a.probabilities == {text: 0.25, "other": 0.75}
    assert a.warnings == [{"message": text}] and a.measurements == {"note": text}
    assert a.preprocessing["description"] == text
    assessment = record.assessments[a.id]
    assert (assessment.diagnosis, assessment.note, assessment.histopathology) == (text, text, text)
    assert p.id in [f.id for f in found]
    assert counts["patients"] == 1  # nothing was dropped


def test_all_hostile_patients_together_search_export_and_csv(tmp_path):
    with HistoryService() as service:
        ids = [
            _save_everything(service, text, tmp_path, n) for n, text in enumerate(HOSTILE.values())
        ]
        assert sorted(p.id for p in service.find_patients("")) == sorted(ids)
        assert [p.name for p in service.find_patients("DROP TABLE")] == [HOSTILE["sql"]]
        formula_id = ids[list(HOSTILE).index("formula")]
        out = tmp_path / "export"
        service.export_patient(formula_id, out)
    data = json.loads((out / "patient.json").read_text(encoding="utf-8"))
    assert data["record"]["patient"]["name"] == HOSTILE["formula"]  # JSON is verbatim
    with open(out / "analyses.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    # A spreadsheet must not run it as a formula.
    assert row["diagnosis"] == "'" + HOSTILE["formula"]
