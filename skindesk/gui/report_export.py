"""File ▸ Export PDF report…: the current analysis as the core's one-analysis PDF.

The report shows the result the clinician is looking at (not a fresh
analysis), with their assessment and note. The worker adds what the
result panel does not keep: the image the model saw, the lesion outline
and measurements, and a Grad-CAM overlay of the top class.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from tkinter import filedialog
from typing import TYPE_CHECKING, Any

import ttkbootstrap as ttk

from skindesk.core.errors import UserError
from skindesk.gui.tasks import Outcome

if TYPE_CHECKING:
    from skindesk.gui.main_window import MainWindow

log = logging.getLogger(__name__)

_AGREEMENT_WORDS = {"agree": "Agrees with the model", "disagree": "Disagrees with the model",
                    "unsure": "Unsure about the model's result"}


def assessment_text(assessment: Any, card: Any) -> str:
    """The clinician's agreement and own diagnosis in words ('' when not given)."""
    parts = []
    if assessment.agreement:
        parts.append(_AGREEMENT_WORDS.get(assessment.agreement, assessment.agreement))
    if assessment.diagnosis:
        diagnosis = assessment.diagnosis
        name = "other" if diagnosis == "other" else f"{card.class_name(diagnosis)} [{diagnosis}]"
        parts.append(f"clinician's diagnosis: {name}")
    return "; ".join(parts)


def write_report(service: Any, doc: Any, path: str | Path) -> Path:
    """Write the PDF of ``doc``'s result at ``path`` (worker thread); returns the path."""
    import numpy as np

    from skindesk.core.preprocess import Pipeline
    from skindesk.core.reports.single import AnalysisReport, write_single_report
    from skindesk.gui.report_header import report_settings

    result, prediction = doc.result, doc.prediction
    card = service.card(prediction.model_id)
    record = result.preprocessing or {}
    pipeline = Pipeline.from_dict(record["pipeline"]) if record.get("applied") else None
    # The picture the model saw: outline and overlay must match the result.
    model_rgb = service.model_input(np.asarray(doc.image.levels[0].convert("RGB")), pipeline)
    lesion, mask = _lesion(service, model_rgb)
    if lesion is not None:
        result = dataclasses.replace(result, lesion=lesion)
    explanation = service.explain(model_rgb, "gradcam", prediction.top_class, result.metadata)
    patient = {"Patient ID": doc.patient.identifier, "Clinical question": doc.patient.question}
    report = AnalysisReport(result=result, card=card, rgb=model_rgb,
                            overlay=explanation.overlay(model_rgb), method="Grad-CAM", mask=mask,
                            patient=patient, assessment=assessment_text(doc.assessment, card),
                            note=doc.assessment.note.strip())
    return write_single_report(path, report, report_settings())


def _lesion(service: Any, rgb: Any) -> tuple[dict[str, Any] | None, Any]:
    """The lesion's measurements and mask, when the service can outline it."""
    segment = getattr(service, "segment", None)
    if segment is None:
        return None, None
    found = dict(segment(rgb))
    mask = found.pop("_mask", None)
    found.pop("quality_warnings", None)  # the result has its own
    return (found, mask) if found.get("found") else (None, None)


class ReportExporter:
    """Export PDF report… for the main window's current image.

    Adds an "Export PDF report…" button to the result panel when it offers
    a place for actions. ``ask_save_path(initial_name)`` asks where to save;
    tests replace it to skip the dialog.
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.ask_save_path = self._ask_save_path
        self.last_saved: Path | None = None
        self.busy = False
        actions = getattr(window.ui.result_panel, "actions", None)
        self.button = None
        if actions is not None:
            self.button = ttk.Button(actions, text="Export PDF report…", command=self.export,
                                     bootstyle="secondary")
            self.button.pack(side="left")

    def export(self, path: str | None = None) -> bool:
        """Write the report of the current result; False when nothing was started."""
        window, doc = self.window, self.window.current
        if doc is None or doc.prediction is None or doc.image is None:
            window.errors.report(UserError("Analyse the image first: the report shows its result."))
            return False
        service = window.model.service
        if self.busy or service is None:
            window.root.bell()
            return False
        path = path or self.ask_save_path(f"{Path(doc.path).stem}-report.pdf")
        if not path:
            return False
        snapshot = dataclasses.replace(doc)  # later edits must not change a report being written
        self.busy = True
        window.ui.status.set_message(f"Writing {Path(path).name}…")
        window.runner.run_in_thread(lambda: write_report(service, snapshot, path), self._written,
                                    name="report-export")
        return True

    def _written(self, outcome: Outcome[Path]) -> None:
        self.busy = False
        if outcome.ok and outcome.value is not None:
            self.last_saved = outcome.value
            self.window.ui.status.set_message(f"Report saved: {outcome.value}")
        elif outcome.error is not None:
            self.window.ui.status.set_message("")
            self.window.errors.report(outcome.error, context="Report not written: ")

    def _ask_save_path(self, initial_name: str) -> str:
        doc = self.window.current
        chosen = filedialog.asksaveasfilename(
            parent=self.window.root, title="Export PDF report", defaultextension=".pdf",
            initialfile=initial_name, initialdir=str(Path(doc.path).parent) if doc else None,
            filetypes=[("PDF report", "*.pdf"), ("All files", "*")])
        return str(chosen) if chosen else ""
