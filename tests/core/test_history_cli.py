"""``skindesk history ...`` and ``skindesk predict --patient ... --save``."""

from __future__ import annotations

import json
from datetime import date

import pytest

from skindesk.cli import main
from skindesk.core.history import HistoryService
from tests.core.history_data import result, write_image
from tests.core.test_cli_predict import json_lines, write_lesion


def _add_analysis(tmp_path, identifier="MRN-1"):
    with HistoryService() as service:
        patient = service.patient_by_identifier(identifier)
        lesion = service.add_or_get_lesion(patient.id, "L1")
        service.save_analysis(patient.id, write_image(tmp_path / "a.png", seed=1), result(0.6),
                              lesion_id=lesion.id)  # fmt: skip


def test_add_list_show_and_search_patients(tmp_path, capsys):
    assert main(["history", "add-patient", "MRN-1", "--name", "Anna \x1b[2J Berg",
                 "--dob", "1970-05-31", "--sex", "female"]) == 0  # fmt: skip
    assert main(["history", "add-patient", "MRN-2", "--name", "Bert"]) == 0
    assert main(["history", "add-patient", "MRN-1"]) == 2
    assert "already exists" in capsys.readouterr().err
    _add_analysis(tmp_path)

    assert main(["history", "patients", "--search", "anna", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["identifier"] == "MRN-1" and listed["name"] == "Anna \x1b[2J Berg"
    assert main(["history", "patients"]) == 0
    table = capsys.readouterr().out
    assert "Anna \\x1b[2J Berg" in table and "\x1b" not in table  # escaped for the terminal
    assert main(["history", "show", "MRN-1"]) == 0
    shown = capsys.readouterr().out
    assert "L1" in shown and "0.600" in shown and "REVIEW" in shown
    assert main(["history", "show", "MRN-1", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["analyses"]) == 1
    assert main(["history", "show", "NOBODY"]) == 2
    assert "no patient with identifier" in capsys.readouterr().err


def test_export_backup_check_restore_and_delete(tmp_path, capsys):
    main(["history", "add-patient", "MRN-1", "--name", "Anna"])
    _add_analysis(tmp_path)
    assert main(["history", "export", "MRN-1", "--out", str(tmp_path / "out")]) == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "patient.json",
        "analyses.csv",
        "images",
    }
    assert main(["history", "backup", "--out", str(tmp_path / "b.zip")]) == 0
    assert main(["history", "check"]) == 0
    # stdin is not a terminal under pytest: no deleting without --yes.
    assert main(["history", "delete", "MRN-1"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["history", "delete", "MRN-1", "--yes"]) == 0
    assert main(["history", "show", "MRN-1"]) == 2
    assert main(["history", "restore", str(tmp_path / "b.zip")]) == 2
    assert main(["history", "restore", str(tmp_path / "b.zip"), "--yes"]) == 0
    assert main(["history", "show", "MRN-1"]) == 0
    with HistoryService() as service:
        (image,) = service.get_patient_record(service.patient_by_identifier("MRN-1").id).images
        service.store.path_of(image.store_path).unlink()
    capsys.readouterr()
    assert main(["history", "check"]) == 1
    assert "missing image files: 1" in capsys.readouterr().out


def test_followup_prints_and_plots(tmp_path, capsys):
    main(["history", "add-patient", "MRN-1"])
    _add_analysis(tmp_path)
    capsys.readouterr()
    plot = tmp_path / "f.png"
    assert main(["history", "followup", "MRN-1", "L1", "--plot", str(plot), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["points"][0]["malignant_probability"] == 0.6
    assert plot.stat().st_size > 0
    assert main(["history", "followup", "MRN-1", "L9"]) == 2


def test_predict_history_options_are_checked_before_the_model_loads(tmp_path, capsys):
    image = str(tmp_path / "x.png")
    assert main(["predict", image, "--save"]) == 2
    assert "--patient" in capsys.readouterr().err
    assert main(["predict", image, "--patient", "NOBODY", "--save"]) == 2
    assert "no patient" in capsys.readouterr().err


@pytest.mark.slow
def test_predict_saves_results_to_the_patient(default_engine, tmp_path, capsys):
    main(["history", "add-patient", "MRN-1", "--dob", "1960-01-01", "--sex", "male"])
    capsys.readouterr()
    images = [str(write_lesion(tmp_path / f"{n}.png", colour=(60 + n, 40, 30))) for n in range(2)]
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    args = ["predict", *images, str(bad), "--patient", "MRN-1", "--lesion", "L1", "--site", "back",
            "--save", "--json"]  # fmt: skip
    assert main(args) == 1  # one file failed
    lines = json_lines(capsys.readouterr().out)
    assert [("saved_analysis_id" in line) for line in lines] == [True, True, False]
    # Age (from the date of birth) and sex come from the patient's record.
    age = float(date.today().year - 1960)
    assert lines[0]["metadata"] == {"age": age, "sex": "male", "site": "back"}
    assert main(["predict", images[0], "--patient", "MRN-1", "--lesion", "L1", "--save",
                 "--segment", "--pixel-spacing", "0.05"]) == 0  # fmt: skip
    with HistoryService() as service:
        record = service.get_patient_record(service.patient_by_identifier("MRN-1").id)
    assert len(record.analyses) == 3 and len(record.visits) == 1 and len(record.lesions) == 1
    assert (
        record.lesions[0].site == "back"
        and record.visits[0].visit_at[:10] == date.today().isoformat()
    )
    assert {a.lesion_id for a in record.analyses} == {record.lesions[0].id}
    assert record.analyses[0].model_id == default_engine.card.id
    assert len(record.images) == 2  # the second run's image was already stored
    # With --segment, the measurements (in mm, from the pixel spacing) are saved too.
    assert record.analyses[-1].measurements["max_diameter_mm"] > 0
