"""Labelled image sets to evaluate a model on: a folder per class, or a CSV.

Folder layout: ``DATASET/<label>/**/image.jpg`` (``benign/``, ``malignant/``
or diagnosis codes ``mel/``, ``nv/``...). CSV layout: one row per image with
a path column (``path``, ``file``...) or an image id column (``image_id``,
as in HAM10000's ``metadata.csv`` and ISIC's ``labels.csv``) resolved to
``<image_id>.jpg|png`` under the CSV's ``images/`` folder (or its own
folder), a label column (``label``, ``dx``...) and optionally ``lesion_id``
and ``split``. Rows whose image is not found are kept as failures, never
fatal: one missing file must not stop an evaluation of hundreds.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skindesk.core.errors import UserError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".dcm")
_PATH_COLUMNS = ("path", "filepath", "file_path", "file", "filename", "image_path")
_ID_COLUMNS = ("image_id", "image", "isic_id", "image_name", "id")
_LABEL_COLUMNS = ("label", "dx", "diagnosis", "class", "target", "benign_malignant")
_LESION_COLUMNS = ("lesion_id",)


class DatasetError(UserError):
    """The dataset cannot be read or has no usable images."""


@dataclass(frozen=True)
class LabelledImage:
    """One image of the dataset with its label and (when known) its lesion."""

    path: str
    label: str
    lesion_id: str | None = None


@dataclass
class EvalDataset:
    """The images to evaluate on, plus rows that could not be resolved to files."""

    source: Path
    images: list[LabelledImage]
    missing: list[dict[str, str]] = field(default_factory=list)
    split: str | None = None

    @property
    def has_lesions(self) -> bool:
        """True when every image has a lesion id (so per-lesion metrics are possible)."""
        return bool(self.images) and all(i.lesion_id for i in self.images)

    def label_counts(self) -> dict[str, int]:
        """Images per label, labels sorted."""
        return dict(sorted(Counter(i.label for i in self.images).items()))

    def describe(self) -> str:
        """A one-line description, e.g. for the card's threshold ``dataset`` field."""
        counts = ", ".join(f"{n} {label}" for label, n in self.label_counts().items())
        split = f", split '{self.split}'" if self.split else ""
        return f"{self.source}{split} ({len(self.images)} images: {counts})"


def load_dataset(path: str | Path, split: str | None = None, limit: int | None = None) -> EvalDataset:
    """Read a folder-per-class dataset or a labels CSV.

    Args:
        path: A folder with one subfolder per label, or a CSV file.
        split: Keep only CSV rows whose ``split`` column equals this.
        limit: Keep a fixed pseudo-random subset of this many images (seed 0),
            in the original order: for quick checks.

    Raises:
        DatasetError: The path is missing, has no labelled images, or the
            split is not available.
    """
    source = Path(path).expanduser().resolve()
    if source.is_dir():
        if split:
            raise DatasetError("--split needs a CSV with a 'split' column, not a folder")
        dataset = _load_folder(source)
    elif source.is_file():
        dataset = _load_csv(source, split)
    else:
        raise DatasetError(f"dataset not found: {source}")
    if not dataset.images:
        raise DatasetError(f"no labelled images found in {source}")
    return limit_dataset(dataset, limit)


def limit_dataset(dataset: EvalDataset, limit: int | None) -> EvalDataset:
    """Keep a fixed pseudo-random subset of ``limit`` images (seed 0), in the original order."""
    if limit is not None and 0 < limit < len(dataset.images):
        keep = np.sort(np.random.default_rng(0).permutation(len(dataset.images))[:limit])
        dataset.images = [dataset.images[i] for i in keep]
    return dataset


def _is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def _load_folder(folder: Path) -> EvalDataset:
    images: list[LabelledImage] = []
    for class_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in class_dir.rglob("*") if _is_image(p))
        images.extend(LabelledImage(str(f), class_dir.name) for f in files)
    if not images:
        raise DatasetError(
            f"{folder} has no class subfolders with images (expected e.g. benign/ and malignant/)"
        )
    return EvalDataset(folder, images)


def _pick_column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[c] for c in candidates if c in lowered), None)


def _read_rows(csv_path: Path) -> tuple[list[dict[str, str]], list[str]]:
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            return rows, list(reader.fieldnames or [])
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"cannot read {csv_path}: {error}") from None


def _load_csv(csv_path: Path, split: str | None) -> EvalDataset:
    rows, columns = _read_rows(csv_path)
    path_col = _pick_column(columns, _PATH_COLUMNS)
    id_col = None if path_col else _pick_column(columns, _ID_COLUMNS)
    label_col = _pick_column(columns, _LABEL_COLUMNS)
    if label_col is None or (path_col or id_col) is None:
        raise DatasetError(
            f"{csv_path}: need a label column ({', '.join(_LABEL_COLUMNS)}) and a path "
            f"({', '.join(_PATH_COLUMNS)}) or image id column ({', '.join(_ID_COLUMNS)}); "
            f"found {', '.join(columns) or 'no header'}"
        )
    rows = _filter_split(rows, columns, split, csv_path)
    lesion_col = _pick_column(columns, _LESION_COLUMNS)
    index = None if path_col else _index_images(csv_path.parent)
    dataset = EvalDataset(csv_path, [], split=split)
    for row in rows:
        label = (row.get(label_col) or "").strip()
        key = (row.get(path_col or id_col or "") or "").strip()
        if not label or not key:
            continue
        found = _resolve(csv_path.parent, key, index)
        if found is None:
            dataset.missing.append({"path": key, "error": "image file not found"})
            continue
        lesion = (row.get(lesion_col) or "").strip() if lesion_col else ""
        dataset.images.append(LabelledImage(str(found), label, lesion or None))
    return dataset


def _filter_split(
    rows: list[dict[str, str]], columns: list[str], split: str | None, csv_path: Path
) -> list[dict[str, str]]:
    if not split:
        return rows
    split_col = _pick_column(columns, ("split", "subset", "partition"))
    if split_col is None:
        raise DatasetError(f"--split given but {csv_path} has no 'split' column")
    kept = [r for r in rows if (r.get(split_col) or "").strip().lower() == split.lower()]
    if not kept:
        available = sorted({(r.get(split_col) or "").strip() for r in rows} - {""})
        raise DatasetError(f"no rows with split '{split}' (available: {', '.join(available)})")
    return kept


def _index_images(folder: Path) -> dict[str, Path]:
    """File stem -> image path under ``images/`` (preferred) or the CSV's folder.

    JPEGs win over other formats of the same stem, so a PNG mask beside a
    JPEG image is never mistaken for the image.
    """
    root = folder / "images" if (folder / "images").is_dir() else folder
    index: dict[str, Path] = {}
    for file in sorted(root.rglob("*")):
        if not _is_image(file):
            continue
        current = index.get(file.stem)
        if current is None or (file.suffix.lower() in (".jpg", ".jpeg")
                               and current.suffix.lower() not in (".jpg", ".jpeg")):
            index[file.stem] = file
    return index


def _resolve(folder: Path, key: str, index: dict[str, Path] | None) -> Path | None:
    if index is None:
        candidate = Path(key).expanduser()
        candidate = candidate if candidate.is_absolute() else folder / candidate
        return candidate if candidate.exists() else None
    return index.get(Path(key).stem) or index.get(key)
