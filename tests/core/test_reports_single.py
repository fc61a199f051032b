"""The one-analysis PDF report on the tiny model: fields, disclaimer, Unicode, page size."""

from __future__ import annotations

import pytest

from skindesk.cli import main
from skindesk.core.errors import UserError
from skindesk.core.metadata import PatientMetadata
from skindesk.core.reports.layout import ReportSettings
from skindesk.core.reports.single import AnalysisReport, threshold_sentence, write_single_report
from skindesk.core.service import FileResult, SkinDeskService
from tests.core.batchdata import tiny_engine
from tests.core.reportcheck import assert_disclaimer_and_numbers_on_every_page, page_size, render
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask

NAME = "Zoë Ñúñez-Łukasiewicz"
CJK_NAME = NAME + " 李"  # 李 is not in DejaVu: set in a system fallback font when there is one


def lesion_report() -> AnalysisReport:
    """A report of a synthetic lesion analysed by the tiny model, with a fake overlay."""
    engine = tiny_engine()
    mask = ellipse_mask(240, 320)
    rgb = dermoscopy_like(mask)
    metadata = PatientMetadata.create(age=54, sex="female", site="back")
    lesion = SkinDeskService().segment(rgb)
    lesion.pop("_mask")
    warnings = lesion.pop("quality_warnings") + [{"code": "blur", "message": "Looks blurred."}]
    result = FileResult(path="/photos/lesion.png", prediction=engine.predict([rgb], metadata)[0],
                        metadata=metadata, lesion=lesion, warnings=warnings)
    overlay = rgb.copy()
    overlay[..., 0] = 255
    return AnalysisReport(result, engine.card, rgb, overlay=overlay, mask=mask,
                          patient={"Patient": NAME, "Patient ID": "P-0042", "Lesion": ""},
                          assessment="Benign naevus", note="Review in 6 months")


@pytest.mark.parametrize("size, points", [("A4", (595, 842)), ("Letter", (612, 792))])
def test_single_report_has_the_key_fields_on_the_chosen_page_size(tmp_path, output_dir, size,
                                                                 points):
    pdf = write_single_report(tmp_path / f"single-{size}.pdf", lesion_report(),
                              ReportSettings(clinic_name="Praxis Dr. Müller", page_size=size))
    assert page_size(pdf) == points
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(pdf))
    for expected in (NAME, "Praxis Dr. Müller", "P-0042", "female", "Looks blurred.",
                     "Benign naevus", "Review in 6 months", "Clinician's signature",
                     tiny_engine().card.sha256, "at which this model", "Preprocessing"):
        assert expected in text
    assert "Lesion " not in text.split("Site")[0]  # an empty field is left out
    assert render(pdf, output_dir)


def test_threshold_sentence_says_above_or_below_in_plain_words():
    assert threshold_sentence(0.62, 0.27) == (
        "P(malignant) 0.62 is above the threshold 0.27 at which this model flags lesions "
        "for review.")
    assert "is below the threshold 0.27" in threshold_sentence(0.1, 0.27)


def test_an_unknown_page_size_is_a_user_error():
    with pytest.raises(UserError):
        ReportSettings(page_size="A3")


def test_a_missing_logo_does_not_stop_the_report(tmp_path):
    settings = ReportSettings(logo_path=str(tmp_path / "nowhere.png"))
    assert write_single_report(tmp_path / "r.pdf", lesion_report(), settings).stat().st_size


def test_report_cli_analyses_an_image_and_writes_the_pdf(tmp_path, monkeypatch, output_dir):
    monkeypatch.setattr(SkinDeskService, "engine", lambda self, model_id=None: tiny_engine())
    from PIL import Image

    image = tmp_path / "lesion.png"
    Image.fromarray(dermoscopy_like(ellipse_mask(120, 160))).save(image)
    out = tmp_path / "cli.pdf"
    assert main(["report", str(image), "--out", str(out), "--method", "none", "--age", "40",
                 "--patient-name", NAME, "--clinic", "Clinique Łódź",
                 "--page-size", "Letter"]) == 0
    assert page_size(out) == (612, 792)
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(out))
    assert NAME in text and "Clinique Łódź" in text and "lesion.png" in text
    render(out, output_dir)


def test_report_cli_needs_an_image_or_a_scan(tmp_path):
    assert main(["report", "--out", str(tmp_path / "x.pdf")]) == 2


def test_analyse_for_report_adds_the_gradcam_overlay_and_outline(tmp_path, monkeypatch, output_dir):
    from PIL import Image

    from skindesk.core.reports.build import analyse_for_report

    monkeypatch.setattr(SkinDeskService, "engine", lambda self, model_id=None: tiny_engine())
    image = tmp_path / "lesion.png"
    Image.fromarray(dermoscopy_like(ellipse_mask(120, 160))).save(image)
    report = analyse_for_report(SkinDeskService(), image, patient={"Patient": NAME})
    assert report.overlay is not None and report.overlay.shape == (120, 160, 3)
    assert report.mask is not None and report.result.lesion is not None
    pdf = write_single_report(tmp_path / "gradcam.pdf", report)
    assert "Explanation (gradcam)" in " ".join(assert_disclaimer_and_numbers_on_every_page(pdf))
    render(pdf, output_dir)


def test_a_chinese_character_survives_when_a_fallback_font_is_installed(tmp_path):
    from skindesk.core.reports.fonts import _fallback_available

    if not _fallback_available():
        pytest.skip("no CJK fallback font on this system")
    report = lesion_report()
    report.patient["Patient"] = CJK_NAME
    pdf = write_single_report(tmp_path / "cjk.pdf", report)
    assert CJK_NAME in " ".join(assert_disclaimer_and_numbers_on_every_page(pdf))


def test_the_model_section_states_validated_performance_and_limits_in_words(tmp_path):
    import dataclasses

    report = lesion_report()
    card = dataclasses.replace(report.card, limitations=["Weaker on images from phones."],
                               reported_performance={"dataset": "ISIC 2017 test", "n": 600,
                                                     "roc_auc": 0.8313248748031357,
                                                     "roc_auc_ci": [0.7848, 0.8713],
                                                     "sensitivity": 0.9230769230769231})
    pdf = write_single_report(tmp_path / "card.pdf", dataclasses.replace(report, card=card))
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(pdf))
    for expected in ("Validated performance", "Sensitivity at the threshold: 92.3%",
                     "ROC AUC, malignant vs benign: 0.83 (95% CI 0.78–0.87)", "Test images: 600",
                     "Test set: ISIC 2017 test", "Known limits: Weaker on images from phones.",
                     "Inputs", "pixels, only.", "do not change this model's result."):
        assert expected in text
    assert "0.8313" not in text and "roc_auc" not in text  # no raw card values


def test_a_card_with_several_test_sets_reports_each_of_them(tmp_path):
    import dataclasses

    report = lesion_report()
    card = dataclasses.replace(report.card, reported_performance={"source": "the report script"}, raw={
        **report.card.raw, "test_results": {
            "isic2017_test": {"n": 600, "roc_auc": 0.8448, "sensitivity": 0.897, "specificity": 0.567},
            "ham10000_holdout": {"n": 1529, "roc_auc": 0.905, "sensitivity": 0.99, "specificity": 0.514}}})
    pdf = write_single_report(tmp_path / "tests.pdf", dataclasses.replace(report, card=card))
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(pdf))
    for expected in ("ISIC 2017 test split (600 images): ROC AUC 0.84;", "specificity 57%",
                     "HAM10000 lesion-level hold-out (1,529 images)", "specificity 51%", "Source: the report script."):
        assert expected in text
