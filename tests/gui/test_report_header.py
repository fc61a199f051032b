"""File ▸ Report header…: the practice name and page size reach the PDF the app writes."""

from __future__ import annotations

import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk.gui.report_header import ReportHeaderDialog
from skindesk.gui.settings import load_settings
from tests.core.batchdata import write_image
from tests.core.reportcheck import assert_disclaimer_and_numbers_on_every_page, pdf_info
from tests.gui.batch_fakes import FakeBatchService
from tests.gui.helpers import screenshot

pytestmark = pytest.mark.gui


def test_report_header_is_saved_and_printed_on_the_exported_pdf(make_app, tmp_path, output_dir):
    app = make_app(FakeBatchService())
    app.wait_for_model()
    window = app.window
    file_menu = window.root.nametowidget(window.root.nametowidget(window.root["menu"]).entrycget(0, "menu"))
    index = next(i for i in range(file_menu.index("end") + 1)
                 if file_menu.type(i) == "command" and file_menu.entrycget(i, "label") == "Report header…")
    file_menu.invoke(index)
    dialog = next(w for w in window.root.winfo_children() if isinstance(w, ReportHeaderDialog))
    dialog.clinic.set("Praxis Dr. Müller – Dermatologie")
    dialog.page.set("Letter")
    app.pump(timeout=0.2)
    screenshot(dialog, output_dir / "01_report_header.png")
    dialog.apply()
    saved = load_settings()
    assert (saved.report_clinic, saved.report_page_size) == ("Praxis Dr. Müller – Dermatologie", "Letter")

    image = write_image(tmp_path / "lesion.png", seed=4, size=(240, 320))
    window.open_paths([str(image)])
    app.wait_for_images()
    assert window.analyse_current()
    app.wait_for_analysis()
    window.report_export.ask_save_path = lambda name: str(output_dir / name)
    window.report_export.export()
    app.pump(lambda: window.report_export.last_saved is not None, 60, "the report")
    pdf = window.report_export.last_saved
    pages = assert_disclaimer_and_numbers_on_every_page(pdf)
    assert all("Praxis Dr. Müller – Dermatologie" in page for page in pages)
    assert "612 x 792" in pdf_info(pdf)["Page size"]  # US Letter
    assert app.internal_errors == []
