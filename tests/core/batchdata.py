"""Folders of small generated images and bad files, and a counting tiny engine, for scan tests."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from skindesk.core.engine import InferenceEngine
from skindesk.core.modelcard import load_card
from tests.core.tinymodels import build_tiny_model, install_tiny_model

TINY_BATCH = 4


def write_image(path: Path, seed: int, size: tuple[int, int] = (48, 64)) -> Path:
    """A small lesion-like picture; the encoder follows the suffix (.txt gets PNG)."""
    rng = np.random.default_rng(seed)
    rgb = np.full((*size, 3), rng.integers(120, 230, 3), np.uint8)
    centre = (int(rng.integers(20, 44)), int(rng.integers(16, 32)))
    cv2.ellipse(rgb, centre, (14, 10), int(rng.integers(0, 180)), 0, 360,
                tuple(int(c) for c in rng.integers(20, 120, 3)), -1)  # fmt: skip
    suffix = path.suffix.lower() if path.suffix.lower() in (".jpg", ".png", ".bmp") else ".png"
    ok, data = cv2.imencode(suffix, rgb[..., ::-1])
    assert ok
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.tobytes())
    return path


def make_images(folder: Path, count: int, prefix: str = "img", start: int = 0) -> list[Path]:
    """``count`` images named ``<prefix>_000.jpg``..., alternating JPEG and PNG."""
    return [
        write_image(folder / f"{prefix}_{i:03d}.{'jpg' if i % 2 else 'png'}", seed=i)
        for i in range(start, start + count)
    ]


def write_bad_files(folder: Path) -> dict[str, tuple[str, str]]:
    """Every kind of bad file; name -> (expected status, words in the reason)."""
    folder.mkdir(parents=True, exist_ok=True)
    good = write_image(folder / "source.jpg", seed=99).read_bytes()
    (folder / "source.jpg").unlink()
    (folder / "truncated.jpg").write_bytes(good[: len(good) // 3])
    (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    (folder / "text.jpg").write_text("this is not a picture")
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.txt").write_text("clinic notes")
    os.symlink(folder / "gone.jpg", folder / "dangling.jpg")
    os.mkfifo(folder / "pipe.png")
    return {
        "truncated.jpg": ("failed", ""),
        "corrupt.png": ("failed", ""),
        "text.jpg": ("failed", "not an image"),
        "empty.jpg": ("failed", "empty file"),
        "notes.txt": ("skipped", "not an image"),
        "dangling.jpg": ("failed", "not found"),
        "pipe.png": ("failed", "not a regular file"),
    }


@functools.cache
def tiny_engine() -> InferenceEngine:
    """One tiny 32×32 engine per test process (batch size 4), loaded."""
    root = tempfile.mkdtemp(prefix="skindesk-tiny-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    folder = Path(root) / "tiny"
    card = load_card(install_tiny_model(folder, build_tiny_model()))
    engine = InferenceEngine(card, batch_size=TINY_BATCH)
    engine.load()
    return engine


class CountingEngine:
    """Wraps an engine, counting prepared and analysed images and the most alive at once.

    An image is alive from ``prepare`` until the batch holding it reaches
    ``predict_prepared``. ``delay`` slows each batch down, like a big model.
    """

    def __init__(self, engine: InferenceEngine, delay: float = 0.0) -> None:
        self.engine, self.delay = engine, delay
        self.card, self.batch_size = engine.card, engine.batch_size
        self.prepared = self.analysed = self.alive = self.max_alive = 0
        self.batches: list[int] = []
        self._lock = threading.Lock()

    def load(self) -> None:
        self.engine.load()

    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        with self._lock:
            self.prepared += 1
            self.alive += 1
            self.max_alive = max(self.max_alive, self.alive)
        return self.engine.prepare(rgb)

    def predict_prepared(self, images, metadata=None):
        time.sleep(self.delay)
        with self._lock:
            self.alive -= len(images)
            self.analysed += len(images)
            self.batches.append(len(images))
        return self.engine.predict_prepared(images, metadata)
