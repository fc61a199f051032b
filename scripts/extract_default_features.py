"""Cache backbone features for the default-model training sets (slow; resumable).

Usage: python scripts/extract_default_features.py CACHE_DIR [--block13]
``--block13`` also stores block 13's 8x8x1024 maps (128 KB per image), on which
recipes with a ``"tune"`` section retrain block 14.
Order: the original view of every set first (enough to train), then the
augmented views, so an interrupted run is still useful.
"""

from __future__ import annotations

import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from default_model_data import augmented_sets, image_sets, report_sets

from skindesk.core import tfruntime
from skindesk.core.training.backbone import load_backbone
from skindesk.core.training.features import FeatureCache, extract_features


def main() -> None:
    cache = FeatureCache(sys.argv[1])
    with_block13 = "--block13" in sys.argv[2:]
    tfruntime.tensorflow()
    backbone = load_backbone()
    jobs = [(name, images, "orig") for name, images in image_sets().items()]
    for name, (images, views) in augmented_sets().items():
        jobs.extend((f"{name}-train", images, view) for view in views)
    jobs.extend((name, images, "orig") for name, images in report_sets().items())
    for name, images, view in jobs:
        start = time.time()
        print(f"{name} {view}: {len(images)} images", flush=True)
        extract_features(backbone, cache, name, [i.path for i in images], [i.key for i in images], view,
                         with_block13=with_block13,
                         on_progress=lambda done, total: print(f"  {done}/{total}", flush=True)
                         if done % 640 < 32 else None)
        print(f"  done in {time.time() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
