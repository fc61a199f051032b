"""Patients window ▸ Export PDF report…: the patient's (or a visit's) PDF, written in a worker."""

from __future__ import annotations

import subprocess

import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk import DISCLAIMER
from tests.gui.history_helpers import seed_followup, tk_garbage_on_the_tk_thread, wait_for_history

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _tk_garbage_on_the_tk_thread():
    with tk_garbage_on_the_tk_thread():
        yield


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_export_patient_and_visit_pdf_from_the_patient_view(app, tmp_path, output_dir):
    seed_followup(tmp_path)
    patients = app.window.history.show_patients()
    wait_for_history(app)
    view, report = patients.view, patients.report
    assert view.record is not None and view.record.patient.identifier == "MRN-F"
    asked = []
    report.ask_save_path = lambda name: asked.append(name) or str(output_dir / name)
    report.button.invoke()
    assert report.busy, "the PDF is written in a worker"
    wait_for_history(app, timeout=60)
    assert not report.busy and asked == ["MRN-F-report.pdf"]
    assert report.last_saved == output_dir / "MRN-F-report.pdf"
    assert patients.status.cget("text").startswith("Report saved: ")
    text = " ".join(pdf_text(report.last_saved).split())
    assert "MRN-F" in text and " ".join(DISCLAIMER.split())[:40] in text

    newest = view.tree.get_children()[0]  # a visit row: that visit's report
    view.tree.selection_set(newest)
    app.pump(timeout=0.05)
    report.button.invoke()
    wait_for_history(app, timeout=60)
    assert asked[-1] == f"MRN-F-{newest}-report.pdf"
    assert "MRN-F" in " ".join(pdf_text(report.last_saved).split())
    assert app.internal_errors == []
