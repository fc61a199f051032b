"""Labelled training images with their split and patient metadata.

A source is a folder per class or a labels CSV (the formats ``skindesk
evaluate`` reads). Its images are divided into ``train``, ``val`` and
``holdout``:

* a CSV with a ``split`` column keeps its own splits (``test`` becomes
  ``holdout``: it is never used to fit or choose anything);
* otherwise images are split by lesion id (by image when unknown) with a
  stable hash, so all images of one lesion land in the same split and the
  split never changes between runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from skindesk.core.errors import SettingsError
from skindesk.core.evaluation.dataset import (
    DatasetError,
    EvalDataset,
    _pick_column,
    _read_rows,
    load_dataset,
)
from skindesk.core.metadata import PatientMetadata, normalise_age, normalise_sex, normalise_site

SPLITS = ("train", "val", "holdout")
_SPLIT_ALIASES = {"train": "train", "training": "train", "val": "val", "valid": "val",
                  "validation": "val", "test": "holdout", "holdout": "holdout"}
_AGE_COLUMNS = ("age", "age_approx")
_SEX_COLUMNS = ("sex", "gender")
_SITE_COLUMNS = ("localization", "anatom_site_general", "site", "anatom_site_general_challenge")


@dataclass(frozen=True)
class TrainImage:
    """One labelled image assigned to a split."""

    path: str
    key: str
    label: str
    group: str
    split: str
    source: str
    meta: PatientMetadata = field(default_factory=PatientMetadata)


def hashed_split(group: str, val_fraction: float, holdout_fraction: float, salt: str = "") -> str:
    """Stable split for a lesion/image group: the same group always lands in the same split."""
    digest = hashlib.sha256(f"{salt}:{group}".encode()).digest()
    position = int.from_bytes(digest[:8], "little") / 2**64
    if position < holdout_fraction:
        return "holdout"
    if position < holdout_fraction + val_fraction:
        return "val"
    return "train"


def _metadata(row: dict[str, str], columns: list[str]) -> PatientMetadata:
    def value(candidates: tuple[str, ...]) -> str | None:
        column = _pick_column(columns, candidates)
        text = (row.get(column) or "").strip() if column else ""
        return text or None

    def tolerant(normalise, raw):  # unusual values ("unknown", "acral") mean unknown
        try:
            return normalise(raw)
        except SettingsError:
            return None

    return PatientMetadata(tolerant(normalise_age, value(_AGE_COLUMNS)),
                           tolerant(normalise_sex, value(_SEX_COLUMNS)),
                           tolerant(normalise_site, value(_SITE_COLUMNS)))


def load_source(path: str | Path, name: str | None = None, *, val_fraction: float = 0.15,
                holdout_fraction: float = 0.15) -> list[TrainImage]:
    """Read one labelled source and assign every image to a split.

    Raises:
        DatasetError: The source cannot be read or has no images.
    """
    dataset = load_dataset(path)
    source = Path(dataset.source)
    name = name or source_name(source)
    rows_by_stem, columns = _rows_by_image(source)
    split_col = _pick_column(columns, ("split", "subset", "partition"))
    images = []
    for item in dataset.images:
        stem = Path(item.path).stem
        row = rows_by_stem.get(stem, {})
        group = item.lesion_id or stem
        split = _SPLIT_ALIASES.get((row.get(split_col) or "").strip().lower()) if split_col else None
        if split is None:
            split = hashed_split(group, val_fraction, holdout_fraction, salt=name)
        key = f"{name}/{item.label}/{stem}"
        images.append(TrainImage(item.path, key, item.label, group, split, name,
                                 _metadata(row, columns) if row else PatientMetadata()))
    return images


def _rows_by_image(source: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    if not source.is_file():
        return {}, []
    rows, columns = _read_rows(source)
    id_col = _pick_column(columns, ("image_id", "image", "isic_id", "image_name", "id",
                                    "path", "filepath", "file_path", "file", "filename", "image_path"))
    if id_col is None:
        raise DatasetError(f"{source}: no image id or path column")
    return {Path((r.get(id_col) or "").strip()).stem: r for r in rows}, columns




def source_name(path: str | Path) -> str:
    """The default name of a source: a CSV's folder name, or the folder's own name."""
    source = Path(path).expanduser().resolve()
    return source.parent.name if source.is_file() else source.name


def keep_lesion_split(dataset: EvalDataset, split: str, *, val_fraction: float = 0.15,
                      holdout_fraction: float = 0.15) -> EvalDataset:
    """Only the images ``skindesk train`` assigns to ``split`` (same hash, same fractions).

    Lets ``skindesk evaluate --lesion-split holdout`` measure a trained model on
    exactly the lesions it never saw.
    """
    if split not in SPLITS:
        raise DatasetError(f"--lesion-split must be one of {', '.join(SPLITS)}, not '{split}'")
    salt = source_name(dataset.source)
    dataset.images = [i for i in dataset.images
                      if hashed_split(i.lesion_id or Path(i.path).stem, val_fraction, holdout_fraction,
                                      salt=salt) == split]
    dataset.split = f"{split} (by lesion)"
    if not dataset.images:
        raise DatasetError(f"no images fall in the '{split}' split of {dataset.source}")
    return dataset
