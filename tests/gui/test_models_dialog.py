"""Analysis ▸ Models…: cards, default model, evaluation with progress, operating point, import.

Tiny Keras models installed in the test's own SKINDESK_HOME and small generated
labelled folders keep every evaluation to seconds; the main window runs the real
service, so switching the default really loads the other model.
"""

from __future__ import annotations

import shutil
import subprocess
from tkinter import filedialog

import pytest

from tests.gui.helpers import require_display

require_display()

from skindesk import paths
from skindesk.core.engine_process import ProcessService
from skindesk.core.evaluation.store import list_evaluations, save_evaluation
from skindesk.core.modelcard import load_card
from skindesk.core.registry import ModelRegistry
from skindesk.gui.models import hook
from skindesk.gui.models.import_dialog import ImportDialog
from skindesk.gui.models.import_form import SCALINGS
from skindesk.gui.models.operating_point import OperatingPointDialog
from skindesk.gui.models.validation_tab import NO_EVALUATIONS
from tests.core.evaldata import make_labelled_folder
from tests.core.tinymodels import build_tiny_model, install_tiny_model
from tests.gui.helpers import screenshot, settle

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def tiny_model():
    return build_tiny_model("softmax", classes=3)


@pytest.fixture
def tiny_models(tiny_model):
    """User models tiny-a (the default) and tiny-b, both nv/mel/bcc with threshold 0.4."""
    for model_id in ("tiny-a", "tiny-b"):
        install_tiny_model(paths.user_models_dir() / model_id, tiny_model, model_id=model_id)
    ModelRegistry().set_default("tiny-a")
    return ["tiny-a", "tiny-b"]


@pytest.fixture
def real_app(make_app, tiny_models):
    """The main window on the app's real service (models in an engine process), tiny-a loaded."""
    service = ProcessService()
    app = make_app(service)
    app.wait_for_model(timeout=90)
    assert app.window.model.status.state == "ready", app.window.model.status.text
    yield app
    service.close()


def open_from_menu(app):
    """Analysis ▸ Models…, clicked as a user would; the dialog that opened."""
    bar = app.root.nametowidget(app.root["menu"])
    index = next(i for i in range(bar.index("end") + 1)
                 if bar.type(i) == "cascade" and bar.entrycget(i, "label") == "Analysis")
    menu = app.root.nametowidget(bar.entrycget(index, "menu"))
    entry = next(i for i in range(menu.index("end") + 1)
                 if menu.type(i) == "command" and menu.entrycget(i, "label") == "Models…")
    menu.invoke(entry)
    dialog = hook.models_dialog_of(app.window)
    assert dialog is not None
    settle(dialog)
    return dialog


def row(dialog, model_id):
    return dialog.models.tree.item(model_id, "values")


def child_of_type(dialog, kind):
    return next(w for w in dialog.winfo_children() if isinstance(w, kind))


def test_dialog_lists_models_with_cards_and_switches_the_default(real_app, tmp_path, output_dir,
                                                                 monkeypatch):
    window = real_app.window
    assert window.ui.status.model.cget("text").startswith("Model: Tiny test model tiny-a · ")
    image = make_labelled_folder(tmp_path / "one", per_class=1) / "malignant" / "m0.png"
    window.open_paths([str(image)])
    real_app.wait_for_images()
    assert window.analyse_current()
    real_app.wait_for_analysis()
    assert window.current.prediction.model_id == "tiny-a"

    dialog = open_from_menu(real_app)
    assert row(dialog, "ham10000-xception")[1] == "bundled"
    assert row(dialog, "tiny-a")[0].startswith("★ ") and row(dialog, "tiny-a")[1] == "yours, default"
    assert dialog.models.selected == "tiny-a"
    assert str(dialog.default_button.cget("state")) == "disabled"
    dialog.models.tree.selection_set("ham10000-xception")
    real_app.pump(lambda: dialog.models.selected == "ham10000-xception")
    card_text = dialog.card_panel.plain_text()
    for heading in ("What it was trained on", "Reported performance", "Operating threshold",
                    "How it was chosen", "Limitations", "Licence", "HAM10000"):
        assert heading in card_text
    dialog.notebook.select(dialog.validation)
    assert dialog.validation.summary.cget("text") == NO_EVALUATIONS
    screenshot(dialog, output_dir / "01_models_dialog.png")

    questions = []
    monkeypatch.setattr(hook, "ask_ok_cancel", lambda _p, title, text: questions.append(text) or True)
    dialog.models.select("tiny-b")
    dialog.default_button.invoke()
    assert questions and "1 open image(s) were analysed with another model" in questions[0]
    assert ModelRegistry().default_id() == "tiny-b"
    assert row(dialog, "tiny-b")[0].startswith("★ ") and not row(dialog, "tiny-a")[0].startswith("★")
    assert window.current.result is None  # analysed with tiny-a: cleared, not shown through tiny-b
    assert window.ui.filmstrip.status_text(window.current.id) == "Not analysed"
    real_app.pump(lambda: window.model.status.state == "ready" and window.model.card.id == "tiny-b",
                  30, "the window to switch to tiny-b")
    assert window.ui.status.model.cget("text").startswith("Model: Tiny test model tiny-b · ")
    assert "Tiny test model tiny-b" in window.ui.model_card.plain_text()
    assert window.analyse_current()
    real_app.wait_for_analysis()
    assert window.current.prediction.model_id == "tiny-b"
    dialog.destroy()
    screenshot(real_app.root, output_dir / "02_main_window_switched.png")


def test_evaluate_on_folder_then_choose_and_save_an_operating_point(real_app, tmp_path,
                                                                    output_dir, monkeypatch):
    window = real_app.window
    dataset = make_labelled_folder(tmp_path / "validation", per_class=12, broken=True)
    unlabelled = make_labelled_folder(tmp_path / "odd", per_class=1)
    (unlabelled / "benign").rename(unlabelled / "blob")
    dialog = open_from_menu(real_app)

    dialog.evaluate(str(unlabelled))  # labels it cannot map: a plain message, nothing stored
    real_app.pump(lambda: not dialog.flow.running, 30, "the evaluation to fail")
    assert dialog.message.kind == "error" and "'blob'" in dialog.message.text
    assert "Name the class folders" in dialog.message.text

    monkeypatch.setattr(filedialog, "askdirectory", lambda **_kw: str(dataset))
    dialog.evaluate_menu.invoke(0)  # Evaluate on… ▸ Folder per class…
    assert dialog.flow.running and dialog.progress.winfo_manager()
    assert str(dialog.evaluate_button.cget("state")) == "disabled"
    real_app.pump(lambda: not dialog.flow.running, 60, "the evaluation to finish")
    assert dialog.message.kind == "ok", dialog.message.text
    assert "on 24 images" in dialog.message.text and "1 file(s) could not be analysed" in dialog.message.text
    assert not dialog.progress.winfo_manager()
    [stored] = list_evaluations("tiny-a")
    assert stored.path.parent == paths.evaluations_dir() / "tiny-a" and stored.has_scores
    assert dialog.validation.selected.path == stored.path
    figures = dialog.validation.figures_text()
    for measure in ("ROC AUC (malignant vs benign)", "Sensitivity", "Specificity",
                    "Calibration error (ECE)", "Balanced accuracy"):
        assert measure in figures
    assert "95% CI" in figures
    assert dialog.validation.summary.cget("text").startswith("On these 24 images, the model")
    screenshot(dialog, output_dir / "01_evaluated.png")

    opened = []
    dialog.reports.viewer = opened.append
    dialog.validation.open_button.invoke()
    real_app.pump(lambda: opened, 60, "the PDF report to open")
    target = tmp_path / "saved report.pdf"
    monkeypatch.setattr(filedialog, "asksaveasfilename", lambda **_kw: str(target))
    dialog.validation.save_button.invoke()
    real_app.pump(lambda: dialog.reports.last_written == target, 60, "the PDF report to be saved")
    assert opened[0].exists() and target.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "SkinDesk model evaluation" in text and "ROC AUC" in text

    dialog.validation.point_button.invoke()
    point = child_of_type(dialog, OperatingPointDialog)
    point.rule.set("0.95")
    point.recompute()
    assert point.chosen["sensitivity"] >= 0.95 and "Sensitivity" in point.result.cget("text")
    assert "Specificity" in point.result.cget("text") and "95% CI" in point.result.cget("text")
    screenshot(point, output_dir / "02_operating_point.png")
    point.save_button.invoke()
    assert point.message.kind == "ok", point.message.text
    saved = load_card(paths.user_models_dir() / "tiny-a" / "card.json").threshold
    assert saved.value == pytest.approx(point.chosen["threshold"], abs=1e-6)
    assert saved.method == "highest threshold with sensitivity >= 0.95"
    assert saved.dataset.startswith(f"{dataset} (24 images analysed: 12 malignant, 12 benign)")
    real_app.pump(lambda: window.model.status.state == "ready"
                  and window.model.card.threshold.value == saved.value, 30, "the card to reload")
    assert "How it was chosen: highest threshold with sensitivity >= 0.95" in \
        window.ui.model_card.plain_text()
    point.destroy()


def test_cancel_stops_an_evaluation_and_bundled_cards_stay_read_only(real_app, tmp_path,
                                                                     output_dir):
    dialog = open_from_menu(real_app)
    dataset = make_labelled_folder(tmp_path / "big", per_class=150)
    assert dialog.evaluate(str(dataset))
    settle(dialog, 0.1)
    screenshot(dialog, output_dir / "01_running.png")
    dialog.progress.cancel_button.invoke()
    real_app.pump(lambda: not dialog.flow.running, 60, "the evaluation to stop")
    assert dialog.message.text == "Evaluation cancelled; nothing was stored."
    assert list_evaluations("tiny-a") == []

    # A stored evaluation of the bundled model, copied from a tiny one (its 86 MB model is not run).
    small = make_labelled_folder(tmp_path / "small", per_class=3)
    report = dict(dialog.workbench.evaluate(str(small), "tiny-a").report)
    report["model"] = {**report["model"], "id": "ham10000-xception"}
    save_evaluation(report)
    dialog.models.select("ham10000-xception")
    assert str(dialog.validation.point_button.cget("state")) == "normal"
    dialog.validation.point_button.invoke()
    point = child_of_type(dialog, OperatingPointDialog)
    assert str(point.save_button.cget("state")) == "disabled"
    assert "Bundled models are read-only" in point.message.text
    point.destroy()


def plain_model(path, activation="softmax", units=3):
    """No scaling layer and 3 outputs: its classes and pixel scaling cannot be read off it."""
    import keras

    image = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="features")(image)
    x = keras.layers.GlobalAveragePooling2D()(x)
    keras.Model(image, keras.layers.Dense(units, activation=activation)(x)).save(path)
    return path


def test_import_asks_only_what_the_file_cannot_tell_then_installs(real_app, tmp_path,
                                                                  output_dir, monkeypatch):
    app = real_app  # the file is read and installed in the engine process
    model_file = plain_model(tmp_path / "notebook_cnn.keras")
    dialog = open_from_menu(app)
    importer = dialog.import_model()
    assert isinstance(importer, ImportDialog)
    monkeypatch.setattr(filedialog, "askopenfilename", lambda **_kw: str(model_file))
    importer.choose_file()
    app.pump(lambda: importer.inspection is not None or importer.message.kind == "error", 60,
             "the model file to be read")
    assert importer.form.asked == ["classes", "preprocessing"]
    assert "please answer classes, pixel scaling" in importer.message.text
    assert "Grad-CAM layer: features" in importer.facts.cget("text")
    screenshot(importer, output_dir / "01_questions.png")

    importer.form.values["classes"].set("low, mid, high")
    importer.form.values["preprocessing"].set(SCALINGS[0])  # rescale: pixels / 255
    importer.install_button.invoke()
    assert importer.form.asked == ["classes", "preprocessing", "malignant"]  # non-standard names
    importer.form.values["malignant"].set("high")
    importer.install_button.invoke()
    app.pump(lambda: importer.installed is not None or importer.message.kind == "error", 60,
             "the model to be installed")
    assert importer.message.kind == "ok", importer.message.text
    assert "Installed notebook_cnn [notebook-cnn]" in importer.message.text
    assert "P(malignant)" in importer.message.text
    card = ModelRegistry().get("notebook-cnn")
    assert card.pixel_scaling == "rescale" and card.malignant_class_ids == ("high",)
    assert dialog.models.selected == "notebook-cnn" and row(dialog, "notebook-cnn")[1] == "yours"
    screenshot(importer, output_dir / "02_installed.png")

    importer.inspect(str(plain_model(tmp_path / "logits.keras", activation=None, units=2)))
    app.pump(lambda: importer.inspection is not None and importer.message.kind == "error", 60,
             "the logits model to be refused")
    assert "not probabilities" in importer.message.text
    broken = tmp_path / "broken.keras"
    broken.write_text("not a model")
    importer.inspect(str(broken))
    app.pump(lambda: importer.message.kind == "error" and "broken.keras" in importer.message.text,
             60, "the broken file to be refused")
    assert "cannot load the model file" in importer.message.text
    assert str(importer.install_button.cget("state")) == "disabled"
    importer.destroy()
