"""The patient and visit PDF: cover, lesion sections, follow-up pages, CLI."""

from __future__ import annotations

import dataclasses

import cv2
import pytest

from skindesk.cli import main
from skindesk.core.history import HistoryService
from skindesk.core.reports.layout import ReportSettings
from skindesk.core.reports.patient import write_patient_report
from tests.core.history_data import measurements, result
from tests.core.reportcheck import (
    assert_disclaimer_and_numbers_on_every_page,
    pdf_info,
    pdf_pages_text,
    render,
)  # fmt: skip
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask

BUNDLED = "ham10000-xception"  # only its card is read: no model loads
VISITS = ("2025-06-02T10:00:00", "2025-12-01T11:30:00", "2026-06-02T09:15:00")


def lesion_photo(path, axes, seed):
    """A 320×240 dermoscopy-like JPEG whose lesion has the given half-axes."""
    rgb = dermoscopy_like(ellipse_mask(240, 320, axes=axes), hairs=2, seed=seed)
    _ok, data = cv2.imencode(".jpg", rgb[..., ::-1])
    path.write_bytes(data.tobytes())
    return path


@pytest.fixture
def chart(tmp_path):
    """Lesion L1 seen at three visits (growing, darker), L2 once, one image without a lesion."""
    with HistoryService() as history:
        patient = history.add_patient("MRN-42", "Zoë Łukasiewicz-Ñúñez", "1961-03-04", "female",
                                      notes="Family history of melanoma")  # fmt: skip
        visits = [history.add_visit(patient.id, when, "Dr Ana Ruiz", "mole check")
                  for when in VISITS]  # fmt: skip
        l1 = history.add_or_get_lesion(patient.id, "L1", "back")
        l2 = history.add_or_get_lesion(patient.id, "L2", "upper extremity")
        for n, (visit, p, diameter) in enumerate(zip(visits, (0.21, 0.38, 0.64), (5.0, 6.1, 7.0))):
            image = lesion_photo(tmp_path / f"L1_{n}.jpg", (40 + 12 * n, 30 + 8 * n), seed=n)
            saved = history.save_analysis(patient.id, image, result(p, BUNDLED), visit_id=visit.id,
                                          lesion_id=l1.id,
                                          measurements=measurements(diameter, 2 + n))  # fmt: skip
        history.set_assessment(saved.id, "agree", "suspected melanoma", "excise <soon> & review",
                               "melanoma in situ", "2026-06-20")  # fmt: skip
        image = lesion_photo(tmp_path / "L2.jpg", (50, 35), seed=7)
        history.save_analysis(patient.id, image, result(0.1, BUNDLED), visit_id=visits[1].id,
                              lesion_id=l2.id)  # fmt: skip
        loose = lesion_photo(tmp_path / "loose.jpg", (30, 30), seed=8)
        history.save_analysis(patient.id, loose, result(0.05, BUNDLED), visit_id=visits[2].id)
        yield history, visits


def test_the_patient_report_has_cover_lesions_and_follow_up(tmp_path, chart, output_dir):
    history, _visits = chart
    pdf = write_patient_report(tmp_path / "patient.pdf", history, "MRN-42",
                               settings=ReportSettings(clinic_name="Clinique Łódź"))  # fmt: skip
    pages = assert_disclaimer_and_numbers_on_every_page(pdf)
    cover = pages[0]
    for text in ("Patient report", "MRN-42", "Zoë Łukasiewicz-Ñúñez", "1961-03-04",
                 "Family history of melanoma", "3 (2025-06-02 to 2026-06-02)",
                 "Decision support, not a diagnosis", "validated performance",
                 "Accuracy: 82.5%", "Mean recall over classes: 72.3%", "Test images: 1,511", "0.004",
                 "Sensitivity there: 0.867", "Specificity there: 0.092", "Clinique Łódź"):  # fmt: skip
        assert text in cover, text
    text = " ".join(pages)
    assert "Lesion L1" in text and "Lesion L2" in text and "not assigned to a lesion" in text
    assert "Melanoma [mel]" in text and "P(malignant) 0.640 ≥ threshold 0.400" in text
    assert "FLAGGED for review" in text and "image is small" in text
    assert "agree with the model" in text and "excise <soon> & review" in text
    assert "Histopathology: melanoma in situ" in text
    followups = [page for page in pages if "Follow-up of lesion" in page]
    assert len(followups) == 1 and "Follow-up of lesion L2" not in text  # L2: one visit only
    (l1,) = followups
    assert "3 analyses from 2025-06-02 to 2026-06-02" in l1
    assert "first → last (365 days)" in l1 and "+0.430" in l1 and "+2.0" in l1 and "+2" in l1
    assert "P(malignant) over time" in l1
    render(pdf, output_dir)


def test_a_visit_report_covers_that_visit_and_looks_back_only(tmp_path, chart):
    history, visits = chart
    pdf = write_patient_report(tmp_path / "visit.pdf", history, "MRN-42", visits[1].id)
    pages = assert_disclaimer_and_numbers_on_every_page(pdf)
    text = " ".join(pages)
    assert "Visit report" in pages[0] and "2025-12-01 11:30" in pages[0] and "Dr Ana Ruiz" in text
    assert "0.380" in text and "0.640" not in text  # the later visit is not in it
    assert "not assigned to a lesion" not in text
    (l1,) = [page for page in pages if "Follow-up of lesion L1" in page]
    assert "2 analyses from 2025-06-02 to 2025-12-01" in l1 and "(182 days)" in l1


def test_models_without_a_card_and_mixed_models_are_said_so(tmp_path, chart):
    history, visits = chart
    patient = history.patient_by_identifier("MRN-42")
    l1 = history.add_or_get_lesion(patient.id, "L1")
    image = lesion_photo(tmp_path / "later.jpg", (70, 50), seed=9)
    history.save_analysis(patient.id, image, dataclasses.replace(result(0.5, "retired-model")),
                          visit_id=visits[2].id, lesion_id=l1.id)  # fmt: skip
    text = " ".join(pdf_pages_text(write_patient_report(tmp_path / "p.pdf", history, "MRN-42")))
    assert "Model retired-model: validated performance" in text and "not installed" in text
    assert "different models produced these analyses" in text


def test_report_cli_writes_patient_and_visit_reports(tmp_path, chart, capsys):
    _history, visits = chart
    out = tmp_path / "cli.pdf"
    assert main(["report", "--patient", "MRN-42", "--out", str(out), "--page-size", "Letter"]) == 0
    assert f"Report written to {out}" in capsys.readouterr().out
    assert "612 x 792" in pdf_info(out)["Page size"]
    assert main(["report", "--patient", "MRN-42", "--visit", str(visits[0].id),
                 "--out", str(tmp_path / "v.pdf")]) == 0  # fmt: skip
    assert "Visit report" in pdf_pages_text(tmp_path / "v.pdf")[0]


def test_a_scan_attached_to_the_patient_is_in_their_report(tmp_path, chart, monkeypatch):
    from skindesk.core.service import SkinDeskService
    from tests.core.batchdata import tiny_engine, write_image

    monkeypatch.setattr(SkinDeskService, "engine", lambda self, model_id=None: tiny_engine())
    for seed, name in enumerate(["L7_a.jpg", "L7_b.png", "L8.jpg"]):
        write_image(tmp_path / "scan" / name, seed=seed)
    assert main(["scan", str(tmp_path / "scan"), "--patient", "MRN-42",
                 "--group-by", "name-prefix"]) == 0  # fmt: skip
    out = tmp_path / "after-scan.pdf"
    assert main(["report", "--patient", "MRN-42", "--out", str(out)]) == 0
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(out))
    assert "Lesion L7" in text and "Lesion L8" in text and "L7_b.png" in text
    assert "Model tiny: validated performance" in text  # a test model: no installed card


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--patient", "NOBODY"], "no patient with identifier"),
        (["--patient", "MRN-42", "--visit", "99999"], "has no visit with id 99999"),
        (["--visit", "1"], "one of IMAGE"),
        (["--patient", "MRN-42", "--pages"], "--pages applies"),
    ],
)  # fmt: skip
def test_report_cli_refuses_bad_patient_options(tmp_path, chart, capsys, args, message):
    assert main(["report", *args, "--out", str(tmp_path / "x.pdf")]) == 2
    assert message in capsys.readouterr().err
