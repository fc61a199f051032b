"""The image sets the default model (issue #8) is trained and validated on.

Shared by ``extract`` (feature caching, slow) and the training run, so both
see exactly the same images. Only training and validation splits are used:
the ISIC 2017 test split, the Kaggle test split and the HAM10000
lesion-level hold-out are kept for final reporting with ``skindesk
evaluate``.
"""

from __future__ import annotations

from pathlib import Path

from skindesk.core.training.selection import cap_per_class, in_splits, without_stems
from skindesk.core.training.sources import TrainImage, load_source

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HAM = DATA / "ham10000" / "metadata.csv"
ISIC2017 = DATA / "isic2017" / "labels.csv"
ISIC2019 = DATA / "isic2019_84" / "labels.csv"

# How many images per (split, class) to cache: every rare class whole, a
# stable subset of the common ones (feature extraction costs ~0.16 s/image on 2 cores).
HAM_CAP = {"train": 1000, "val": 300}
ISIC2019_CAP = {"train": 400, "val": 100}


def image_sets() -> dict[str, list[TrainImage]]:
    """Named sets to cache with the 'orig' view; '-train' sets also get augmented views."""
    isic2017 = in_splits(load_source(ISIC2017), ("train", "val"))
    ham = cap_per_class(in_splits(load_source(HAM), ("train", "val")), HAM_CAP)
    isic2017_ids = {Path(i.path).stem for i in load_source(ISIC2017)}
    isic2019 = load_source(ISIC2019, val_fraction=0.15, holdout_fraction=0.0)
    isic2019 = cap_per_class(without_stems(isic2019, isic2017_ids), ISIC2019_CAP)
    return {"isic2017": isic2017, "ham10000": ham, "isic2019_84": isic2019}


def augmented_sets() -> dict[str, tuple[list[TrainImage], tuple[str, ...]]]:
    """Training images that get extra augmented views, and which views."""
    sets = image_sets()
    return {  # "artefacts" is used by the v2 recipe (default-model-tuned.json) only
        "isic2017": (in_splits(sets["isic2017"], ("train",)), ("mixed", "artefacts")),
        "isic2019_84": (in_splits(sets["isic2019_84"], ("train",)), ("artefacts",)),
    }


def report_sets() -> dict[str, list[TrainImage]]:
    """Test images cached only to report each recipe's test numbers (never to choose)."""
    return {"isic2017-test": in_splits(load_source(ISIC2017), ("holdout",))}
