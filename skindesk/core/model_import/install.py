"""Turning an inspected model plus the user's answers into an installed model.

:func:`plan_card` combines what the model tells (:mod:`.inspection`) with
the user's options and lists everything still unknown at once;
:func:`install_model` copies the file into the user's model folder, writes
the card and proves the model runs with a smoke prediction.
"""

from __future__ import annotations

import datetime
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skindesk import __version__, paths
from skindesk.core.diagnoses import is_malignant_label, readable_name
from skindesk.core.errors import ModelError, UserError
from skindesk.core.hashing import sha256_path
from skindesk.core.model_import.inspection import ModelInspection
from skindesk.core.model_import.loading import save_as_savedmodel
from skindesk.core.model_import.smoke import smoke_test
from skindesk.core.modelcard import PIXEL_SCALINGS, ModelCard, load_card, write_card
from skindesk.core.registry import ModelRegistry

DEFAULT_THRESHOLD_METHOD = "default (not validated): run skindesk evaluate --save-threshold"
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class MissingOptionsError(UserError):
    """The model does not tell everything the card needs; the message lists what to give.

    Attributes:
        fields: The :class:`ImportOptions` fields to give ('classes', 'malignant',
            'input_size', 'preprocessing'), in the message's order.
    """

    def __init__(self, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.fields = list(fields or [])


@dataclass
class ImportOptions:
    """What the user says about the model (None: infer it)."""

    name: str | None = None
    model_id: str | None = None
    classes: list[str] | None = None
    input_size: int | None = None
    preprocessing: str | None = None
    malignant: list[str] | None = None


def slug(text: str) -> str:
    """A folder-safe model id from a name or file name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64] or "model"


def _classes(inspection: ModelInspection, options: ImportOptions, missing: list[str]) -> list[str]:
    expected = 2 if inspection.output_kind == "sigmoid" else inspection.output_units
    if options.classes:
        if len(options.classes) != expected:
            raise ModelError(f"--classes names {len(options.classes)} classes but the model "
                             f"outputs {expected}")
        return options.classes
    if expected == 2:
        return ["benign", "malignant"]
    missing.append(f"--classes (the model has {expected} outputs: name them in output order)")
    return []


def _malignant(classes: list[str], options: ImportOptions, missing: list[str]) -> list[str]:
    if options.malignant:
        unknown = sorted(set(options.malignant) - set(classes))
        if unknown:
            raise ModelError(f"--malignant names {', '.join(unknown)}, not among the classes")
        return options.malignant
    verdicts = {c: is_malignant_label(c) for c in classes}
    if classes and None in verdicts.values():
        missing.append("--malignant (which classes count as malignant: "
                       f"{', '.join(c for c, v in verdicts.items() if v is None)} are not standard names)")
        return []
    return [c for c, v in verdicts.items() if v]


def _input_size(inspection: ModelInspection, options: ImportOptions, missing: list[str]) -> list[int]:
    if inspection.input_size:
        size = list(inspection.input_size)
        if options.input_size and [options.input_size] * 2 != size:
            raise ModelError(f"--input-size {options.input_size} but the model takes {size[0]}x{size[1]}")
        return size
    if options.input_size:
        return [options.input_size, options.input_size]
    missing.append("--input-size (the model accepts any size: give the size it was trained at)")
    return []


def _preprocessing(inspection: ModelInspection, options: ImportOptions, missing: list[str]) -> tuple[str, str]:
    if options.preprocessing:
        if options.preprocessing not in PIXEL_SCALINGS:
            raise ModelError(f"--preprocessing must be one of {', '.join(PIXEL_SCALINGS)}")
        return options.preprocessing, "given by the user at import"
    if inspection.preprocessing is None:
        missing.append(f"--preprocessing ({inspection.preprocessing_reason}; one of "
                       f"{', '.join(PIXEL_SCALINGS)})")
        return "", ""
    return inspection.preprocessing, f"inferred at import: {inspection.preprocessing_reason}"


def plan_card(inspection: ModelInspection, options: ImportOptions) -> dict[str, Any]:
    """The card data for the model (``file`` and ``sha256`` filled in at install).

    Raises:
        MissingOptionsError: Listing every option the model could not answer.
        ModelError: An option contradicts the model.
    """
    if inspection.output_kind is None:
        raise ModelError(f"{inspection.path.name}: {inspection.output_evidence}")
    missing: list[str] = []
    classes = _classes(inspection, options, missing)
    malignant = _malignant(classes, options, missing)
    size = _input_size(inspection, options, missing)
    scaling, scaling_note = _preprocessing(inspection, options, missing)
    if missing:
        raise MissingOptionsError(
            f"cannot import {inspection.path.name} without:\n  " + "\n  ".join(missing),
            [item.split(" ", 1)[0].lstrip("-").replace("-", "_") for item in missing])
    if classes and not malignant:
        raise ModelError("no class counts as malignant; say which with --malignant")
    if inspection.output_kind == "sigmoid" and len(malignant) != 1:
        raise ModelError("a sigmoid model has one malignant class and one benign class")
    name = options.name or inspection.path.stem
    model_id = options.model_id or slug(name)
    check_id_free(model_id)  # now, before the user is asked to confirm
    return {
        "schema_version": 1,
        "id": model_id,
        "name": name,
        "architecture": f"{inspection.architecture}; {inspection.parameters:,} parameters",
        "file": "",
        "sha256": "",
        "input": {"size": size, "channels": "RGB", "resize": "bilinear",
                  "preprocessing": scaling, "note": scaling_note},
        "output": inspection.output_kind,
        "classes": [{"id": c, "name": readable_name(c), "malignant": c in malignant} for c in classes],
        # A tf_keras model is installed as a SavedModel, which has no layers to look into.
        "gradcam_layer": None if inspection.legacy else inspection.gradcam_layer,
        "threshold": {"value": 0.5, "method": DEFAULT_THRESHOLD_METHOD},
        "intended_use": "Imported by the user; decision support only, not a diagnosis.",
        "limitations": [("Imported model: not validated by SkinDesk. Its threshold is the default "
                        "0.5 until chosen on validation images with skindesk evaluate "
                        "--target-sensitivity T --save-threshold.")],
        "provenance": {"imported_from": str(inspection.path), "output_evidence":
                       inspection.output_evidence, "imported_on": datetime.date.today().isoformat(),
                       "imported_with": f"SkinDesk {__version__}"},
    }


def check_id_free(model_id: str) -> Path:
    """The folder a new model ``model_id`` would go to; raise if the id is bad or taken."""
    if not _ID_PATTERN.match(model_id):
        raise ModelError(f"model id '{model_id}' must be lower-case letters, digits, '.', '_' "
                         "or '-' (up to 64), starting with a letter or digit")
    if model_id in {m.card.id for m in ModelRegistry().installed()}:
        raise ModelError(f"a model with id '{model_id}' is already installed; choose another --id")
    folder = paths.user_models_dir() / model_id
    if folder.exists():
        raise ModelError(f"{folder} already exists; choose another --id or remove it")
    return folder


def install_model(inspection: ModelInspection, card_data: dict[str, Any]) -> tuple[ModelCard, dict[str, Any]]:
    """Copy the model into the user's model folder, write its card, smoke-test it.

    Returns:
        (the installed card, the smoke prediction's result).

    Raises:
        ModelError: The id is taken or the model fails its smoke prediction
            (the folder is then removed again).
    """
    folder = check_id_free(card_data["id"])
    folder.mkdir(parents=True)
    try:
        if inspection.legacy:
            target = folder / "saved_model"
            save_as_savedmodel(inspection.model, target)
        else:
            target = folder / f"model{inspection.path.suffix.lower()}"
            shutil.copy2(inspection.path, target)
        data = {**card_data, "file": target.name, "sha256": sha256_path(target)}
        data["provenance"] = {**data.get("provenance", {}),
                              "original_sha256": sha256_path(inspection.path)}
        card = load_card(write_card(data, folder))
        return card, smoke_test(card)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave half a model behind
        raise
