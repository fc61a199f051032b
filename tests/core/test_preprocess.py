"""The preprocessing pipeline: running, JSON, presets, user presets, CLI, real images."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
import pytest

from skindesk import paths
from skindesk.cli import main
from skindesk.core.preprocess import (
    STEP_TYPES,
    BlackCornerMask,
    Clahe,
    Denoise,
    HairRemoval,
    Pipeline,
    PreprocessingError,
    ShadesOfGray,
    Step,
    get_preset,
    load_user_presets,
    preset_names,
    save_user_preset,
)
from tests.core.preprocess_images import dermatoscope, draw_hairs, skin_with_blob

# A non-default value for every parameter of every step type, so a round trip
# that dropped or mangled a field would show.
NON_DEFAULTS: dict[str, dict] = {
    "hair_removal": {
        "hair": "both",
        "kernel_size": 11,
        "threshold": 7.5,
        "min_length": 0.2,
        "dilate": 2,
        "inpaint_method": "ns",
        "inpaint_radius": 4.5,
    },
    "shades_of_gray": {"p": math.inf},
    "denoise": {
        "method": "median",
        "h": 3.0,
        "h_color": 4.0,
        "template_window": 5,
        "search_window": 11,
        "diameter": 9,
        "sigma_color": 25.0,
        "sigma_space": 4.0,
        "median_size": 5,
    },
    "clahe": {"clip_limit": 3.0, "tile_grid": 4},
    "resize": {"width": 320, "height": 240, "interpolation": "lanczos"},
    "center_crop": {"aspect": 1.3333333333333333, "scale": 0.9},
    "black_corner_mask": {
        "dark_threshold": 30.0,
        "min_dark_corners": 3,
        "margin": 0.04,
        "ring": 0.06,
        "feather": 0.0,
        "fill": "inpaint",
    },
}


@dataclasses.dataclass(kw_only=True)
class Explodes(Step):
    """A step that always fails (not registered: pipelines take any Step)."""

    label: ClassVar[str] = "exploding step"

    def apply(self, image: np.ndarray) -> np.ndarray:
        raise RuntimeError("kaboom")


@dataclasses.dataclass(kw_only=True)
class ReturnsFloat(Step):
    label: ClassVar[str] = "float step"

    def apply(self, image: np.ndarray) -> np.ndarray:
        return image.astype(np.float32)


def three_steps() -> Pipeline:
    return Pipeline([HairRemoval(), ShadesOfGray(p=6), Clahe(clip_limit=2.0)])


# --- running ---------------------------------------------------------------


def test_run_keeps_every_intermediate_in_order() -> None:
    pipeline = three_steps()
    image, _ = draw_hairs(skin_with_blob(), (40, 30, 25))
    results = pipeline.run(image, keep_intermediates=True)
    assert [step for step, _ in results] == pipeline.steps
    expected = image
    for step, intermediate in results:
        expected = step(expected)
        np.testing.assert_array_equal(intermediate, expected)
    np.testing.assert_array_equal(pipeline.run(image), results[-1][1])


def test_disabled_steps_are_skipped_but_kept() -> None:
    pipeline = three_steps()
    pipeline.steps[1].enabled = False
    results = pipeline.run(skin_with_blob(), keep_intermediates=True)
    assert [step.label for step, _ in results] == ["hair removal", "CLAHE"]
    assert len(pipeline.steps) == 3
    assert pipeline.describe() == "hair removal (dark) → CLAHE (clip 2.0)"


def test_an_empty_pipeline_returns_a_copy() -> None:
    image = skin_with_blob()
    result = Pipeline().run(image)
    np.testing.assert_array_equal(result, image)
    assert result is not image
    assert Pipeline().run(image, keep_intermediates=True) == []
    assert Pipeline().describe() == "no preprocessing"


@pytest.mark.parametrize(
    "step, message",
    [
        (Explodes(), "step 'exploding step' failed: kaboom"),
        (ReturnsFloat(), "step 'float step' failed: output must be a uint8 RGB image"),
    ],
)
def test_a_failing_step_is_named_in_the_error(step: Step, message: str) -> None:
    pipeline = Pipeline([ShadesOfGray(), step, Clahe()])
    with pytest.raises(PreprocessingError, match=message):
        pipeline.run(skin_with_blob())


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 10), np.uint8),
        np.zeros((10, 10, 4), np.uint8),
        np.zeros((10, 10, 3), np.float32),
        np.zeros((0, 10, 3), np.uint8),
        "image.png",
    ],
)
def test_input_that_is_not_uint8_rgb_is_refused(bad) -> None:
    with pytest.raises(PreprocessingError, match="input image"):
        three_steps().run(bad)


def test_describe_reads_like_a_recipe() -> None:
    assert three_steps().describe() == (
        "hair removal (dark) → shades of gray (p=6) → CLAHE (clip 2.0)"
    )


# --- JSON ------------------------------------------------------------------


def test_every_step_type_has_non_default_values_here() -> None:
    assert set(NON_DEFAULTS) == set(STEP_TYPES)


@pytest.mark.parametrize("type_name", sorted(STEP_TYPES))
@pytest.mark.parametrize("non_default", [False, True])
def test_json_round_trip_is_exact(type_name: str, non_default: bool) -> None:
    params = NON_DEFAULTS[type_name] if non_default else {}
    step = STEP_TYPES[type_name](**params, enabled=not non_default)
    pipeline = Pipeline([step, Clahe()])
    text = pipeline.to_json()
    again = Pipeline.from_json(text)
    assert again == pipeline
    assert again.to_json() == text
    assert again.fingerprint() == pipeline.fingerprint()
    assert json.loads(text)["steps"][0] == {
        "type": type_name,
        "params": step.params(),
        "enabled": not non_default,
    }


def test_json_layout_has_a_format_version() -> None:
    data = json.loads(three_steps().to_json())
    assert data["version"] == 1 and data["format"] == "skindesk-preprocessing"
    assert data["steps"][1] == {"type": "shades_of_gray", "params": {"p": 6.0}, "enabled": True}


def test_infinity_is_stored_as_a_json_string() -> None:
    text = Pipeline([ShadesOfGray(p=math.inf)]).to_json()
    assert '"p": "inf"' in text
    assert Pipeline.from_json(text).steps[0].p == math.inf


@pytest.mark.parametrize(
    "data, message",
    [
        ({"steps": [{"type": "sharpen", "params": {}}]}, "unknown step type 'sharpen'.*clahe"),
        ({"steps": [{"type": "clahe", "params": {"clip": 2}}]}, "unknown parameter.*clip"),
        (
            {"steps": [{"type": "clahe", "params": {"clip_limit": "high"}}]},
            "clip_limit must be float",
        ),
        ({"steps": [{"type": "clahe", "params": {"tile_grid": 0}}]}, "tile_grid must be between"),
        ({"steps": [{"type": "clahe", "enabled": "yes"}]}, "enabled must be bool"),
        ({"steps": [{"type": "clahe", "params": [2.0]}]}, "'params' must be an object"),
        ({"steps": ["clahe"]}, "must be an object with a 'type'"),
        ({"steps": [], "version": 99}, "version 99 is not supported"),
        ({"stages": []}, "'steps' list"),
    ],
)
def test_bad_pipeline_json_is_a_clear_error(data: dict, message: str) -> None:
    with pytest.raises(PreprocessingError, match=message):
        Pipeline.from_json(json.dumps(data))


def test_invalid_json_text_is_a_clear_error() -> None:
    with pytest.raises(PreprocessingError, match="not valid JSON"):
        Pipeline.from_json("{steps: ")


def test_fingerprint_is_sha256_of_canonical_json() -> None:
    pipeline = three_steps()
    canonical = json.dumps(pipeline.to_dict(), sort_keys=True, separators=(",", ":"))
    assert pipeline.fingerprint() == hashlib.sha256(canonical.encode()).hexdigest()
    changed = three_steps()
    changed.steps[2].clip_limit = 2.5
    assert changed.fingerprint() != pipeline.fingerprint()


# --- presets ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "standard dermoscopy",
        "Standard Dermoscopy",
        "standard-dermoscopy",
        "STANDARD_DERMOSCOPY",
        "standard",
        " standard  dermoscopy ",
    ],
)
def test_standard_preset_is_found_by_any_spelling(name: str) -> None:
    assert get_preset(name) == get_preset("standard dermoscopy")


def test_standard_preset_contents() -> None:
    pipeline = get_preset("standard")
    assert [type(step) for step in pipeline.steps] == [
        BlackCornerMask,
        HairRemoval,
        ShadesOfGray,
        Denoise,
        Clahe,
    ]
    assert pipeline.steps[1].hair == "dark" and pipeline.steps[2].p == 6
    assert pipeline.steps[3].method == "bilateral"  # NL-means is too slow for the budget


def test_none_preset_is_empty_and_presets_are_fresh_copies() -> None:
    assert get_preset("none").steps == []
    get_preset("standard").steps.clear()
    assert len(get_preset("standard").steps) == 5


def test_unknown_preset_lists_the_available_ones() -> None:
    with pytest.raises(PreprocessingError, match="'none', 'standard dermoscopy'"):
        get_preset("fancy")


def test_user_presets_are_saved_and_found(isolated_home: Path) -> None:
    assert load_user_presets() == {}
    save_user_preset("My Hairy Legs", Pipeline([HairRemoval(hair="both")]))
    save_user_preset("Colour only", Pipeline([ShadesOfGray(p=1)]))
    assert (paths.config_dir() / "presets.json").is_file()
    assert get_preset("my-hairy-legs").steps == [HairRemoval(hair="both")]
    assert preset_names() == ["none", "standard dermoscopy", "Colour only", "My Hairy Legs"]
    save_user_preset("my hairy legs", Pipeline())  # same name, other spelling: replaced
    assert sorted(load_user_presets()) == ["Colour only", "my hairy legs"]


def test_built_in_presets_cannot_be_overwritten() -> None:
    with pytest.raises(PreprocessingError, match="built-in"):
        save_user_preset("Standard", Pipeline())


def test_a_corrupt_presets_file_is_set_aside(caplog: pytest.LogCaptureFixture) -> None:
    path = paths.config_dir() / "presets.json"
    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load_user_presets() == {}
    assert not path.exists()
    assert path.with_name("presets.json.corrupt").read_text(encoding="utf-8") == "{not json"
    assert "unreadable" in caplog.text
    save_user_preset("fresh", Pipeline())  # and saving works again
    assert list(load_user_presets()) == ["fresh"]


def test_one_bad_user_preset_does_not_hide_the_others(caplog: pytest.LogCaptureFixture) -> None:
    save_user_preset("good", Pipeline([Clahe()]))
    path = paths.config_dir() / "presets.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["presets"]["future"] = {"steps": [{"type": "quantum_denoise"}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert list(load_user_presets()) == ["good"]
    assert "quantum_denoise" in caplog.text


# --- command line ----------------------------------------------------------


def write_png(path: Path, rgb: np.ndarray) -> Path:
    path.write_bytes(cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))[1].tobytes())
    return path


def read_png(path: Path) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def test_cli_writes_the_result_and_every_step(tmp_path: Path, capsys) -> None:
    image = dermatoscope()
    source = write_png(tmp_path / "lesion.png", image)
    out = tmp_path / "résultat ü" / "out.png"  # Unicode folder name
    steps = tmp_path / "steps"
    code = main(
        [
            "preprocess",
            str(source),
            "--preset",
            "standard",
            "--out",
            str(out),
            "--steps-out",
            str(steps),
        ]
    )
    assert code == 0
    np.testing.assert_array_equal(read_png(out), get_preset("standard").run(image))
    assert sorted(p.name for p in steps.iterdir()) == [
        "00-input.png",
        "01-black-corner-masking.png",
        "02-hair-removal.png",
        "03-shades-of-gray.png",
        "04-denoise.png",
        "05-clahe.png",
    ]
    assert "fingerprint" in capsys.readouterr().out


def test_cli_keeps_rgb_order(tmp_path: Path) -> None:
    red = np.zeros((20, 30, 3), np.uint8)
    red[..., 0] = 200
    source = write_png(tmp_path / "red.png", red)
    out = tmp_path / "out.png"
    assert main(["preprocess", str(source), "--preset", "none", "--out", str(out)]) == 0
    assert cv2.imread(str(out))[0, 0].tolist() == [0, 0, 200]  # BGR on disk
    np.testing.assert_array_equal(read_png(out), red)


def test_cli_takes_a_pipeline_as_json_text_or_file(tmp_path: Path) -> None:
    image = skin_with_blob()
    source = write_png(tmp_path / "in.png", image)
    pipeline = Pipeline([ShadesOfGray(p=1)])
    spec = tmp_path / "pipeline.json"
    spec.write_text(pipeline.to_json(), encoding="utf-8")
    for argument in (pipeline.to_json(indent=None), str(spec)):
        out = tmp_path / "out.png"
        assert main(["preprocess", str(source), "--pipeline", argument, "--out", str(out)]) == 0
        np.testing.assert_array_equal(read_png(out), pipeline.run(image))


def test_cli_lists_presets(capsys) -> None:
    save_user_preset("mine", Pipeline([Clahe()]))
    assert main(["preprocess", "--list-presets"]) == 0
    printed = capsys.readouterr().out
    assert "standard dermoscopy (built-in): black-corner masking → hair removal" in printed
    assert "mine (saved): CLAHE (clip 2.0)" in printed


@pytest.mark.parametrize(
    "arguments, message",
    [
        (
            ["--preset", "fancy", "--out", "o.png"],
            "no preprocessing preset called 'fancy'; available: 'none', 'standard dermoscopy'",
        ),
        (["--pipeline", "missing.json", "--out", "o.png"], "cannot read pipeline file"),
        (["--pipeline", '{"steps": [{"type": "x"}]}', "--out", "o.png"], "unknown step type"),
        (["--out", "o.png"], "one of --preset NAME or --pipeline"),
    ],
)
def test_cli_user_errors_exit_2(tmp_path: Path, capsys, arguments: list, message: str) -> None:
    source = write_png(tmp_path / "in.png", skin_with_blob())
    assert main(["preprocess", str(source), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_cli_reports_an_unreadable_image(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.png").write_text("not an image")
    code = main(
        [
            "preprocess",
            str(tmp_path / "notes.png"),
            "--preset",
            "none",
            "--out",
            str(tmp_path / "o.png"),
        ]
    )
    assert code == 2 and "not an image" in capsys.readouterr().err


# --- real images -----------------------------------------------------------


@pytest.mark.realdata
def test_standard_preset_on_real_melanoma_images(shared_data: Path, output_dir: Path) -> None:
    folder = shared_data / "ham10000" / "images" / "mel"
    # The first has hairs and black corners; the others are the first two files.
    names = ["ISIC_0033687.jpg", *sorted(p.name for p in folder.glob("*.jpg"))[:2]]
    pipeline = get_preset("standard dermoscopy")
    for name in names:
        image = read_png(folder / name)  # imdecode reads JPEG too
        result = pipeline.run(image)
        assert result.shape == image.shape and result.dtype == np.uint8
        assert np.abs(result.astype(int) - image).mean() > 2
        side_by_side = np.hstack([image, result])
        write_png(output_dir / f"{Path(name).stem}-before-after.png", side_by_side)
