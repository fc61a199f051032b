"""Selecting a recipe's images and turning their cached features into arrays."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skindesk.core.modelcard import ModelCard
from skindesk.core.training.arrays import Arrays, build_arrays
from skindesk.core.training.backbone import Backbone
from skindesk.core.training.features import FeatureCache, extract_features
from skindesk.core.training.recipe import Recipe
from skindesk.core.training.selection import cap_per_class, in_splits, without_stems
from skindesk.core.training.sources import TrainImage, load_source

StageProgress = Callable[[str, int, int], None]


@dataclass
class SourceImages:
    """One source's images: those cached (train + val, capped) and its hold-out."""

    name: str
    views: tuple[str, ...]
    cached: list[TrainImage]
    holdout: list[TrainImage]

    @property
    def train(self) -> list[TrainImage]:
        """Training images."""
        return in_splits(self.cached, ("train",))


def select_images(recipe: Recipe) -> list[SourceImages]:
    """Every source's images, split, capped and (optionally) without cross-source duplicates."""
    selected: list[SourceImages] = []
    seen: set[str] = set()
    for spec in recipe.sources:
        images = load_source(spec.path, spec.name, val_fraction=spec.val_fraction,
                             holdout_fraction=spec.holdout_fraction)
        if recipe.dedupe_by_id:
            images = without_stems(images, seen)
            seen.update(Path(i.path).stem for i in images)
        name = images[0].source if images else (spec.name or Path(spec.path).stem)
        cached = cap_per_class(in_splits(images, ("train", "val")), spec.cap)
        selected.append(SourceImages(name, spec.views, cached, in_splits(images, ("holdout",))))
    return selected


def cache_all(backbone: Backbone, cache: FeatureCache, sources: list[SourceImages],
              on_progress: StageProgress | None = None, with_block13: bool = False) -> None:
    """Extract (or reuse) the original view of every cached image, then the augmented views.

    ``with_block13`` also caches block 13's maps, for a recipe that tunes block 14.
    """
    jobs = [(s.name, s.cached, "orig") for s in sources]
    jobs += [(f"{s.name}-train", s.train, view) for s in sources for view in s.views]
    for name, images, view in jobs:
        if not images:
            continue
        stage = f"features {name} ({view})"
        progress = (lambda d, t, s=stage: on_progress(s, d, t)) if on_progress else None
        extract_features(backbone, cache, name, [i.path for i in images], [i.key for i in images], view,
                         with_block13=with_block13, on_progress=progress)


def training_arrays(cache: FeatureCache, sources: list[SourceImages], card: ModelCard,
                    metadata_spec: dict[str, Any] | None, label_map: dict[str, Any],
                    kind: str = "pooled") -> tuple[Arrays, Arrays]:
    """(train, val): train has every view of the training images, val only the originals."""
    train_parts, val_parts = [], []
    for s in sources:
        if s.train:
            train_parts.append(build_arrays(cache, s.name, "orig", s.cached, s.train, card, metadata_spec,
                                            label_map, kind))
            for view in s.views:
                train_parts.append(build_arrays(cache, f"{s.name}-train", view, s.train, s.train, card,
                                                metadata_spec, label_map, kind))
        val = in_splits(s.cached, ("val",))
        if val:
            val_parts.append(build_arrays(cache, s.name, "orig", s.cached, val, card, metadata_spec,
                                          label_map, kind))
    if not train_parts or not val_parts:
        from skindesk.core.errors import UserError

        raise UserError("training needs images in both the train and the val split")
    return Arrays.concat(train_parts), Arrays.concat(val_parts)
