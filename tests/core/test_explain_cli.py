"""``skindesk explain`` end to end on a tiny model installed in the user's model folder."""

from __future__ import annotations

import json

import cv2
import pytest

from skindesk import paths
from skindesk.cli import main
from tests.core.explain_models import build_quadrant_model, install, two_blob_image


@pytest.fixture
def quad_model():
    install(
        build_quadrant_model(), paths.user_models_dir() / "quad", "quad", gradcam_layer="conv_last"
    )
    return "quad"


@pytest.fixture
def image_file(tmp_path):
    path = tmp_path / "Läsion 1.png"
    _, data = cv2.imencode(".png", two_blob_image(48, 64)[..., ::-1])
    path.write_bytes(data.tobytes())
    return path


def run_json(capsys, *argv):
    code = main(["explain", *argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_explain_writes_overlay_and_heat_map(quad_model, image_file, tmp_path, capsys):
    overlay, heat = tmp_path / "overlay.png", tmp_path / "heat.png"

    code, report = run_json(
        capsys,
        str(image_file),
        "--model",
        quad_model,
        "--out",
        str(overlay),
        "--heatmap-out",
        str(heat),
        "--colormap",
        "turbo",
        "--opacity",
        "0.6",
    )

    assert code == 0
    assert report["method"] == "gradcam" and report["class"] == "lesion"
    assert report["model"]["id"] == "quad" and 0.5 < report["probability"] <= 1
    x, y = report["peak"]
    assert x < 32 and y < 24  # top-left of the 64×48 image
    assert report["outputs"] == {"overlay": str(overlay), "heatmap": str(heat)}
    assert cv2.imread(str(overlay)).shape == (48, 64, 3)
    assert cv2.imread(str(heat), cv2.IMREAD_UNCHANGED).shape == (48, 64)


def test_explain_another_class_with_another_method(quad_model, image_file, tmp_path, capsys):
    code, report = run_json(
        capsys,
        str(image_file),
        "--model",
        quad_model,
        "--class",
        "skin",
        "--method",
        "occlusion",
        "--patch",
        "8",
        "--stride",
        "4",
        "--out",
        str(tmp_path / "o.png"),
    )

    assert code == 0 and report["class"] == "skin" and report["method"] == "occlusion"
    x, y = report["peak"]
    assert x >= 32 and y >= 24


def test_human_readable_report(quad_model, image_file, tmp_path, capsys):
    code = main(
        [
            "explain",
            str(image_file),
            "--model",
            quad_model,
            "--method",
            "layercam",
            "--out",
            str(tmp_path / "o.png"),
        ]
    )

    out = capsys.readouterr().out
    assert code == 0 and "LayerCAM for 'Lesion'" in out and "Wrote overlay" in out


def test_list_methods(capsys):
    code, report = run_json(capsys, "--list-methods")

    assert code == 0
    assert [m["id"] for m in report["methods"]][:2] == ["gradcam", "gradcam++"]


@pytest.mark.parametrize(
    "extra, message",
    [
        ([], "needs an IMAGE and --out"),
        (["--out", "x.png", "--class", "nope"], "unknown class 'nope'"),
        (["--out", "x.png", "--colormap", "plaid"], "unknown colour map"),
        (["--out", "x.png", "--top-k", "4"], "--top-k is for scorecam"),
    ],
)
def test_usage_errors_exit_2(quad_model, image_file, capsys, extra, message):
    code = main(["explain", str(image_file), "--model", quad_model, *extra])

    assert code == 2 and message in capsys.readouterr().err
