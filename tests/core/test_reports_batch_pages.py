"""The batch PDF's optional per-image pages: content, CLI options, flat memory."""

from __future__ import annotations

import gc
import tracemalloc

import cv2
import pytest

from skindesk.cli import main
from skindesk.core.batch import scan_folder
from skindesk.core.registry import ModelRegistry
from skindesk.core.reports.batch import BatchRow, rows_from_items, write_batch_report
from skindesk.core.service import SkinDeskService
from tests.core.batchdata import make_images, tiny_engine, write_bad_files
from tests.core.reportcheck import assert_disclaimer_and_numbers_on_every_page, pdf_info, render
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    make_images(folder, 5)
    write_bad_files(folder)
    return folder


@pytest.fixture
def tiny_service(monkeypatch):
    monkeypatch.setattr(SkinDeskService, "engine", lambda self, model_id=None: tiny_engine())


def pages(pdf):
    return int(pdf_info(pdf)["Pages"])


def test_pages_add_one_page_per_analysed_image_in_ranked_order(tmp_path, photos, output_dir):
    items = list(scan_folder(photos, engine=tiny_engine()))
    rows, card = rows_from_items(items), tiny_engine().card
    summary = write_batch_report(tmp_path / "summary.pdf", rows, card)
    full = write_batch_report(tmp_path / "pages.pdf", rows, card, pages=True)
    assert pages(full) == pages(summary) + 5
    image_pages = assert_disclaimer_and_numbers_on_every_page(full)[pages(summary):]
    ranked = sorted((i for i in items if i.ok), key=lambda i: -i.prediction.malignant_probability)
    for rank, (item, text) in enumerate(zip(ranked, image_pages), start=1):
        p = item.prediction
        assert item.relpath in text and f"Image {rank} of 5, ranked by P(malignant)" in text
        assert f"P(malignant) {p.malignant_probability:.2f}" in text and "threshold 0.400" in text
        assert ("FLAGGED for review" if p.flagged else "not flagged") in text
        assert "Naevus [nv]" in text and f"{p.probabilities['mel']:.3f}" in text
        assert "only 48 pixels" in text  # the image-quality warning
    render(full, output_dir)


def test_an_image_gone_since_the_scan_gets_a_page_that_says_so(tmp_path, photos):
    rows = rows_from_items(list(scan_folder(photos, engine=tiny_engine())))
    (photos / "img_000.png").unlink()
    pdf = write_batch_report(tmp_path / "gone.pdf", rows, tiny_engine().card, pages=True)
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(pdf))
    assert "The image can no longer be read." in text


def test_memory_does_not_grow_with_the_images(tmp_path):
    """Eleven 1200×900 photos cost little more than three: pages keep no pixels."""
    rgb = dermoscopy_like(ellipse_mask(900, 1200), hairs=3, seed=1)
    card = ModelRegistry().get()  # only the bundled card: no model loads
    probabilities = {c: 1 / len(card.class_ids) for c in card.class_ids}
    rows = []
    for n in range(11):
        path = tmp_path / f"photo_{n}.jpg"
        marked = cv2.putText(rgb.copy(), str(n), (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 9,
                             (20, 20, 20), 25)  # every photo different, as in a real folder
        path.write_bytes(cv2.imencode(".jpg", marked[..., ::-1])[1].tobytes())
        rows.append(BatchRow(str(path), path.name, "ok", top_class="nv", p_malignant=n / 11,
                             flagged=n % 2 == 0, threshold=0.5, probabilities=probabilities))  # fmt: skip

    def peak(count):
        gc.collect()
        tracemalloc.start()
        pdf = write_batch_report(tmp_path / f"m{count}.pdf", rows[:count], card, pages=True)
        peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak_bytes, pdf.stat().st_size

    peak(1)  # fonts, charts and imports once
    (few, few_size), (many, many_size) = peak(3), peak(11)
    # A decoded photo is 3.2 MB and a decoded 400-pixel thumbnail 0.36 MB; a page
    # may keep only what goes into the PDF (its JPEG thumbnail, a few tens of kB).
    assert (many - few) / 8 < 150_000, f"{(many - few) / 8e3:.0f} kB more per page"
    assert (many_size - few_size) / 8 < 60_000


def test_scan_and_report_cli_take_pages(tmp_path, photos, tiny_service):
    jsonl, summary, paged = tmp_path / "s.jsonl", tmp_path / "s.pdf", tmp_path / "p.pdf"
    assert main(["scan", str(photos), "--json", str(jsonl), "--pdf", str(summary)]) == 1
    assert main(["scan", str(photos), "--pdf", str(paged), "--pages"]) == 1
    assert pages(paged) == pages(summary) + 5
    from_jsonl = tmp_path / "r.pdf"
    assert main(["report", "--scan", str(jsonl), "--pages", "--out", str(from_jsonl)]) == 0
    assert pages(from_jsonl) == pages(summary) + 5
