"""Explaining images with an :class:`~skindesk.core.engine.InferenceEngine`.

The entry point for front ends (through the service) and the CLI: it
prepares the images as the engine does, turns class ids into output
columns, splits the engine's Keras model at the card's Grad-CAM layer
(cached), runs the method in batches and reads the outputs through the card.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from skindesk.core.engine import InferenceEngine
from skindesk.core.errors import SettingsError
from skindesk.core.explain.base import TOP_CLASS, ExplainBatch, Explainer, ExplainModel, peak_of
from skindesk.core.explain.cam_model import cam_model_for
from skindesk.core.explain.registry import DEFAULT_METHOD, create_explainer
from skindesk.core.explain.result import Explanation
from skindesk.core.metadata import UNKNOWN, PatientMetadata, metadata_width
from skindesk.core.modelcard import ModelCard
from skindesk.core.prediction import class_probabilities

ClassChoice = str | int | None
"""A class id, a class index, or None for the model's top class."""


def class_index(card: ModelCard, wanted: str | int) -> int:
    """The index of a class given by id or index.

    Raises:
        SettingsError: no such class.
    """
    if isinstance(wanted, str) and wanted.strip().lstrip("-").isdigit():
        wanted = int(wanted)
    if isinstance(wanted, int):
        if 0 <= wanted < len(card.classes):
            return wanted
    elif wanted in card.class_ids:
        return card.class_ids.index(wanted)
    raise SettingsError(
        f"unknown class '{wanted}'; this model's classes: {', '.join(card.class_ids)}"
    )


def _column_and_sign(card: ModelCard, index: int) -> tuple[int, float]:
    if card.output != "sigmoid":
        return index, 1.0
    # One sigmoid output: the malignant class is its positive side.
    return 0, (1.0 if card.classes[index].malignant else -1.0)


def explain_model(
    engine: InferenceEngine, explainer: Explainer, layer: str | None = None
) -> ExplainModel:
    """The engine's model as explainers use it (split at ``layer`` or the card's layer)."""
    engine.load()
    card = engine.card
    # The engine's own traced predictor: prepared images and encoded metadata in.
    predictor = engine._predictor
    assert predictor is not None
    cam = None
    if explainer.needs_gradients and engine.keras_model is not None:
        spec = card.metadata_input or {}
        cam = cam_model_for(
            engine.keras_model,
            layer or card.gradcam_layer,
            metadata_width(spec) if spec else None,
            bool(spec) and int(spec.get("input_index", 1)) == 0,
        )
    return ExplainModel(predict=predictor, cam=cam)


def _indices(
    engine: InferenceEngine,
    prepared: np.ndarray,
    meta: np.ndarray | None,
    classes: Sequence[ClassChoice],
) -> list[int]:
    indices = [TOP_CLASS if c is None else class_index(engine.card, c) for c in classes]
    if engine.card.output == "sigmoid" and TOP_CLASS in indices:
        # The graph finds a softmax's top class itself; a sigmoid's needs its probability.
        outputs = engine._predictor(prepared, meta)  # type: ignore[misc]
        tops = [int(np.argmax(class_probabilities(row, engine.card))) for row in outputs]
        indices = [top if i == TOP_CLASS else i for i, top in zip(indices, tops)]
    return indices


def _batch(
    engine: InferenceEngine,
    images: Sequence[np.ndarray],
    metadata: Sequence[PatientMetadata],
    classes: Sequence[ClassChoice],
) -> tuple[ExplainBatch, list[int]]:
    prepared = np.stack([engine.prepare(rgb) for rgb in images])
    meta = engine._metadata_batch(metadata)
    indices = _indices(engine, prepared, meta, classes)
    targets = [
        _column_and_sign(engine.card, i) if i != TOP_CLASS else (TOP_CLASS, 1.0) for i in indices
    ]
    batch = ExplainBatch(
        images=prepared,
        meta=meta,
        columns=np.array([c for c, _ in targets], np.int32),
        signs=np.array([s for _, s in targets], np.float32),
        sizes=tuple((int(rgb.shape[0]), int(rgb.shape[1])) for rgb in images),
    )
    return batch, indices


def _per_image(value: Any, count: int, single: type | tuple[type, ...], what: str) -> list[Any]:
    if value is None or isinstance(value, single):
        return [value] * count
    if len(value) != count:
        raise ValueError(f"{count} images but {len(value)} {what}")
    return list(value)


def explain_images(
    engine: InferenceEngine,
    images: Sequence[np.ndarray],
    method: str = DEFAULT_METHOD,
    classes: ClassChoice | Sequence[ClassChoice] = None,
    metadata: PatientMetadata | Sequence[PatientMetadata] | None = None,
    layer: str | None = None,
    **options: Any,
) -> list[Explanation]:
    """Explain RGB uint8 images, in batches; one :class:`Explanation` each.

    Args:
        engine: the model's engine (loads if needed).
        images: H×W×3 uint8 RGB images of any sizes.
        method: a registry id: "gradcam", "gradcam++", "scorecam", "layercam", "occlusion".
        classes: the class to explain (id or index) for all images, or one per
            image; None explains each image's top class.
        metadata: patient metadata for all images, or one per image.
        layer: target layer path overriding the card's ``gradcam_layer``.
        **options: the method's options (e.g. ``top_k`` for Score-CAM,
            ``patch_size`` and ``stride`` for occlusion).
    """
    explainer = create_explainer(method, **options)
    model = explain_model(engine, explainer, layer)
    metas = _per_image(metadata or UNKNOWN, len(images), PatientMetadata, "metadata entries")
    wanted = _per_image(classes, len(images), (str, int), "classes")
    results: list[Explanation] = []
    for start in range(0, len(images), engine.batch_size):
        stop = start + engine.batch_size
        batch, indices = _batch(engine, images[start:stop], metas[start:stop], wanted[start:stop])
        heatmaps, outputs = explainer.explain(model, batch)
        results.extend(
            _explanation(engine.card, explainer, model, h, row, i)
            for h, row, i in zip(heatmaps, outputs, indices)
        )
    return results


def _explanation(
    card: ModelCard,
    explainer: Explainer,
    model: ExplainModel,
    heatmap: np.ndarray,
    outputs: np.ndarray,
    wanted: int,
) -> Explanation:
    probabilities = class_probabilities(outputs, card)
    index = int(np.argmax(probabilities)) if wanted == TOP_CLASS else wanted
    return Explanation(
        heatmap=heatmap,
        method=explainer.method_id,
        method_name=explainer.name,
        class_id=card.classes[index].id,
        class_index=index,
        probability=float(probabilities[index]),
        peak=peak_of(heatmap),
        layer=model.cam.layer_path if model.cam is not None else None,
        model_id=card.id,
    )


def warm_up(engine: InferenceEngine, method: str = DEFAULT_METHOD) -> None:
    """Trace a method's graph now, on a blank image, rather than on the user's first click.

    Tracing the split model takes seconds for a large backbone (about 5 s for
    the default pair, 9 s for the Xception, on two CPU cores); later calls reuse
    the trace. The engine process calls this in the background after loading.
    """
    height, width = engine.card.input_size
    cheap: dict[str, Any] = {"top_k": 1} if method == "scorecam" else {}
    if method != "occlusion":  # occlusion runs the engine's own, already traced predictor
        explain_images(engine, [np.zeros((height, width, 3), np.uint8)], method, **cheap)
