"""The diagnosis vocabulary shared by model import and evaluation.

Public dermoscopy datasets name their classes with the HAM10000 / ISIC
codes (``mel``, ``nv``, ``bcc``...), with words (``melanoma``,
``seborrheic_keratosis``) or just ``benign`` / ``malignant``. This module
maps all of those onto one code each, and says which codes are malignant.
"""

from __future__ import annotations

import re

#: Readable names of the HAM10000 / ISIC 2019 diagnosis codes.
CODE_NAMES: dict[str, str] = {
    "akiec": "Actinic keratosis / intraepithelial carcinoma",
    "bcc": "Basal cell carcinoma",
    "bkl": "Benign keratosis-like lesion",
    "df": "Dermatofibroma",
    "mel": "Melanoma",
    "nv": "Melanocytic nevus",
    "vasc": "Vascular lesion",
    "scc": "Squamous cell carcinoma",
    "benign": "Benign",
    "malignant": "Malignant",
}

#: Codes counted as malignant (akiec: intraepithelial carcinoma included, as in HAM10000).
MALIGNANT_CODES = frozenset({"mel", "bcc", "akiec", "scc", "malignant"})
BENIGN_CODES = frozenset({"nv", "bkl", "df", "vasc", "benign"})

_SYNONYMS: dict[str, str] = {
    "melanoma": "mel", "malignant_melanoma": "mel", "mm": "mel",
    "nevus": "nv", "naevus": "nv", "nevi": "nv", "naevi": "nv", "mole": "nv",
    "melanocytic_nevus": "nv", "melanocytic_naevus": "nv", "melanocytic_nevi": "nv",
    "nev": "nv",
    "seborrheic_keratosis": "bkl", "seborrhoeic_keratosis": "bkl", "sk": "bkl",
    "benign_keratosis": "bkl", "benign_keratosis_like_lesion": "bkl",
    "benign_keratosis_like_lesions": "bkl", "solar_lentigo": "bkl", "lentigo": "bkl",
    "lichen_planus_like_keratosis": "bkl", "bkl": "bkl",
    "basal_cell_carcinoma": "bcc", "basal_cell": "bcc",
    "actinic_keratosis": "akiec", "actinic_keratoses": "akiec", "ak": "akiec",
    "bowen": "akiec", "bowens_disease": "akiec", "intraepithelial_carcinoma": "akiec",
    "dermatofibroma": "df",
    "vascular_lesion": "vasc", "vascular_lesions": "vasc", "angioma": "vasc",
    "squamous_cell_carcinoma": "scc", "squamous_cell": "scc",
    "benign_lesion": "benign", "benign_lesions": "benign", "non_malignant": "benign",
    "malignant_lesion": "malignant", "malignant_lesions": "malignant", "cancer": "malignant",
}  # fmt: skip


def normalise_label(label: str) -> str:
    """Lower case, with runs of spaces, hyphens and punctuation as one underscore."""
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


def canonical_code(label: str) -> str | None:
    """The standard code of a label (``'Melanoma'`` -> ``'mel'``), or None if unknown."""
    key = normalise_label(label)
    if key in CODE_NAMES:
        return key
    return _SYNONYMS.get(key)


def is_malignant_label(label: str) -> bool | None:
    """True/False for a recognised label, None when the label is not recognised."""
    code = canonical_code(label)
    if code in MALIGNANT_CODES:
        return True
    if code in BENIGN_CODES:
        return False
    return None


def readable_name(label: str) -> str:
    """A readable name for a class label (the label itself when not recognised)."""
    code = canonical_code(label)
    return CODE_NAMES[code] if code else label
