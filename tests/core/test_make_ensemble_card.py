"""``scripts/make_ensemble.py``'s card: what it says about the networks it joins (no model run).

The script's end-to-end test (in test_training_endtoend.py) runs a joined
model through the engine; this checks the card it starts from, whose words a
clinician reads in the Model card tab and the PDFs.
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace

import pytest

from tests.core.scripts_loader import load_script


@pytest.fixture(scope="module")
def make_ensemble() -> ModuleType:
    return load_script("make_ensemble")


def _member(model_id: str, limitation: str) -> SimpleNamespace:
    return SimpleNamespace(id=model_id, sha256=model_id[0] * 64,
                           raw={"architecture": f"{model_id} network", "limitations": [limitation, "second"]})


TRAINED = {"id": "own", "file": "model.keras", "architecture": "EfficientNet-Lite2", "gradcam_layer": "top_relu6",
           "limitations": ["Trained on dermoscopy only."], "provenance": {"trained_with": "skindesk train"},
           "reported_performance": {"roc_auc": 0.9}, "holdout": {"n": 3}, "onnx": {"file": "model.onnx"},
           "threshold": {"value": 0.2}}


def test_every_network_gets_an_equal_weight_and_the_members_are_pinned_by_hash(make_ensemble) -> None:
    card = make_ensemble.ensemble_card(TRAINED, [_member("alpha", "A."), _member("beta", "B.")], "trio", "Trio")
    assert card["id"] == "trio" and card["name"] == "Trio"
    assert card["ensemble"] == {"weight": 0.333333, "members": [
        {"model": "alpha", "sha256": "a" * 64, "weight": 0.333333},
        {"model": "beta", "sha256": "b" * 64, "weight": 0.333333}]}
    assert card["architecture"].startswith("Ensemble, the mean of 3 networks' class probabilities")
    assert "'beta': beta network" in card["architecture"]
    assert card["provenance"]["ensemble_of"] == ["own", "alpha", "beta"]
    assert card["provenance"]["trained_with"] == "skindesk train"


def test_grad_cam_points_into_the_own_network_and_each_members_limits_are_named(make_ensemble) -> None:
    card = make_ensemble.ensemble_card(TRAINED, [_member("alpha", "Weak on acral skin.")], "pair", "Pair")
    assert card["gradcam_layer"] == f"{make_ensemble.OWN_NETWORK}/top_relu6"
    assert card["limitations"] == ["Trained on dermoscopy only.",
                                   ("50% of the output comes from 'alpha', whose limitations apply too: "
                                    "Weak on acral skin.")]


def test_numbers_of_the_single_network_are_not_carried_over(make_ensemble) -> None:
    card = make_ensemble.ensemble_card(TRAINED, [_member("alpha", "A.")], "pair", "Pair")
    assert not {"reported_performance", "holdout", "onnx"} & set(card)
    assert TRAINED["reported_performance"] == {"roc_auc": 0.9}  # the trained card itself is untouched
