"""The batch PDF report from a tiny-model scan: ranking, failures, CLI paths."""

from __future__ import annotations

import pytest

from skindesk.cli import main
from skindesk.core.batch import scan_folder
from skindesk.core.reports.batch import rows_from_items, write_batch_report
from skindesk.core.reports.layout import ReportSettings
from skindesk.core.service import SkinDeskService
from tests.core.batchdata import make_images, tiny_engine, write_bad_files
from tests.core.reportcheck import assert_disclaimer_and_numbers_on_every_page, page_size, render


@pytest.fixture
def photos(tmp_path):
    """Five good images and the usual bad files."""
    folder = tmp_path / "photos"
    make_images(folder, 5)
    write_bad_files(folder)
    return folder


@pytest.fixture
def tiny_service(monkeypatch):
    monkeypatch.setattr(SkinDeskService, "engine", lambda self, model_id=None: tiny_engine())


def test_batch_report_ranks_images_and_lists_failures(tmp_path, photos, output_dir):
    items = list(scan_folder(photos, engine=tiny_engine()))
    pdf = write_batch_report(tmp_path / "batch.pdf", rows_from_items(items), tiny_engine().card,
                             ReportSettings(clinic_name="Clinique Łódź"))
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(pdf))
    assert "Clinique Łódź" in text and "Files that could not be analysed (6)" in text
    assert "empty file" in text and "Skipped (not images) 1" in text
    ranked = sorted((i for i in items if i.ok), key=lambda i: -i.prediction.malignant_probability)
    positions = [text.index(i.relpath) for i in ranked]
    assert positions == sorted(positions)  # highest P(malignant) first
    assert page_size(pdf) == (595, 842)
    render(pdf, output_dir)


def test_report_cli_makes_a_batch_report_from_scan_jsonl(tmp_path, photos, tiny_service):
    jsonl, out = tmp_path / "scan.jsonl", tmp_path / "from-jsonl.pdf"
    assert main(["scan", str(photos), "--json", str(jsonl)]) == 1
    assert main(["report", "--scan", str(jsonl), "--out", str(out), "--page-size", "Letter"]) == 0
    assert page_size(out) == (612, 792)
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(out))
    assert "img_000" in text and "not an image" in text


def test_scan_pdf_option_writes_the_batch_report(tmp_path, photos, tiny_service, capsys):
    out = tmp_path / "scan.pdf"
    assert main(["scan", str(photos), "--pdf", str(out)]) == 1
    assert f"Results written to {out}" in capsys.readouterr().out
    assert "Batch analysis summary" in " ".join(assert_disclaimer_and_numbers_on_every_page(out))


def test_an_unreadable_jsonl_is_a_usage_error(tmp_path, tiny_service):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    assert main(["report", "--scan", str(bad), "--out", str(tmp_path / "x.pdf")]) == 2
