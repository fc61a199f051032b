"""The bundled default model on real dermoscopy images (sanity, not validation).

It was trained partly on HAM10000, so these numbers are optimistic; they
show the engine feeds the model correctly, not how good the model is (its
card holds the test-set numbers).
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from skindesk.core.imageio import load_image
from skindesk.core.metadata import PatientMetadata

pytestmark = pytest.mark.slow
SAMPLE = 16


def sample_files(folder, count=SAMPLE):
    files = sorted(folder.glob("*.jpg"))
    rng = np.random.default_rng(0)
    return [files[i] for i in sorted(rng.choice(len(files), size=count, replace=False))]


def p_malignant(engine, files):
    images = [load_image(f).rgb for f in files]
    return np.array([p.malignant_probability for p in engine.predict(images)])


def test_ham10000_melanomas_score_clearly_higher_than_naevi(default_engine, shared_data):
    images = shared_data / "ham10000" / "images"
    melanoma = p_malignant(default_engine, sample_files(images / "mel"))
    naevus = p_malignant(default_engine, sample_files(images / "nv"))
    print(f"HAM10000 mean P(malignant): mel {melanoma.mean():.3f}, nv {naevus.mean():.3f}")
    assert melanoma.mean() > naevus.mean() + 0.2


def test_ham10000_top_class_is_mostly_right_for_naevi_bcc_and_melanoma(default_engine, shared_data):
    images = shared_data / "ham10000" / "images"
    for dx in ("nv", "bcc", "mel"):
        tops = [p.top_class for p in default_engine.predict(
            [load_image(f).rgb for f in sample_files(images / dx)])]
        # Chance is 1/7; the default's class-balanced training calls some HAM10000 naevi
        # melanoma (its card's benign specificity), so "most" here means at least half.
        assert max(set(tops), key=tops.count) == dx and tops.count(dx) >= len(tops) / 2, (dx, tops)


def test_kaggle_malignant_folder_scores_higher_than_benign(default_engine, shared_data):
    test = shared_data / "kaggle_benign_malignant" / "test"
    malignant = p_malignant(default_engine, sample_files(test / "malignant"))
    benign = p_malignant(default_engine, sample_files(test / "benign"))
    print(f"Kaggle mean P(malignant): malignant {malignant.mean():.3f}, benign {benign.mean():.3f}")
    assert malignant.mean() > benign.mean() + 0.15


def test_same_image_gives_the_same_numbers(default_engine, shared_data):
    files = sample_files(shared_data / "ham10000" / "images" / "mel", 5)
    images = [load_image(f).rgb for f in files]
    first = default_engine.predict(images)
    again = default_engine.predict(images)
    assert [p.probabilities for p in first] == [p.probabilities for p in again]
    # Alone or in a batch: equal to float32 rounding (oneDNN picks kernels per batch size).
    alone = [default_engine.predict([img])[0] for img in images]
    for a, b in zip(alone, first):
        np.testing.assert_allclose(list(a.probabilities.values()),
                                   list(b.probabilities.values()), atol=1e-5)


def test_patient_metadata_reaches_the_model(shared_data):
    from skindesk.core.service import SkinDeskService

    ham_engine = SkinDeskService().engine("ham10000-xception")  # the model with a metadata input
    with open(shared_data / "ham10000" / "metadata.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["dx"] == "bkl" and r["age"] and r["localization"] == "face")
    rgb = load_image(shared_data / "ham10000" / "images" / "bkl" / f"{row['image_id']}.jpg").rgb
    unknown = ham_engine.predict([rgb])[0]
    known = ham_engine.predict(
        [rgb], PatientMetadata.create(age=row["age"], sex=row["sex"], site="face"))[0]
    assert known.probabilities != unknown.probabilities
    assert known.probabilities["bkl"] >= unknown.probabilities["bkl"] - 0.05


def test_engine_reports_its_device_and_timings(default_engine):
    device = default_engine.device()
    assert device.kind in ("CPU", "GPU") and device.description
    prediction = default_engine.predict([np.zeros((100, 100, 3), np.uint8)])[0]
    assert prediction.timings_ms["inference"] > 0
    assert prediction.model_sha256 == default_engine.card.sha256


def test_onnx_runtime_gives_the_keras_numbers_on_real_images(default_engine, shared_data,
                                                             monkeypatch):
    """The default runs on ONNX Runtime; TensorFlow on the same images agrees within 1e-4."""
    from skindesk.core.engine import InferenceEngine

    assert default_engine.card.onnx is not None
    assert default_engine.runtime == "onnx", "the bundled default should use its ONNX export"
    files = (sample_files(shared_data / "ham10000" / "images" / "mel", 4)
             + sample_files(shared_data / "kaggle_benign_malignant" / "test" / "benign", 4))
    images = [load_image(f).rgb for f in files]
    monkeypatch.setenv("SKINDESK_RUNTIME", "tensorflow")
    keras_engine = InferenceEngine(default_engine.card)
    for fast, slow in zip(default_engine.predict(images), keras_engine.predict(images)):
        assert keras_engine.runtime == "tensorflow"
        np.testing.assert_allclose(list(fast.probabilities.values()),
                                   list(slow.probabilities.values()), atol=1e-4)
        assert fast.top_class == slow.top_class and fast.flagged == slow.flagged
