"""Helpers for the patient-history GUI tests: waiting, clicking, seeding records."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from skindesk.core.history import AnalysisInput, HistoryService
from tests.core.synthetic_lesions import dermoscopy_like, ellipse_mask
from tests.gui.fakes import FakeService


def wait_for_history(app: Any, timeout: float = 15.0) -> None:
    """Pump until every history call of the window has answered."""
    access = app.window.history.access
    app.pump(lambda: not access.busy, timeout, "the history to answer")
    app.pump(timeout=0.05)  # let the answers' redraws run


def double_click_row(tree: Any, iid: str) -> None:
    """Double-click a Treeview row as a user would (two quick clicks in its middle)."""
    tree.see(iid)
    tree.update()
    x, y, width, height = tree.bbox(iid)
    for _ in range(2):
        tree.event_generate("<ButtonPress-1>", x=x + width // 2, y=y + height // 2)
        tree.event_generate("<ButtonRelease-1>", x=x + width // 2, y=y + height // 2)
    tree.update()


def lesion_photo(path: Path, radius_fraction: float, seed: int) -> Path:
    """A dermoscopy-like PNG whose lesion has the given size (a fraction of the width)."""
    width, height = 480, 360
    mask = ellipse_mask(height, width, axes=(width * radius_fraction, width * radius_fraction * 0.8))
    rgb = dermoscopy_like(mask, seed=seed)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


def model_result(p_malignant: float) -> AnalysisInput:
    """A stored result of the fake model (as an earlier visit's analysis would be)."""
    rest = 1.0 - p_malignant
    return AnalysisInput(
        model_id="fake-model", model_sha256="0" * 64,
        probabilities={"mel": p_malignant, "nv": rest * 0.8, "bkl": rest * 0.2},
        top_class="mel" if p_malignant > 0.4 else "nv", malignant_probability=p_malignant,
        threshold=0.27, flagged=p_malignant >= 0.27,
        metadata={"age": 58.0, "sex": "female", "site": "back"})


def seed_followup(folder: Path) -> tuple[Any, Any]:
    """Patient MRN-F with lesion L1 seen at two visits (the lesion grew); returns (patient, lesion)."""
    with HistoryService() as history:
        patient = history.add_patient("MRN-F", "Fay Follow", "1966-02-03", "female")
        lesion = history.add_or_get_lesion(patient.id, "L1", "back")
        for when, size, p, diameter, colours, seed in (
                ("2023-09-12T10:30", 0.16, 0.18, 5.5, 2, 1),
                ("2024-03-14T11:00", 0.21, 0.41, 7.5, 3, 2)):
            visit = history.add_visit(patient.id, when, "Dr Lee", "mole check")
            image = lesion_photo(folder / f"visit-{seed}.png", size, seed)
            history.save_analysis(
                patient.id, image, model_result(p), visit_id=visit.id, lesion_id=lesion.id,
                measurements={"max_diameter_mm": diameter, "area_mm2": round(diameter ** 2 * 0.7, 1),
                              "colours": ["light brown", "dark brown", "black"][:colours]})
    return patient, lesion


class MeasuringService(FakeService):
    """The fake service with lesion measurements, as the real segmentation gives them."""

    def segment(self, rgb: np.ndarray, pixel_spacing: float | None = None) -> dict[str, Any]:
        from skindesk.core.measurements import measure_lesion

        report = super().segment(rgb)
        report["measurements"] = measure_lesion(report["_mask"], rgb, pixel_spacing).to_dict()
        return report


@contextlib.contextmanager
def tk_garbage_on_the_tk_thread() -> Iterator[None]:
    """Collect garbage only on the Tk (main) thread while the block runs.

    Closed dialogs linger in reference cycles. Were the garbage collector to
    run in a history worker, their tkinter Variables would call Tk from that
    thread; with the tests' ``update()`` loop instead of ``mainloop()`` Tk
    refuses ("main thread is not in main loop"). The running app's mainloop
    serves such calls, so only the tests need this.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
