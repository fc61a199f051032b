"""``skindesk evaluate`` end to end with a tiny model on a generated dataset."""

from __future__ import annotations

import json
import shutil
import subprocess

import cv2
import numpy as np
import pytest

from skindesk import DISCLAIMER, paths
from skindesk.cli import main
from skindesk.core.modelcard import load_card
from tests.core.tinymodels import build_tiny_model, install_tiny_model

REQUIRED_KEYS = {"n", "accuracy", "balanced_accuracy", "roc_auc", "roc_auc_ci", "sensitivity",
                 "specificity", "threshold", "ece", "confusion_matrix", "per_class", "model",
                 "dataset"}


@pytest.fixture(scope="module")
def tiny_model():
    return build_tiny_model("softmax", classes=3)


@pytest.fixture
def tiny_user_model(tiny_model):
    """The tiny nv/mel/bcc model installed as a user model (threshold 0.4)."""
    return load_card(install_tiny_model(paths.user_models_dir() / "tiny", tiny_model))


def write_lesion(path, dark: bool, seed: int):
    rng = np.random.default_rng(seed)
    rgb = np.full((64, 64, 3), (205, 160, 140), np.uint8)
    colour = (60, 30, 20) if dark else (170, 120, 100)
    cv2.ellipse(rgb, (32, 32), (int(rng.integers(8, 24)), 12), int(rng.integers(0, 180)),
                0, 360, colour, -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), rgb[..., ::-1])


@pytest.fixture
def folder_dataset(tmp_path):
    root = tmp_path / "dataset"
    for i in range(8):
        write_lesion(root / "benign" / f"{i}.png", dark=False, seed=i)
        write_lesion(root / "malignant" / f"{i}.png", dark=True, seed=100 + i)
    (root / "malignant" / "broken.jpg").write_text("not an image")
    return root


def pdf_text(pdf):
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(text.stdout.split())


def pdf_pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_evaluate_writes_json_pdf_html_and_saves_the_threshold(
    tiny_user_model, folder_dataset, tmp_path, capsys
):
    out = tmp_path / "out"
    code = main(["evaluate", str(folder_dataset), "--model", "tiny", "--json", str(out / "r.json"),
                 "--pdf", str(out / "r.pdf"), "--html", str(out / "r.html"),
                 "--target-sensitivity", "0.75", "--save-threshold"])
    assert code == 1  # one broken file: reported, not fatal
    report = json.loads((out / "r.json").read_text())
    assert REQUIRED_KEYS <= set(report)
    assert report["n"] == 16 and report["model"]["id"] == "tiny"
    assert report["model"]["sha256"] == tiny_user_model.sha256
    assert report["dataset"]["label_counts"] == {"benign": 8, "malignant": 9}
    assert [f["path"] for f in report["dataset"]["failed_files"]] == [
        str(folder_dataset / "malignant" / "broken.jpg")]
    assert report["accuracy"] is None and report["per_class"] == {}  # benign/malignant aren't classes
    assert report["roc_auc_ci"][0] <= report["roc_auc"] <= report["roc_auc_ci"][1]
    assert report["threshold"] == 0.4 and report["operating_point"]["sensitivity"] >= 0.75
    assert "per_lesion" not in report

    text = pdf_text(out / "r.pdf")
    assert "On these 16 images, the model found" in text
    assert " ".join(DISCLAIMER.split()) in text and "page 1 of" in text
    assert pdf_pages(out / "r.pdf") >= 1
    assert "data:image/png;base64" in (out / "r.html").read_text()

    saved = load_card(tiny_user_model.card_path).threshold
    assert saved.value == pytest.approx(report["operating_point"]["threshold"], abs=1e-6)
    assert saved.method == "highest threshold with sensitivity >= 0.75"
    assert saved.dataset == f"{folder_dataset} (16 images analysed: 8 malignant, 8 benign)"
    assert "On these 16 images" in capsys.readouterr().out


def test_ham_style_csv_gives_per_class_and_per_lesion_metrics(tiny_user_model, tmp_path):
    rows = ["lesion_id,image_id,dx"]
    for i in range(12):
        dx = ["nv", "mel", "scc"][i % 3]
        write_lesion(tmp_path / "images" / f"ISIC_{i}.png", dark=dx != "nv", seed=i)
        rows.append(f"HAM_{i // 2},ISIC_{i},{dx}")
    (tmp_path / "metadata.csv").write_text("\n".join(rows) + "\n")
    assert main(["evaluate", str(tmp_path / "metadata.csv"), "--model", "tiny",
                 "--json", str(tmp_path / "r.json"), "--youden"]) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["confusion_matrix"]["labels"] == ["nv", "mel"]  # model classes present
    assert set(report["per_class"]) == {"nv", "mel"} and report["n_per_class"] == 8
    assert report["per_lesion"]["n"] == 6 and report["bootstrap"]["unit"] == "lesion"
    assert any("'scc'" in note for note in report["notes"])
    assert report["label_map"]["scc"] == {"class": None, "malignant": True}


def test_bundled_models_are_read_only(folder_dataset, capsys):
    assert main(["evaluate", str(folder_dataset), "--youden", "--save-threshold"]) == 2
    assert "read-only" in capsys.readouterr().err


def test_save_threshold_needs_a_choice_and_labels_need_a_map(tiny_user_model, tmp_path, capsys):
    assert main(["evaluate", str(tmp_path), "--model", "tiny", "--save-threshold"]) == 2
    assert "--target-sensitivity" in capsys.readouterr().err
    write_lesion(tmp_path / "data" / "blob" / "a.png", dark=True, seed=1)
    assert main(["evaluate", str(tmp_path / "data"), "--model", "tiny"]) == 2
    assert "--label-map" in capsys.readouterr().err
