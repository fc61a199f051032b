"""Turning cached features and labelled images into training arrays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from skindesk.core.evaluation.labelmap import infer_label_map
from skindesk.core.metadata import encode_metadata
from skindesk.core.modelcard import ModelCard
from skindesk.core.training.features import FeatureCache
from skindesk.core.training.sources import TrainImage


@dataclass
class Arrays:
    """Features, metadata, class indices and bookkeeping for one split."""

    features: np.ndarray        # (N, F) float32, or (N, 8, 8, 1024) block-13 maps
    metadata: np.ndarray        # (N, M) float32; M = 0 without a metadata input
    labels: np.ndarray          # (N,) int class index of the card
    malignant: np.ndarray       # (N,) bool
    sources: np.ndarray         # (N,) str: which source each row came from
    keys: list[str]

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask: np.ndarray) -> Arrays:
        """Rows where ``mask`` is true."""
        return Arrays(self.features[mask], self.metadata[mask], self.labels[mask],
                      self.malignant[mask], self.sources[mask], [k for k, m in zip(self.keys, mask) if m])

    @staticmethod
    def concat(parts: Sequence[Arrays]) -> Arrays:
        """All rows of ``parts`` in order."""
        return Arrays(np.concatenate([p.features for p in parts]), np.concatenate([p.metadata for p in parts]),
                      np.concatenate([p.labels for p in parts]), np.concatenate([p.malignant for p in parts]),
                      np.concatenate([p.sources for p in parts]), [k for p in parts for k in p.keys])


def class_targets(images: Sequence[TrainImage], card: ModelCard,
                  overrides: dict[str, Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Class index and malignancy of each image; labels without a model class raise."""
    targets = infer_label_map({i.label for i in images}, card, overrides)
    orphans = sorted(label for label, target in targets.items() if target.model_class is None)
    if orphans:
        from skindesk.core.evaluation.labelmap import LabelMapError

        raise LabelMapError(
            f"training needs a class of the model for every label; map {', '.join(orphans)} "
            f"with --label-map (e.g. '{{\"{orphans[0]}\": \"{card.class_ids[0]}\"}}')"
        )
    index = {c: i for i, c in enumerate(card.class_ids)}
    classes = {label: t.model_class for label, t in targets.items() if t.model_class is not None}
    labels = np.array([index[classes[i.label]] for i in images], dtype=np.int64)
    malignant = np.array([targets[i.label].malignant for i in images], dtype=bool)
    return labels, malignant


def build_arrays(cache: FeatureCache, set_name: str, view: str, set_images: Sequence[TrainImage],
                 wanted: Sequence[TrainImage], card: ModelCard, metadata_spec: dict[str, Any] | None,
                 overrides: dict[str, Any] | None = None, kind: str = "pooled") -> Arrays:
    """Rows of ``wanted`` (a subset of the cached ``set_images``) with ``view`` features.

    ``kind`` is "pooled" (feature vectors) or "block13" (the maps a tuned tail takes).

    Images whose features could not be extracted (unreadable files) are left out.
    """
    row_of = {image.key: row for row, image in enumerate(set_images)}
    done = np.load(cache.folder / f"{set_name}.{view}.done.npy")
    kept = [i for i in wanted if done[row_of[i.key]]]
    rows = np.array([row_of[i.key] for i in kept], dtype=np.int64)
    features = np.asarray(cache.load(set_name, view, kind)[np.sort(rows)], dtype=np.float32)
    features = features[np.argsort(np.argsort(rows))]  # back to the order of ``kept``
    metadata = (np.stack([encode_metadata(metadata_spec, i.meta) for i in kept]) if metadata_spec
                else np.zeros((len(kept), 0), dtype=np.float32))
    labels, malignant = class_targets(kept, card, overrides)
    return Arrays(features, metadata.astype(np.float32), labels, malignant,
                  np.array([i.source for i in kept]), [i.key for i in kept])
