"""A fake service whose engine can also run folder scans (the core's batch pipeline).

Its answer depends on the picture, so rows of a scan differ and sort: the
brighter the image, the higher P(malignant). It counts what it analyses,
so a test can tell that Resume did not analyse finished files again.
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np

from tests.gui.fakes import THRESHOLD, FakeEngine, FakeService


class FakeBatchEngine(FakeEngine):
    """:class:`FakeEngine` plus ``prepare``/``predict_prepared`` (batches of 4).

    Args:
        delay: Seconds per batch, so a scan lasts long enough to cancel.
    """

    batch_size = 4

    def __init__(self, card, load_seconds: float, delay: float) -> None:
        super().__init__(card, load_seconds)
        self.delay = delay
        self.analysed: list[float] = []  # mean brightness of every analysed image
        self._lock = threading.Lock()

    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        return cv2.resize(rgb, (8, 8), interpolation=cv2.INTER_AREA).astype(np.float32)

    def predict_prepared(self, images: np.ndarray, metadata=None) -> np.ndarray:
        time.sleep(self.delay)
        with self._lock:
            self.analysed.extend(float(image.mean()) for image in images)
        return np.stack([fake_probabilities(image) for image in images])


def fake_probabilities(image: np.ndarray) -> np.ndarray:
    """7 class probabilities (the fake card's order) from the image's brightness."""
    mel = float(np.clip((image.mean() - 120) / 150, 0.02, 0.9))
    rest = 1 - mel - 0.04
    return np.array([0.02, 0.02, rest * 0.2, 0.0, mel, rest * 0.8, 0.0], np.float32)


class FakeBatchService(FakeService):
    """:class:`FakeService` whose engine scans folders; see :class:`FakeBatchEngine`."""

    def __init__(self, delay: float = 0.0, batch_delay: float = 0.05, **options) -> None:
        super().__init__(delay=delay, **options)
        self._engine = FakeBatchEngine(self._card, 0.1, batch_delay)

    @property
    def analysed(self) -> int:
        """Images the engine has analysed so far."""
        return len(self._engine.analysed)


def flagged(p_malignant: float) -> bool:
    """Whether the fake card flags this P(malignant)."""
    return p_malignant >= THRESHOLD
