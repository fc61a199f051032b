"""Patient metadata (age, sex, anatomical site) and its encoding for models.

Everything is optional: unknown is a valid value everywhere. The app speaks
one site vocabulary, the anatomical sites used by HAM10000 and the ISIC
archive; each model card says how those map onto the model's own inputs
(``metadata_input`` in the card), so models with different encodings plug
in without code changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from skindesk.core.errors import SettingsError

SEXES = ("female", "male")

#: The app's anatomical sites: HAM10000 ``localization`` values and the ISIC
#: archive's ``anatom_site_general`` values, in a clinician-friendly order.
SITES = (
    "scalp", "face", "ear", "neck", "head/neck",
    "chest", "abdomen", "back", "trunk", "anterior torso", "posterior torso", "lateral torso",
    "upper extremity", "hand", "lower extremity", "foot", "palms/soles", "acral",
    "genital", "oral/genital",
)  # fmt: skip

_SITE_ALIASES = {
    "head-neck": "head/neck", "head_neck": "head/neck", "head or neck": "head/neck",
    "torso": "trunk", "arm": "upper extremity", "leg": "lower extremity",
    "upper_extremity": "upper extremity", "lower_extremity": "lower extremity",
    "anterior_torso": "anterior torso", "posterior_torso": "posterior torso",
    "lateral_torso": "lateral torso", "oral_genital": "oral/genital",
    "palms_soles": "palms/soles",
}  # fmt: skip

MAX_AGE = 120


def normalise_site(value: str | None) -> str | None:
    """Return the app's spelling of an anatomical site, or None for unknown.

    Raises:
        SettingsError: the value is not a known site.
    """
    if value is None:
        return None
    key = " ".join(str(value).strip().lower().split())
    if key in ("", "unknown", "none", "n/a"):
        return None
    key = _SITE_ALIASES.get(key, _SITE_ALIASES.get(key.replace(" ", "_"), key))
    if key not in SITES:
        raise SettingsError(f"unknown anatomical site '{value}'; use one of: {', '.join(SITES)}")
    return key


def normalise_sex(value: str | None) -> str | None:
    """Return 'female', 'male' or None (unknown)."""
    if value is None:
        return None
    key = str(value).strip().lower()
    if key in ("", "unknown", "none", "n/a"):
        return None
    key = {"f": "female", "m": "male"}.get(key, key)
    if key not in SEXES:
        raise SettingsError(f"sex must be 'female', 'male' or left unknown, not '{value}'")
    return key


def normalise_age(value: float | str | None) -> float | None:
    """Return the age in years as a float, or None (unknown)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "unknown")):
        return None
    try:
        age = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"age must be a number of years, not '{value}'") from None
    if math.isnan(age) or not 0 <= age <= MAX_AGE:
        raise SettingsError(f"age must lie between 0 and {MAX_AGE} years, not {value}")
    return age


@dataclass(frozen=True)
class PatientMetadata:
    """Optional clinical context for one image. None means unknown."""

    age: float | None = None
    sex: str | None = None
    site: str | None = None

    @classmethod
    def create(cls, age: Any = None, sex: Any = None, site: Any = None) -> PatientMetadata:
        """Validate and normalise user-entered values (raises SettingsError)."""
        return cls(normalise_age(age), normalise_sex(sex), normalise_site(site))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (None for unknown)."""
        return {"age": self.age, "sex": self.sex, "site": self.site}


UNKNOWN = PatientMetadata()


def _encode_feature(feature: dict[str, Any], meta: PatientMetadata) -> list[float]:
    field_name = feature["field"]
    value = getattr(meta, field_name)
    encoding = feature["encoding"]
    if encoding == "one_hot":
        categories = feature["categories"]
        mapped = feature.get("map", {}).get(value, value) if value is not None else None
        chosen = mapped if mapped in categories else feature.get("unknown", "unknown")
        return [1.0 if c == chosen else 0.0 for c in categories]
    if encoding == "scaled":
        raw = feature["missing"] if value is None else value
        return [float(raw) / float(feature.get("scale", 1.0))]
    if encoding == "missing_flag":
        return [1.0 if value is None else 0.0]
    raise SettingsError(f"unknown metadata encoding '{encoding}' in a model card")


def metadata_width(spec: dict[str, Any]) -> int:
    """Number of values the model's metadata input expects."""
    return len(encode_metadata(spec, UNKNOWN))


def encode_metadata(spec: dict[str, Any], meta: PatientMetadata) -> np.ndarray:
    """Encode ``meta`` as the float32 vector described by a card's ``metadata_input``."""
    values: list[float] = []
    for feature in spec["features"]:
        values.extend(_encode_feature(feature, meta))
    return np.asarray(values, dtype=np.float32)
