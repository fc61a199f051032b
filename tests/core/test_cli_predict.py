"""The CLI contract: ``skindesk predict``, ``models`` and ``--version``."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from skindesk import __version__, paths
from skindesk.cli import main
from tests.conftest import PROJECT_ROOT


def write_lesion(path, colour=(90, 50, 40)):
    rgb = np.full((150, 200, 3), (205, 160, 140), np.uint8)
    cv2.ellipse(rgb, (100, 75), (45, 35), 20, 0, 360, colour, -1)
    _ok, data = cv2.imencode(path.suffix or ".png", rgb[..., ::-1])
    path.write_bytes(data.tobytes())
    return path


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_version_prints_without_loading_tensorflow():
    result = subprocess.run([sys.executable, "-m", "skindesk", "--version"], cwd=PROJECT_ROOT, check=False,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == f"SkinDesk {__version__}"


@pytest.mark.slow
def test_predict_json_has_the_contract_fields(default_engine, tmp_path, capsys):
    image = write_lesion(tmp_path / "läsion 1.jpg")
    assert main(["predict", str(image), "--json", "--age", "60", "--sex", "male",
                 "--site", "back"]) == 0
    (line,) = json_lines(capsys.readouterr().out)
    assert line["path"] == str(image)
    assert line["model"] == {"id": default_engine.card.id, "sha256": default_engine.card.sha256}
    assert set(line["probabilities"]) == {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"}
    assert sum(line["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
    assert line["top_class"] == max(line["probabilities"], key=line["probabilities"].get)
    malignant = sum(line["probabilities"][c] for c in ("akiec", "bcc", "mel"))
    assert line["malignant_probability"] == pytest.approx(malignant, abs=1e-5)
    assert line["flagged"] == (line["malignant_probability"] >= line["threshold"])
    assert line["metadata"] == {"age": 60.0, "sex": "male", "site": "back"}


@pytest.mark.slow
def test_a_bad_file_gets_an_error_line_and_a_nonzero_exit(default_engine, tmp_path, capsys):
    good = write_lesion(tmp_path / "good.png")
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    missing = tmp_path / "missing.png"
    assert main(["predict", str(good), str(text), str(missing), "--json"]) == 1
    lines = json_lines(capsys.readouterr().out)
    assert [line["path"] for line in lines] == [str(good), str(text), str(missing)]
    assert "top_class" in lines[0]
    assert lines[1] == {"path": str(text), "error": "not an image (unrecognised content)"}
    assert "not found" in lines[2]["error"]


@pytest.mark.slow
def test_readable_table_names_the_class_threshold_and_disclaimer(default_engine, tmp_path, capsys):
    image = write_lesion(tmp_path / "a.png")
    assert main(["predict", str(image), "--age", "60"]) == 0
    out = capsys.readouterr().out
    assert str(image) in out and "P(malignant)" in out
    assert "threshold" in out and "not a diagnosis" in out
    # The default reads the image only: a clinician who typed an age is told it changed nothing.
    assert "Not used by this model: age (recorded only; its result depends on the image)." in out


def test_bad_option_values_are_user_errors(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "x.png"), "--site", "elbowpit"]) == 2
    assert "unknown anatomical site" in capsys.readouterr().err
    assert main(["predict", str(tmp_path / "x.png"), "--model", "nope"]) == 2
    assert "not installed" in capsys.readouterr().err


def test_models_lists_the_bundled_default(capsys):
    assert main(["models", "--json"]) == 0
    cards = json.loads(capsys.readouterr().out)
    default = next(c for c in cards if c["default"])
    bundled_default = json.loads((paths.bundled_models_dir() / "index.json").read_text())["default"]
    assert default["id"] == bundled_default and default["bundled"]
    assert "validation split of isic2017" in default["threshold"]["dataset"]
    assert any(c["id"] == "ham10000-xception" and not c["default"] for c in cards)
    assert main(["models"]) == 0
    assert f"* {bundled_default}" in capsys.readouterr().out


@pytest.mark.slow
def test_predict_reports_warnings_segmentation_and_preprocessing(default_engine, tmp_path, capsys):
    image = write_lesion(tmp_path / "lesion.png")
    flat = tmp_path / "flat.png"
    cv2.imwrite(str(flat), np.full((150, 200, 3), 128, np.uint8))
    assert main(["predict", str(image), str(flat), "--json", "--segment",
                 "--pixel-spacing", "0.05", "--preset", "standard dermoscopy"]) == 0
    lesion, plain = json_lines(capsys.readouterr().out)
    left, top, right, bottom = lesion["lesion"]["box"]
    assert 40 <= left < 70 and 30 <= top < 55 and 130 < right <= 160 and 95 < bottom <= 125
    assert lesion["lesion"]["measurements"]["equivalent_diameter_mm"] > 0
    assert lesion["warnings"] == []
    assert lesion["preprocessing"]["applied"] is True
    assert "shades of gray" in lesion["preprocessing"]["description"]
    assert {w["code"] for w in plain["warnings"]} & {"plain_image", "no_lesion_found"}


@pytest.mark.slow
def test_without_preprocessing_the_result_says_so(default_engine, tmp_path, capsys):
    image = write_lesion(tmp_path / "lesion.png")
    assert main(["predict", str(image), "--json"]) == 0
    (line,) = json_lines(capsys.readouterr().out)
    assert line["preprocessing"] == {"applied": False}
    assert "lesion" not in line


def test_no_note_when_the_model_reads_the_details_given():
    from skindesk.commands._output import unused_details_note
    from skindesk.core.metadata import UNKNOWN, PatientMetadata
    from skindesk.core.modelcard import load_card

    xception = load_card(PROJECT_ROOT / "models" / "ham10000-xception" / "card.json")
    assert unused_details_note(xception, PatientMetadata.create(age=60, sex="male", site="back")) is None
    pair = load_card(PROJECT_ROOT / "models" / "skindesk-lite2-pair" / "card.json")
    assert unused_details_note(pair, UNKNOWN) is None  # nothing given, nothing to say
    assert unused_details_note(pair, PatientMetadata.create(sex="female")).startswith(
        "Not used by this model: sex (")
