"""Mapping a dataset's labels onto a model's classes and onto benign/malignant.

Standard names are inferred (HAM10000/ISIC codes, ``benign``/``malignant``
and common synonyms such as ``melanoma`` or ``seborrheic_keratosis``);
anything else is set with a JSON map, e.g.
``{"lentigo_maligna": "mel", "other": {"class": null, "malignant": false}}``.
A label that is not a class of the model (``scc`` for a 7-class HAM model)
still counts for the benign/malignant metrics, just not for per-class ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skindesk.core.diagnoses import canonical_code, is_malignant_label
from skindesk.core.errors import UserError
from skindesk.core.modelcard import ModelCard


class LabelMapError(UserError):
    """A dataset label cannot be mapped, or the --label-map is malformed."""


@dataclass(frozen=True)
class LabelTarget:
    """What one dataset label means for the model.

    Attributes:
        model_class: The model's class id, or None when the model has no such class.
        malignant: Whether images with this label count as malignant.
    """

    model_class: str | None
    malignant: bool


def parse_label_map(text: str) -> dict[str, Any]:
    """Read ``--label-map``: a JSON file's path or inline JSON (an object)."""
    candidate = Path(text).expanduser()
    try:
        raw = candidate.read_text(encoding="utf-8") if candidate.is_file() else text
        data = json.loads(raw)
    except (OSError, json.JSONDecodeError) as error:
        raise LabelMapError(f"--label-map is neither a JSON file nor JSON: {error}") from None
    if not isinstance(data, dict):
        raise LabelMapError("--label-map must be a JSON object: {\"dataset label\": \"model class\"}")
    return data


def infer_label_map(
    labels: Iterable[str], card: ModelCard, overrides: dict[str, Any] | None = None
) -> dict[str, LabelTarget]:
    """Map every dataset label; raise naming the labels that need ``--label-map``."""
    overrides = overrides or {}
    result: dict[str, LabelTarget] = {}
    unknown = []
    for label in sorted(set(labels)):
        target = _from_override(overrides[label], card) if label in overrides else _infer(label, card)
        if target is None:
            unknown.append(label)
        else:
            result[label] = target
    if unknown:
        classes = ", ".join(card.class_ids)
        raise LabelMapError(
            f"cannot tell what the dataset label(s) {', '.join(unknown)} mean; map them with "
            f"--label-map '{{\"{unknown[0]}\": \"<class of the model: {classes}>\" or "
            f"\"benign\"/\"malignant\"}}'"
        )
    return result


def _model_class_for(label: str, card: ModelCard) -> str | None:
    if label in card.class_ids:
        return label
    code = canonical_code(label)
    if code is None:
        return None
    by_code = {canonical_code(c.id) or c.id: c.id for c in card.classes}
    for model_class in card.classes:  # a readable name may be standard where the id is not
        name_code = canonical_code(model_class.name)
        if name_code and name_code not in by_code:
            by_code[name_code] = model_class.id
    if code in by_code:
        return by_code[code]
    # A benign-vs-malignant model: every diagnosis maps onto one of its two classes.
    malignant = is_malignant_label(label)
    if malignant is not None and set(by_code) == {"benign", "malignant"}:
        return by_code["malignant" if malignant else "benign"]
    return None


def _infer(label: str, card: ModelCard) -> LabelTarget | None:
    model_class = _model_class_for(label, card)
    malignant = is_malignant_label(label)
    if malignant is None and model_class is not None:
        malignant = model_class in card.malignant_class_ids
    return None if malignant is None else LabelTarget(model_class, malignant)


def _from_override(value: Any, card: ModelCard) -> LabelTarget:
    if isinstance(value, str):
        target = _infer(value, card)
        if target is None:
            raise LabelMapError(
                f"--label-map: '{value}' is neither a class of the model "
                f"({', '.join(card.class_ids)}) nor 'benign'/'malignant'"
            )
        return target
    if isinstance(value, dict) and isinstance(value.get("malignant"), bool):
        model_class = value.get("class")
        if model_class is not None and model_class not in card.class_ids:
            raise LabelMapError(f"--label-map: the model has no class '{model_class}'")
        return LabelTarget(model_class, value["malignant"])
    raise LabelMapError(
        f"--label-map: cannot read {value!r}; use a class id, 'benign', 'malignant' "
        "or {\"class\": ID or null, \"malignant\": true/false}"
    )
