"""``skindesk train --init-from MODEL``: go on training a network ``skindesk train`` made.

A clinic can adapt an installed end-to-end model to its own images, or a
model can be trained further with other loss weights (``--class-weight
source-balanced``), without starting again from ImageNet. The network's
backbone and last layer are copied into a fresh classifier of the same
architecture (so mixed precision on a GPU applies as usual); its temperature
and threshold are fitted again afterwards, as for any training run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skindesk.core.errors import ModelError, UserError
from skindesk.core.training.e2e_model import build_classifier, construct_backbone, mobilenet_alpha


def init_model_file(value: str) -> Path:
    """The model file ``--init-from`` names: an installed model's id, its folder, or a .keras file.

    Raises:
        UserError: Nothing by that name.
    """
    path = Path(value).expanduser()
    if path.is_dir() and (path / "card.json").is_file():
        card = json.loads((path / "card.json").read_text(encoding="utf-8"))
        return (path / card.get("file", "model.keras")).resolve()
    if path.is_file():
        return path.resolve()
    from skindesk.core.registry import ModelRegistry

    try:
        return ModelRegistry().get(value).model_path
    except ModelError as error:
        raise UserError(f"--init-from {value}: not a model folder or a .keras file, and {error}") from None


def continued_network(path: Path, arch: str, size: int, class_ids: tuple[str, ...], dropout: float,
                      seed: int) -> tuple[Any, Any]:
    """(classifier, backbone) holding the weights of the network in ``path``.

    Raises:
        UserError: The file is not an ``arch`` network of this size and these classes
            trained end to end by ``skindesk train``.
    """
    import keras

    try:
        trained = keras.models.load_model(path, compile=False)
    except (ValueError, OSError, KeyError) as error:
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        raise UserError(f"--init-from {path.name}: not a Keras model file ({reason})") from None
    names = {layer.name for layer in trained.layers}
    if arch not in names or "logits" not in names:
        raise UserError(f"--init-from {path.name}: not a network trained end to end by skindesk train "
                        f"with --arch {arch} (it has no '{arch}' backbone and 'logits' layer)")
    _check_shape(trained, path, size, class_ids)
    trained_base = trained.get_layer(arch)
    base = construct_backbone(arch, size, options_of(arch, trained_base))
    base.set_weights(trained_base.get_weights())
    model = build_classifier(base, len(class_ids), dropout, pretrained=True, seed=seed)
    model.get_layer("logits").set_weights(trained.get_layer("logits").get_weights())
    return model, base


def _check_shape(trained: Any, path: Path, size: int, class_ids: tuple[str, ...]) -> None:
    trained_size = int(trained.inputs[0].shape[1])
    if trained_size != size:
        raise UserError(f"--init-from {path.name} takes {trained_size}×{trained_size} images: "
                        f"give --img-size {trained_size}")
    card_path = path.parent / "card.json"
    if card_path.is_file():
        card = json.loads(card_path.read_text(encoding="utf-8"))
        own = tuple(c["id"] for c in card.get("classes", []))
        if own and own != class_ids:
            raise UserError(f"--init-from {path.parent.name} knows the classes {', '.join(own)}; these "
                            f"images map onto {', '.join(class_ids)} (see --label-map)")
    elif int(trained.get_layer("logits").units) != len(class_ids):
        raise UserError(f"--init-from {path.name} has {trained.get_layer('logits').units} classes; these "
                        f"images map onto {len(class_ids)}")


def options_of(arch: str, base: Any) -> dict[str, Any]:
    """A built backbone's constructor options: MobileNetV2's width, from its last 1×1 convolution."""
    if arch != "mobilenetv2":
        return {}
    return {"alpha": mobilenet_alpha(int(base.get_layer("Conv_1").kernel.shape[2]))}
