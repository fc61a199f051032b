"""Model cards: the JSON file beside every model that says what it is.

A card records how to feed the model (input size, pixel scaling, metadata
inputs), how to read its output (classes, which are malignant, softmax or
sigmoid), where to look for Grad-CAM, the operating threshold on
P(malignant) and how it was chosen, the performance its authors reported,
and its provenance and licence. The engine refuses a model whose file does
not match the card's sha256.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skindesk.core.errors import ModelError
from skindesk.core.jsonfile import write_json_atomic

CARD_FILE_NAME = "card.json"
CARD_SCHEMA_VERSION = 1
PIXEL_SCALINGS = ("none", "rescale", "imagenet-caffe", "imagenet-torch", "minus-one-one")
OUTPUT_KINDS = ("softmax", "sigmoid")


@dataclass(frozen=True)
class ClassInfo:
    """One output class: its short id, readable name and benign/malignant group."""

    id: str
    name: str
    malignant: bool
    description: str = ""


@dataclass(frozen=True)
class Threshold:
    """The operating threshold on P(malignant) and how it was chosen."""

    value: float
    method: str = "default"
    dataset: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelCard:
    """A parsed, validated model card. ``folder`` is where the card file lives."""

    id: str
    name: str
    file: str
    sha256: str
    input_size: tuple[int, int]  # (height, width)
    pixel_scaling: str
    output: str
    classes: tuple[ClassInfo, ...]
    threshold: Threshold
    folder: Path
    version: str = ""
    architecture: str = ""
    resize: str = "bilinear"
    metadata_input: dict[str, Any] | None = None
    gradcam_layer: str | None = None
    training_data: str = ""
    reported_performance: dict[str, Any] = field(default_factory=dict)
    intended_use: str = ""
    limitations: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)
    license: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def model_path(self) -> Path:
        """Absolute path of the model file (or SavedModel folder)."""
        return self.folder / self.file

    @property
    def card_path(self) -> Path:
        """Absolute path of the card file."""
        return self.folder / CARD_FILE_NAME

    @property
    def class_ids(self) -> tuple[str, ...]:
        """Class ids in the order of the model's output."""
        return tuple(c.id for c in self.classes)

    @property
    def malignant_class_ids(self) -> tuple[str, ...]:
        """Ids of the classes counted towards P(malignant)."""
        return tuple(c.id for c in self.classes if c.malignant)

    @property
    def onnx(self) -> dict[str, Any] | None:
        """The card's ONNX export of the model (``file``, ``sha256``, how it was checked), or None."""
        value = self.raw.get("onnx")
        if isinstance(value, dict) and value.get("file") and value.get("sha256"):
            return value
        return None

    def class_name(self, class_id: str) -> str:
        """Readable name of a class id (the id itself if unknown)."""
        return next((c.name for c in self.classes if c.id == class_id), class_id)

    def to_dict(self) -> dict[str, Any]:
        """The card as JSON-ready data (the file's content, as loaded)."""
        return dict(self.raw)


def _require(data: dict[str, Any], key: str, where: Path) -> Any:
    if key not in data or data[key] in (None, ""):
        raise ModelError(f"model card {where} is missing the required field '{key}'")
    return data[key]


def _parse_classes(data: dict[str, Any], where: Path) -> tuple[ClassInfo, ...]:
    raw_classes = _require(data, "classes", where)
    classes = []
    for entry in raw_classes:
        if isinstance(entry, str):
            entry = {"id": entry}
        classes.append(
            ClassInfo(
                id=str(entry["id"]),
                name=str(entry.get("name", entry["id"])),
                malignant=bool(entry.get("malignant", False)),
                description=str(entry.get("description", "")).strip(),
            )
        )
    if len({c.id for c in classes}) != len(classes):
        raise ModelError(f"model card {where} lists a class id twice")
    return tuple(classes)


def _parse_threshold(data: dict[str, Any]) -> Threshold:
    raw = data.get("threshold")
    if raw is None:
        return Threshold(value=0.5, method="default (not validated)")
    if isinstance(raw, (int, float)):
        return Threshold(value=float(raw))
    details = {k: v for k, v in raw.items() if k not in ("value", "method", "dataset")}
    return Threshold(
        value=float(raw["value"]),
        method=str(raw.get("method", "")),
        dataset=str(raw.get("dataset", "")),
        details=details,
    )


def _validate(card: ModelCard, where: Path) -> None:
    if card.pixel_scaling not in PIXEL_SCALINGS:
        raise ModelError(
            f"model card {where}: unknown input preprocessing '{card.pixel_scaling}' "
            f"(expected one of {', '.join(PIXEL_SCALINGS)})"
        )
    if card.output not in OUTPUT_KINDS:
        raise ModelError(f"model card {where}: output must be 'softmax' or 'sigmoid'")
    if card.output == "sigmoid" and len(card.classes) != 2:
        raise ModelError(f"model card {where}: a sigmoid model needs exactly two classes")
    if not card.malignant_class_ids:
        raise ModelError(f"model card {where}: no class is marked malignant")
    if not 0.0 <= card.threshold.value <= 1.0:
        raise ModelError(f"model card {where}: threshold must lie between 0 and 1")


def parse_card(data: dict[str, Any], folder: Path) -> ModelCard:
    """Build a :class:`ModelCard` from card data; raise ModelError when invalid."""
    where = folder / CARD_FILE_NAME
    schema = int(data.get("schema_version", 1))
    if schema > CARD_SCHEMA_VERSION:
        raise ModelError(f"model card {where} uses a newer card format ({schema}); update SkinDesk")
    inp = _require(data, "input", where)
    size = inp.get("size")
    if not (isinstance(size, list) and len(size) == 2 and all(int(s) > 0 for s in size)):
        raise ModelError(f"model card {where}: input.size must be [height, width]")
    card = ModelCard(
        id=str(_require(data, "id", where)),
        name=str(data.get("name", data["id"])),
        file=str(_require(data, "file", where)),
        sha256=str(_require(data, "sha256", where)).lower(),
        input_size=(int(size[0]), int(size[1])),
        pixel_scaling=str(inp.get("preprocessing", "none")),
        resize=str(inp.get("resize", "bilinear")),
        output=str(data.get("output", "softmax")),
        classes=_parse_classes(data, where),
        threshold=_parse_threshold(data),
        folder=folder,
        version=str(data.get("version", "")),
        architecture=str(data.get("architecture", "")),
        metadata_input=data.get("metadata_input"),
        gradcam_layer=data.get("gradcam_layer"),
        training_data=str(data.get("training_data", "")),
        reported_performance=dict(data.get("reported_performance", {})),
        intended_use=str(data.get("intended_use", "")),
        limitations=tuple(data.get("limitations", ())),
        provenance=dict(data.get("provenance", {})),
        license=dict(data.get("license", {})),
        raw=data,
    )
    _validate(card, where)
    return card


def load_card(card_path: Path) -> ModelCard:
    """Read and validate the card at ``card_path`` (a ``card.json`` file)."""
    card_path = Path(card_path)
    try:
        data = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"model card not found: {card_path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError(f"model card {card_path} cannot be read: {error}") from None
    if not isinstance(data, dict):
        raise ModelError(f"model card {card_path} is not a JSON object")
    return parse_card(data, card_path.parent)


def write_card(data: dict[str, Any], folder: Path) -> Path:
    """Validate ``data`` and write it as ``folder/card.json``; return the path."""
    parse_card(data, Path(folder))
    path = Path(folder) / CARD_FILE_NAME
    write_json_atomic(path, data)
    return path
