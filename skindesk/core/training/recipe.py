"""A training recipe: which sources, views, caps and head settings.

Stored as JSON beside the trained model so anyone can see (and rerun) how
it was made. ``skindesk train DATASET`` builds a one-source recipe;
``skindesk train --recipe FILE`` reads a full one. Source paths in a file
are relative to the file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from skindesk.core.errors import UserError
from skindesk.core.training.head import HeadConfig
from skindesk.core.training.tune import TuneConfig
from skindesk.core.training.views import VIEWS


class RecipeError(UserError):
    """The recipe file is unreadable or inconsistent."""


@dataclass(frozen=True)
class SourceSpec:
    """One labelled source and how to use it."""

    path: str
    name: str | None = None
    views: tuple[str, ...] = ()          # augmented views of its training images
    cap: dict[str, int] | None = None    # max images per (split, class)
    val_fraction: float = 0.15
    holdout_fraction: float = 0.15


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a trained model."""

    sources: tuple[SourceSpec, ...]
    head: HeadConfig = field(default_factory=HeadConfig)
    label_map: dict[str, Any] = field(default_factory=dict)
    dedupe_by_id: bool = False           # drop images whose file stem an earlier source has
    temperature_scaling: bool = True
    target_sensitivity: float = 0.90
    threshold_sources: tuple[str, ...] = ()  # val sources for the threshold; () = all
    tune: TuneConfig | None = None       # also retrain the backbone's last block (see tune.py)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def _source(data: dict[str, Any], base: Path) -> SourceSpec:
    path = Path(data["path"]).expanduser()
    views = tuple(data.get("views", ()))
    unknown = [v for v in views if v not in VIEWS]
    if unknown:
        raise RecipeError(f"unknown view(s) {', '.join(unknown)}; choose from {', '.join(VIEWS)}")
    return SourceSpec(str(path if path.is_absolute() else (base / path).resolve()), data.get("name"),
                      views, data.get("cap"), float(data.get("val_fraction", 0.15)),
                      float(data.get("holdout_fraction", 0.15)))


def recipe_from_dict(data: dict[str, Any], base: Path) -> Recipe:
    """Parse a recipe (paths relative to ``base``)."""
    try:
        sources = tuple(_source(s, base) for s in data["sources"])
        head = HeadConfig(**data.get("head", {}))
        tune = TuneConfig(**data["tune"]) if data.get("tune") is not None else None
        if tune is not None and head.use_metadata:
            raise RecipeError("a recipe that tunes the last block cannot feed patient metadata to the head")
        return Recipe(sources, head, dict(data.get("label_map", {})), bool(data.get("dedupe_by_id", False)),
                      bool(data.get("temperature_scaling", True)), float(data.get("target_sensitivity", 0.90)),
                      tuple(data.get("threshold_sources", ())), tune)
    except (KeyError, TypeError, ValueError) as error:
        raise RecipeError(f"invalid training recipe: {error}") from None


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe JSON file."""
    file = Path(path).expanduser().resolve()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise RecipeError(f"cannot read recipe {file}: {error}") from None
    return recipe_from_dict(data, file.parent)
