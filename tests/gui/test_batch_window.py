"""File ▸ Scan folder…: the batch-scan window driven as a user would, and the PDF exports."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk import DISCLAIMER
from skindesk.gui.batch.scan_actions import RESUME_HINT
from tests.core.batchdata import make_images, write_image
from tests.core.reportcheck import assert_disclaimer_and_numbers_on_every_page, render
from tests.gui.batch_fakes import FakeBatchService
from tests.gui.helpers import TickRecorder, press, screenshot, settle

pytestmark = pytest.mark.gui


# Helpers ------------------------------------------------------------------------------
def make_scan_folder(folder, count=12):
    """``count`` small images (a third in a sub-folder), a corrupt PNG, a fake JPEG and notes."""
    make_images(folder, count - count // 3)
    make_images(folder / "sub", count // 3, prefix="deep", start=50)
    (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    (folder / "letter.jpg").write_text("this is not a picture")
    (folder / "notes.txt").write_text("clinic notes")
    return folder


def open_scan_window(app):
    """Ctrl+Shift+O in the main window, as the user would."""
    press(app.window.ui.image_view.canvas, "<Control-Shift-O>")
    win = app.window.batch.dialog
    assert win is not None and win.winfo_exists()
    app.pump(lambda: win.winfo_ismapped(), 10, "the scan window")
    return win


def start_scan(app, win, folder, recursive=True):
    win.options.folder.set(str(folder))
    win.options.recursive.set(recursive)
    app.pump(timeout=0.05)
    win.start_button.invoke()
    assert win.job.running


def wait_for_scan(app, win, timeout=60):
    app.pump(lambda: not win.job.running, timeout, "the scan to finish")
    win.view.refresh()
    app.pump(timeout=0.1)


def click_heading(app, tree, column):
    """Click a column header of a Treeview (press and release on it)."""
    tree.update()
    x = int(tree.column("#0", "width"))
    for name in tree.cget("columns"):
        width = int(tree.column(name, "width"))
        if name == column:
            break
        x += width
    x += width // 2
    tree.event_generate("<ButtonPress-1>", x=x, y=8)
    tree.event_generate("<ButtonRelease-1>", x=x, y=8)
    app.pump(timeout=0.05)


def double_click_row(app, tree, iid):
    tree.see(iid)
    tree.update()
    x, y, width, height = tree.bbox(iid, "file")
    for _ in range(2):  # two clicks in quick succession: Tk makes them a double-click
        tree.event_generate("<ButtonPress-1>", x=x + width // 2, y=y + height // 2)
        tree.event_generate("<ButtonRelease-1>", x=x + width // 2, y=y + height // 2)
    app.pump(timeout=0.05)


def names(win):
    return [row.relpath for row in win.table.shown_rows()]


@pytest.fixture
def batch_app(make_app):
    app = make_app(FakeBatchService())
    app.wait_for_model()
    return app


# Scanning ------------------------------------------------------------------------------
def test_scan_streams_sorted_rows_lists_bad_files_and_keeps_the_window_live(
        batch_app, tmp_path, output_dir):
    app = batch_app
    folder = make_scan_folder(tmp_path / "photos", count=24)
    app.service._engine.delay = 0.2  # a scan long enough to watch
    win = open_scan_window(app)
    ticks = TickRecorder(app.root)
    ticks.start()
    start_scan(app, win, folder)
    seen = set()
    app.pump(lambda: seen.add(win.progress.text) or "images/s" in win.progress.text, 30,
             "progress with a rate")
    assert " of 27 files · " in win.progress.text, seen
    assert win.progress.text.endswith((" left", "almost done")), seen
    assert win.summary.totals.cget("text").startswith(
        f"Files: {win.progress.text.split()[0]}\n"), "the summary keeps up with the bar"
    assert 0 < float(win.progress.bar.cget("value")) < 27
    screenshot(win, output_dir / "00_scanning.png")
    wait_for_scan(app, win)
    ticks.stop()
    assert ticks.max_gap < 1.0, f"the Tk thread stalled: {ticks.long_gaps}"
    assert win.progress.text.startswith("Finished: 27 files in ")

    rows = win.table.shown_rows()
    assert len(rows) == 27 and sum(r.status == "ok" for r in rows) == 24
    ok = [r.p_malignant for r in rows if r.status == "ok"]
    assert ok == sorted(ok, reverse=True), "highest P(malignant) first"
    assert [r.status for r in rows[24:]] == ["failed", "failed", "skipped"]
    assert "sub/deep_050.png" in names(win), "sub-folders were scanned"
    tags = {r.relpath: win.table.tree.item(r.iid, "tags")[0] for r in rows}
    assert all(tags[r.relpath] == "flagged" for r in rows if r.flagged)
    assert 0 < sum(r.flagged for r in rows) < 24, "the fake flags some images, not all"

    failures = dict(win.summary.failure_rows())
    assert set(failures) == {"corrupt.png", "letter.jpg"}
    assert "not an image" in failures["letter.jpg"]
    totals = win.summary.totals.cget("text")
    assert "Files: 27" in totals and "Analysed: 24" in totals and "Failed: 2" in totals
    assert f"Flagged for review: {sum(r.flagged for r in rows)} (P(malignant) ≥ 0.27)" in totals
    assert "Melanocytic nevus [nv]: " in win.summary.classes.cget("text")
    thumbnails = win.table.thumbnails
    app.pump(lambda: len(thumbnails.photos) >= 10, 20, "thumbnails of the rows on screen")
    assert set(thumbnails.photos) <= set(thumbnails.visible_ids()) and thumbnails.cache.made < 24
    screenshot(win, output_dir / "01_scan_finished.png")

    top = set(thumbnails.photos)
    win.table.tree.yview_moveto(1.0)  # scroll to the end: only the rows in view hold pictures
    app.pump(lambda: rows[23].iid in thumbnails.photos, 20, "thumbnails at the end")
    assert rows[0].iid not in thumbnails.photos and thumbnails.cache.made == 24
    assert set(thumbnails.photos) <= set(thumbnails.visible_ids())
    win.table.tree.yview_moveto(0.0)
    app.pump(lambda: set(thumbnails.photos) == top, 20, "the first thumbnails again")
    assert thumbnails.cache.made == 24, "scrolling back decodes nothing again"


def test_cancel_then_resume_finishes_without_analysing_files_again(
        batch_app, tmp_path, output_dir):
    app = batch_app
    folder = tmp_path / "clinic"
    make_images(folder, 40)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    app.service._engine.delay = 0.15
    win = open_scan_window(app)
    start_scan(app, win, folder, recursive=False)
    app.pump(lambda: win.table.total >= 8, 30, "the first results")
    win.cancel_button.invoke()
    assert "Cancelling" in win.progress.text
    wait_for_scan(app, win)
    first = win.table.total
    assert 8 <= first < 41
    assert win.progress.text.startswith(f"Cancelled after {first} of 41 files")
    assert str(win.resume_button.cget("state")) == "normal"
    assert app.service.analysed == sum(r.status == "ok" for r in win.table.shown_rows())
    screenshot(win, output_dir / "01_cancelled.png")

    win.close()  # a closed window forgets nothing: the journal remembers
    app.window.batch.button.invoke()  # the toolbar button
    win = app.window.batch.dialog
    assert win.options.folder.get() == str(folder)
    app.pump(lambda: str(win.message.cget("text")) == RESUME_HINT, 10, "the resume hint")
    app.service._engine.delay = 0.02
    win.resume_button.invoke()
    wait_for_scan(app, win)
    rows = win.table.shown_rows()
    assert len(rows) == 41 and win.progress.text.startswith("Finished: 41 files")
    assert app.service.analysed == 40, "every image analysed exactly once"
    assert sum(r.resumed for r in rows) == first
    resumed = next(r for r in rows if r.resumed and r.status == "ok")
    assert win.table.tree.item(resumed.iid, "values")[4] == "earlier run"
    assert f"Files: 41 ({first} from an earlier run)" in win.summary.totals.cget("text")
    screenshot(win, output_dir / "02_resumed.png")


def test_sort_by_header_filter_and_double_click_opens_in_main_window(
        batch_app, tmp_path, output_dir):
    app = batch_app
    folder = make_scan_folder(tmp_path / "photos")
    win = open_scan_window(app)
    start_scan(app, win, folder)
    wait_for_scan(app, win)
    tree = win.table.tree

    click_heading(app, tree, "file")
    assert names(win) == sorted(names(win), key=str.casefold)
    assert tree.heading("file", "text") == "File ▲"
    click_heading(app, tree, "file")
    assert names(win) == sorted(names(win), key=str.casefold, reverse=True)
    click_heading(app, tree, "p_malignant")
    ok = [r.p_malignant for r in win.table.shown_rows() if r.p_malignant is not None]
    assert ok == sorted(ok, reverse=True) and tree.heading("p_malignant", "text").endswith("▼")

    win.filter_bar.entry.insert(0, "deep")
    app.pump(timeout=0.05)
    assert names(win) and all("deep" in n for n in names(win))
    assert win.filter_bar.count.cget("text") == f"showing {len(names(win))} of 15 files"
    win.filter_bar.entry.delete(0, "end")
    win.filter_bar.flagged_check.invoke()
    assert win.table.shown_rows() and all(r.flagged for r in win.table.shown_rows())
    win.filter_bar.flagged_check.invoke()
    win.filter_bar.failed_check.invoke()
    assert sorted(names(win)) == ["corrupt.png", "letter.jpg"]
    screenshot(win, output_dir / "01_failed_only.png")
    win.filter_bar.failed_check.invoke()
    assert len(names(win)) == 15
    app.window.toggle_theme()
    screenshot(win, output_dir / "03_dark_theme.png")
    app.window.toggle_theme()

    target = next(r for r in win.table.shown_rows() if r.relpath == "img_003.jpg")
    double_click_row(app, tree, target.iid)
    app.wait_for_images()
    assert app.window.current is not None and app.window.current.path == target.path
    assert app.window.ui.image_view.has_image
    screenshot(app.root, output_dir / "02_opened_in_main_window.png")


# Exports -------------------------------------------------------------------------------
def test_export_csv_jsonl_and_pdf_report(batch_app, tmp_path, output_dir):
    app = batch_app
    folder = make_scan_folder(tmp_path / "photos")
    win = open_scan_window(app)
    assert str(win.exports.buttons["csv"].cget("state")) == "disabled", "nothing to export yet"
    start_scan(app, win, folder)
    wait_for_scan(app, win)
    asked = []
    win.exports.ask_save_path = lambda what, suffix, name: asked.append(name) or str(
        output_dir / f"results{suffix}")
    for kind in ("csv", "jsonl", "pdf"):
        win.exports.buttons[kind].invoke()
        app.pump(lambda: not win.exports.exporting, 60, f"the {kind} export")
        assert win.message.cget("text").startswith("Saved ")
    assert asked == ["photos-scan.csv", "photos-scan.jsonl", "photos-scan.pdf"]

    with open(output_dir / "results.csv", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 15 and {"path", "status", "error", "p_mel", "model_id"} <= set(table[0])
    by_name = {row["path"].rsplit("/", 1)[-1]: row for row in table}
    assert by_name["letter.jpg"]["status"] == "failed" and by_name["letter.jpg"]["error"]
    assert by_name["img_000.png"]["model_id"] == "fake-model"
    lines = (output_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 15 and json.loads(lines[0])["relpath"]

    pages = assert_disclaimer_and_numbers_on_every_page(output_dir / "results.pdf")
    text = " ".join(pages)
    assert "Batch analysis summary" in text and f"Scan of {folder}" in text
    assert "Files that could not be analysed (2)" in text and "corrupt.png" in text
    assert DISCLAIMER[:40] in text
    render(output_dir / "results.pdf", output_dir)


def test_export_pdf_report_of_the_current_analysis(batch_app, tmp_path, output_dir):
    app = batch_app
    window = app.window
    file_menu = window.root.nametowidget(window.root.nametowidget(window.root["menu"])
                                         .entrycget(0, "menu"))
    labels = [file_menu.entrycget(i, "label") for i in range(file_menu.index("end") + 1)
              if file_menu.type(i) == "command"]
    assert "Scan folder…" in labels and "Export PDF report…" in labels

    image = write_image(tmp_path / "lesion.png", seed=4, size=(240, 320))
    window.open_paths([str(image)])
    app.wait_for_images()
    assert not window.report_export.export(), "nothing analysed yet"
    assert "Analyse the image first" in window.errors.last_message
    assert window.analyse_current()
    app.wait_for_analysis()
    form = window.ui.result_panel.assessment
    form.agreement.set("disagree")
    form.choose_diagnosis("nv")
    form.note.insert("1.0", "Regular network; follow up in 3 months.")
    app.pump(timeout=0.1)
    pdf = output_dir / "lesion-report.pdf"
    window.report_export.ask_save_path = lambda name: str(output_dir / name)
    assert window.report_export.button.winfo_ismapped()
    screenshot(app.root, output_dir / "01_result_with_export_button.png")
    window.report_export.button.invoke()
    app.pump(lambda: window.report_export.last_saved is not None, 60, "the report")
    assert window.report_export.last_saved == pdf
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(pdf))
    assert "Skin lesion analysis" in text and "lesion.png" in text
    prediction = window.current.prediction
    assert f"P(malignant) {prediction.malignant_probability:.2f}" in text
    assert "Disagrees with the model; clinician's diagnosis: Melanocytic nevus [nv]" in text
    assert "Regular network; follow up in 3 months." in text
    assert "Fake HAM10000 model" in text
    render(pdf, output_dir)


# The real model --------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.realdata
def test_real_model_scans_dermoscopy_images_and_writes_the_pdf(
        make_app, real_service, shared_data, tmp_path, output_dir):
    folder = tmp_path / "real"
    folder.mkdir()
    for label in ("mel", "nv", "bkl"):
        for image in sorted((shared_data / "ham10000" / "images" / label).glob("*.jpg"))[:2]:
            shutil.copy(image, folder / f"{label}_{image.name}")
    (folder / "truncated.jpg").write_bytes((folder / next(iter(
        sorted(p.name for p in folder.iterdir())))).read_bytes()[:3000])
    app = make_app(real_service)
    app.wait_for_model(timeout=120)
    win = open_scan_window(app)
    start_scan(app, win, folder, recursive=False)
    wait_for_scan(app, win, timeout=180)
    rows = win.table.shown_rows()
    assert len(rows) == 7 and sum(r.status == "ok" for r in rows) == 6
    assert dict(win.summary.failure_rows())["truncated.jpg"].startswith("truncated or corrupt")
    ok = [r.p_malignant for r in rows if r.status == "ok"]
    assert ok == sorted(ok, reverse=True)
    app.pump(lambda: len(win.table.thumbnails.photos) == 6, 30, "the thumbnails")
    screenshot(win, output_dir / "01_real_scan.png")
    settle(app.root)
    win.exports.export("pdf", str(output_dir / "real.pdf"))
    app.pump(lambda: not win.exports.exporting, 120, "the PDF")
    text = " ".join(assert_disclaimer_and_numbers_on_every_page(output_dir / "real.pdf"))
    assert real_service.card().name in text and "truncated.jpg" in text
    render(output_dir / "real.pdf", output_dir)


def test_scan_saved_to_a_patient_shows_in_their_history(batch_app, tmp_path):
    from skindesk.core.history import HistoryService

    app = batch_app
    folder = tmp_path / "lesions"
    make_images(folder, 4)
    win = open_scan_window(app)
    win.options.patient.set("MRN-B")  # not in the history yet: nothing starts
    start_scan(app, win, folder, recursive=False)
    wait_for_scan(app, win)
    assert "did not start" in win.message.cget("text") and "MRN-B" in win.message.cget("text")
    assert win.table.total == 0

    with HistoryService() as history:
        patient = history.add_patient("MRN-B", "Bea Batch", "1970-05-06", "female")
    win.options.group_by.set("name-prefix")
    win.start_button.invoke()
    wait_for_scan(app, win)
    assert win.summary.attached.cget("text").startswith("Saved to patient MRN-B, visit ")
    assert ": 4" in win.summary.attached.cget("text")
    with HistoryService() as history:
        record = history.get_patient_record(patient.id)
    assert len(record.analyses) == 4 and len(record.visits) == 1
    assert {lesion.label for lesion in record.lesions} == {"img"}, "grouped by the prefix"
    assert {a.model_id for a in record.analyses} == {"fake-model"}
    assert app.internal_errors == []
