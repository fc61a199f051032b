"""A scan with the bundled model on real dermoscopy images equals the engine's own results."""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest

from skindesk.cli import main
from skindesk.core.batch import FolderScan
from skindesk.core.imageio import load_image
from skindesk.core.metadata import PatientMetadata
from tests.core.batchdata import write_bad_files

pytestmark = [pytest.mark.slow, pytest.mark.realdata]
PER_CLASS = 3


@pytest.fixture(scope="module")
def real_folder(shared_data, tmp_path_factory):
    """21 HAM10000 images (3 per class, in class sub-folders) plus every kind of bad file."""
    folder = tmp_path_factory.mktemp("real-scan")
    for dx_folder in sorted((shared_data / "ham10000" / "images").iterdir()):
        for image in sorted(dx_folder.glob("*.jpg"))[:PER_CLASS]:
            (folder / dx_folder.name).mkdir(exist_ok=True)
            shutil.copy(image, folder / dx_folder.name / image.name)
    write_bad_files(folder / "zz_bad")
    return folder


def test_scan_equals_engine_predict_and_lists_bad_files(default_engine, real_folder):
    metadata = PatientMetadata.create(age=55, sex="female", site="back")
    job = FolderScan(real_folder, recursive=True, metadata=metadata)
    items = list(job.run())
    ok = [item for item in items if item.ok]
    assert len(ok) == 7 * PER_CLASS and len(items) == len(ok) + 7
    assert job.summary.analysed == 21 and len(job.summary.failures) == 6

    expected = default_engine.predict([load_image(item.path).rgb for item in ok], metadata)
    for item, prediction in zip(ok, expected):
        np.testing.assert_allclose(
            list(item.prediction.probabilities.values()),
            list(prediction.probabilities.values()),
            atol=1e-5,
        )
        assert item.prediction.top_class == prediction.top_class
        assert item.prediction.malignant_probability == pytest.approx(
            prediction.malignant_probability, abs=1e-5
        )


def test_cli_csv_has_a_column_per_class_of_the_real_model(default_engine, real_folder, tmp_path):
    out = tmp_path / "scan.csv"
    assert main(["scan", str(real_folder / "mel"), "--csv", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == PER_CLASS
    assert [c for c in rows[0] if c.startswith("p_") and c != "p_malignant"] == [
        f"p_{c}" for c in default_engine.card.class_ids
    ]
    assert all(r["model_id"] == default_engine.card.id for r in rows)
