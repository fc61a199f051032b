"""Patient metadata: validation and encoding onto a model's inputs."""

from __future__ import annotations

import numpy as np
import pytest

from skindesk.core.errors import SettingsError
from skindesk.core.metadata import SITES, PatientMetadata, encode_metadata
from skindesk.core.registry import ModelRegistry


@pytest.fixture(scope="module")
def spec():
    return ModelRegistry().get("ham10000-xception").metadata_input


def test_unknown_everything_matches_the_models_training_convention(spec):
    vector = encode_metadata(spec, PatientMetadata())
    np.testing.assert_allclose(vector, [0, 0, 1, 0, 0, 0, 0, 1, 51.9018 / 90, 1], atol=1e-5)


@pytest.mark.parametrize(
    ("site", "slot"),
    [("upper extremity", 0), ("hand", 0), ("face", 1), ("scalp", 1), ("head/neck", 1),
     ("lower extremity", 2), ("genital", 2), ("back", 3), ("anterior torso", 3),
     ("acral", 4), (None, 4)],
)
def test_app_sites_map_onto_the_models_site_groups(spec, site, slot):
    vector = encode_metadata(spec, PatientMetadata.create(site=site))
    assert list(vector[3:8]) == [1.0 if i == slot else 0.0 for i in range(5)]


def test_known_age_and_sex(spec):
    vector = encode_metadata(spec, PatientMetadata.create(age=45, sex="female"))
    assert list(vector[:3]) == [1, 0, 0]
    assert vector[8] == pytest.approx(0.5) and vector[9] == 0


def test_every_app_site_is_mapped_or_deliberately_unknown(spec):
    site_feature = spec["features"][1]
    unmapped = set(SITES) - set(site_feature["map"])
    assert unmapped == {"palms/soles", "acral"}  # hand or foot: the model can't tell


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("age", "old", "number"), ("age", 150, "between"), ("sex", "x", "female"),
     ("site", "elbowpit", "unknown anatomical site")],
)
def test_bad_values_are_user_errors(field, value, message):
    with pytest.raises(SettingsError, match=message):
        PatientMetadata.create(**{field: value})


def test_aliases_and_unknowns_are_normalised():
    meta = PatientMetadata.create(age="", sex="M", site="Head-Neck")
    assert meta == PatientMetadata(age=None, sex="male", site="head/neck")
