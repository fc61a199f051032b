"""``skindesk evaluate`` with the bundled model on real ISIC 2017 validation images."""

from __future__ import annotations

import json

import pytest

from skindesk.cli import main


@pytest.mark.slow
@pytest.mark.realdata
def test_isic2017_val_subset_gives_a_sane_report(shared_data, tmp_path):
    from skindesk.core.registry import ModelRegistry

    out = tmp_path / "isic2017_val.json"
    code = main(["evaluate", str(shared_data / "isic2017" / "labels.csv"), "--split", "val",
                 "--model", "ham10000-xception", "--limit", "60", "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    assert report["n"] == 60 and report["dataset"]["n_failed"] == 0
    assert set(report["dataset"]["label_counts"]) <= {"mel", "nv", "bkl"}
    assert report["counts"]["malignant"] == report["dataset"]["label_counts"]["mel"]
    low, high = report["roc_auc_ci"]
    assert 0.0 <= low <= report["roc_auc"] <= high <= 1.0
    assert 0.0 <= report["ece"] <= 1.0
    assert report["threshold"] == ModelRegistry().get("ham10000-xception").threshold.value
    assert set(report["per_class"]) == set(report["confusion_matrix"]["labels"]) <= {"mel", "nv", "bkl"}
    assert sum(map(sum, report["confusion_matrix"]["matrix"])) + sum(
        report["confusion_matrix"]["predicted_other_class"]) == 60
    assert "On these 60 images, the model found" in report["summary"]
