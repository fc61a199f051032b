"""Choosing which images of a source to use, deterministically.

Large sources dominated by one class (naevi) cost feature-extraction time
without teaching much; capping images per class and split keeps every rare
class whole and takes a stable pseudo-random subset of the common ones.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

from skindesk.core.training.sources import TrainImage


def _rank(key: str) -> bytes:
    return hashlib.sha256(f"select:{key}".encode()).digest()


def cap_per_class(images: Sequence[TrainImage], cap: int | dict[str, int] | None) -> list[TrainImage]:
    """Keep at most ``cap`` images per (split, label), chosen by a stable hash; order kept.

    ``cap`` may be one number for every split or a number per split name.
    """
    if not cap:
        return list(images)
    buckets: dict[tuple[str, str], list[TrainImage]] = defaultdict(list)
    for image in images:
        buckets[(image.split, image.label)].append(image)
    kept: set[str] = set()
    for (split, _label), bucket in buckets.items():
        limit = cap.get(split, len(bucket)) if isinstance(cap, dict) else cap
        kept.update(i.key for i in sorted(bucket, key=lambda i: _rank(i.key))[:limit])
    return [i for i in images if i.key in kept]


def in_splits(images: Iterable[TrainImage], splits: Iterable[str]) -> list[TrainImage]:
    """Images whose split is one of ``splits``."""
    wanted = set(splits)
    return [i for i in images if i.split in wanted]


def without_stems(images: Iterable[TrainImage], stems: set[str]) -> list[TrainImage]:
    """Drop images whose file stem (e.g. ISIC id) is in ``stems``: duplicates across sources."""
    from pathlib import Path

    return [i for i in images if Path(i.path).stem not in stems]
