"""Choosing an operating threshold on an evaluation set and saving it to a card.

Thresholds are chosen on validation data, never on the test split that is
reported: a threshold tuned on the test images makes their sensitivity and
specificity look better than they will be.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import numpy as np

from skindesk import __version__
from skindesk.core.errors import ModelError, SettingsError
from skindesk.core.evaluation.binary import operating_point_summary
from skindesk.core.evaluation.metrics import youden_threshold
from skindesk.core.modelcard import ModelCard, write_card
from skindesk.core.operating_point import OperatingPoint, threshold_for_sensitivity
from skindesk.core.registry import ModelRegistry


def choose_threshold(
    scores: np.ndarray,
    malignant: np.ndarray,
    target_sensitivity: float | None = None,
    youden: bool = False,
) -> tuple[OperatingPoint, str] | None:
    """The threshold for a target sensitivity or by Youden's index, with its method.

    Returns:
        (point, method description), or None when neither was asked for.

    Raises:
        SettingsError: Both were asked for, or the data lacks a class.
    """
    if target_sensitivity is not None and youden:
        raise SettingsError("choose either --target-sensitivity or --youden, not both")
    if target_sensitivity is None and not youden:
        return None
    malignant = np.asarray(malignant).astype(bool)
    if malignant.all() or not malignant.any():
        raise SettingsError("choosing a threshold needs both malignant and benign images")
    if youden:
        return youden_threshold(scores, malignant), "Youden index (max sensitivity + specificity - 1)"
    if not 0.0 < target_sensitivity <= 1.0:  # type: ignore[operator]
        raise SettingsError("--target-sensitivity must lie in (0, 1], e.g. 0.9")
    point = threshold_for_sensitivity(scores, malignant, float(target_sensitivity))  # type: ignore[arg-type]
    return point, f"highest threshold with sensitivity >= {target_sensitivity:.2f}"


def choose_operating_point(
    scores: np.ndarray,
    malignant: np.ndarray,
    target_sensitivity: float | None = None,
    youden: bool = False,
) -> dict[str, Any] | None:
    """The chosen point as the report's ``operating_point``: method, threshold, CIs, counts.

    Raises:
        SettingsError: As :func:`choose_threshold`.
    """
    chosen = choose_threshold(scores, malignant, target_sensitivity, youden)
    if chosen is None:
        return None
    return operating_point_summary(chosen[0], chosen[1], scores, malignant)


def writable_card(model_id: str, registry: ModelRegistry | None = None) -> ModelCard:
    """The card of a model whose threshold may be changed (a user model).

    Raises:
        ModelError: The model is bundled (read-only) or not installed.
    """
    installed = {m.card.id: m for m in (registry or ModelRegistry()).installed()}
    if model_id not in installed:
        raise ModelError(f"model '{model_id}' is not installed")
    if installed[model_id].bundled:
        raise ModelError(
            f"model '{model_id}' is bundled with SkinDesk and read-only, so its threshold "
            "cannot be saved. Import a copy first (skindesk models import MODEL_FILE --id "
            "my-copy ...) and run skindesk evaluate --model my-copy --save-threshold"
        )
    return installed[model_id].card


def save_threshold(
    model_id: str,
    point: OperatingPoint,
    method: str,
    dataset: str,
    details: dict[str, Any] | None = None,
    registry: ModelRegistry | None = None,
) -> Path:
    """Write ``point`` as the operating threshold into a user model's card.

    Args:
        model_id: The model whose card to change.
        point: The chosen threshold with its sensitivity and specificity.
        method: How it was chosen (stored in the card).
        dataset: Which images it was chosen on (stored in the card).
        details: Extra fields for the card's threshold (CIs, AUC...).
        registry: Where to find the model (the default registry when None).

    Returns:
        The path of the card written.

    Raises:
        ModelError: The model is bundled (read-only) or not installed.
    """
    card = writable_card(model_id, registry)
    data = card.to_dict()
    data["threshold"] = {
        **point.to_dict(),
        "value": round(point.threshold, 6),
        "method": method,
        "dataset": dataset,
        **(details or {}),
        "chosen_on": datetime.date.today().isoformat(),
        "chosen_with": f"skindesk evaluate (SkinDesk {__version__})",
    }
    return write_card(data, card.folder)


def save_chosen_threshold(
    model_id: str, chosen: dict[str, Any], report: dict[str, Any],
    registry: ModelRegistry | None = None,
) -> Path:
    """Save an ``operating_point`` chosen on ``report``'s dataset into the model's card.

    The card records the method, the dataset (path, split, images analysed),
    the sensitivity and specificity with their 95% CIs and the dataset's AUC.

    Raises:
        ModelError: The model is bundled (read-only) or not installed.
    """
    counts = chosen["counts"]
    point = OperatingPoint(chosen["threshold"], chosen["sensitivity"], chosen["specificity"],
                           counts["malignant"], counts["benign"])
    details = {"sensitivity_ci": chosen["sensitivity_ci"],
               "specificity_ci": chosen["specificity_ci"],
               "roc_auc_on_dataset": report.get("roc_auc")}
    data = report["dataset"]
    split = f", split '{data['split']}'" if data.get("split") else ""
    described = (f"{data['path']}{split} ({counts['malignant'] + counts['benign']} images "
                 f"analysed: {counts['malignant']} malignant, {counts['benign']} benign)")
    return save_threshold(model_id, point, chosen["method"], described, details, registry)
