"""Copy the train and val images a recipe uses into size-limited parts, for another machine.

Usage: python scripts/pack_training_images.py RECIPE.json OUT_DIR [--part-mb 45]

A lent GPU machine has no dataset and takes a limited upload per command.
This writes OUT_DIR/part0, part1, ..., each at most --part-mb, holding the
recipe's training and validation images (never its hold-out or test images)
and the sources' label files, in the same layout relative to the data
folder. Unpack every part into ``<repo>/../shared/data`` there and the
recipe (whose source paths are relative) selects the very same images.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from skindesk.core.training.data import select_images
from skindesk.core.training.recipe import load_recipe


def _data_root(recipe_sources: list[Path]) -> Path:
    """The folder holding every source's dataset folder (``shared/data``)."""
    return Path(os.path.commonpath([p.parent.parent for p in recipe_sources]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("out")
    parser.add_argument("--part-mb", type=float, default=45.0)
    args = parser.parse_args()
    recipe = load_recipe(args.recipe)
    sources = select_images(recipe)
    label_files = [Path(s.path).resolve() for s in recipe.sources]
    root = _data_root(label_files)
    files = sorted({Path(i.path).resolve() for s in sources for i in s.cached})  # train + val only
    limit, part, used = args.part_mb * 1e6, 0, 0.0
    out = Path(args.out)
    for extra in label_files:
        target = out / "part0" / extra.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(extra, target)
        used += extra.stat().st_size
    for file in files:
        size = file.stat().st_size
        if used + size > limit:
            part, used = part + 1, 0.0
        target = out / f"part{part}" / file.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
        used += size
    print(f"{len(files)} images from {root} in {part + 1} parts under {out}")


if __name__ == "__main__":
    main()
