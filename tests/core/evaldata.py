"""Small labelled datasets for evaluation tests: a folder per class of generated lesions."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tests.core.synthetic_lesions import LESION, dermoscopy_like, ellipse_mask

SIZE = 64


def write_labelled_lesion(path: Path, malignant: bool, seed: int) -> Path:
    """A 64×64 PNG lesion: darker and larger when ``malignant`` (so a model can separate them)."""
    rng = np.random.default_rng(seed)
    scale = 0.3 if malignant else 0.18
    mask = ellipse_mask(SIZE, SIZE, axes=(SIZE * scale * rng.uniform(0.8, 1.2), SIZE * scale * 0.8),
                        angle=float(rng.uniform(0, 180)))
    rgb = dermoscopy_like(mask, seed=seed)
    if malignant:
        rgb[mask > 0] = (np.asarray(LESION) * 0.5).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), rgb[..., ::-1])
    return path


def make_labelled_folder(root: Path, per_class: int = 8, broken: bool = False) -> Path:
    """``root/benign/*.png`` and ``root/malignant/*.png`` (plus one unreadable file if ``broken``)."""
    for i in range(per_class):
        write_labelled_lesion(root / "benign" / f"b{i}.png", False, seed=i)
        write_labelled_lesion(root / "malignant" / f"m{i}.png", True, seed=100 + i)
    if broken:
        (root / "malignant" / "broken.jpg").write_text("not an image")
    return root
