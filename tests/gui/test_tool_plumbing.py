"""Parameter widgets' ranges, captions and start-up imports of the tool tabs (no display)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from skindesk.core.preprocess import STEP_TYPES
from skindesk.gui.param_specs import param_specs, relevant_specs, with_param
from skindesk.gui.pipeline_editor import CATALOGUE, PipelineEditor, complete
from skindesk.gui.presenters import heatmap_caption, preprocessing_line


@pytest.mark.parametrize("type_name", sorted(STEP_TYPES))
def test_every_slider_end_is_a_valid_parameter(type_name):
    step = STEP_TYPES[type_name]()
    for spec in param_specs(step):
        if spec.kind in ("int", "float"):
            for end in (spec.low, spec.high, (spec.low + spec.high) / 2):
                with_param(step, spec.name, spec.snap(end))  # the step's validate() agrees
        elif spec.kind == "choice":
            assert getattr(step, spec.name) in spec.choices
            for choice in spec.choices:
                with_param(step, spec.name, choice)


def test_snapping_rules():
    denoise = {s.name: s for s in param_specs(STEP_TYPES["denoise"]())}
    assert denoise["template_window"].snap(8.2) == 9  # kernel sizes stay odd
    assert denoise["h"].snap(7.26) == 7.5
    hair = {s.name: s for s in param_specs(STEP_TYPES["hair_removal"]())}
    assert [hair["kernel_size"].snap(v) for v in (0.4, 1.0, 2.0, 7.0)] == [0, 0, 3, 7]
    clahe = {s.name: s for s in param_specs(STEP_TYPES["clahe"]())}
    assert clahe["clip_limit"].display(2.0) == "2.0" and clahe["clip_limit"].snap(99) == 8


def test_denoise_shows_only_the_chosen_methods_parameters():
    names = [s.name for s in relevant_specs(STEP_TYPES["denoise"](method="median"))]
    assert names == ["method", "median_size"]


def test_editor_offers_the_whole_catalogue_and_tracks_changes():
    from skindesk.core.preprocess import get_preset

    editor = PipelineEditor(get_preset("none"))
    assert [type(s).type_name for s in editor.steps] == list(CATALOGUE)
    assert not any(s.enabled for s in editor.steps) and not editor.modified
    editor.set_enabled(4, True)
    assert editor.modified and editor.preset_label == "none (modified)"
    assert editor.pipeline.describe() == "CLAHE (clip 1.5)"
    standard = complete(get_preset("standard dermoscopy"))
    assert [s.enabled for s in standard] == [True] * 5 + [False]


def test_captions():
    assert preprocessing_line(None) == "Preprocessing: none"
    assert preprocessing_line({"applied": True, "description": "CLAHE (clip 2.0)"}) == (
        "Preprocessing: CLAHE (clip 2.0)")
    assert heatmap_caption(["Melanoma"], "jet") == (
        "Red areas influenced the model's score for Melanoma most. A heat map shows where "
        "the model looked, not why, and can be wrong.")
    assert heatmap_caption(["Melanoma"], "viridis").startswith("Yellow areas")
    assert heatmap_caption(["Melanoma"], "jet", "occlusion").startswith("Hiding the red areas")


def test_the_window_imports_no_engine_code_at_start_up():
    code = ("import sys, skindesk.gui.main_window; "
            "print(sorted(m for m in ('numpy', 'cv2', 'tensorflow', 'skindesk.core.preprocess', "
            "'skindesk.core.explain') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
