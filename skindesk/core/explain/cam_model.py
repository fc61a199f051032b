"""Compiled activation and gradient functions for one (model, target layer).

Each :class:`CamModel` traces two ``tf.function``\\ s once, with a fixed
input signature (any batch size), and is cached per model and layer, so an
explanation costs one forward pass plus a backward pass through the head
only (from the class score down to the target layer, not the backbone).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from skindesk.core import tfruntime
from skindesk.core.explain.graph import Recorder, logits_layer, run_recording
from skindesk.core.explain.layers import chain_path, find_target_layer


@dataclass(frozen=True)
class CamTensors:
    """What one pass returns, as NumPy arrays over a batch of N images.

    Attributes:
        activations: N×h×w×C output of the target layer.
        gradients: N×h×w×C d(class score)/d(activations); None for forward-only passes.
        outputs: N×K model outputs (probabilities).
        scores: N class scores (logits when the model exposes them).
    """

    activations: np.ndarray
    gradients: np.ndarray | None
    outputs: np.ndarray
    scores: np.ndarray


class CamModel:
    """A Keras model split at a target layer, ready for CAM methods.

    Args:
        model: a functional (or Sequential) Keras model.
        layer_path: slash path of the target layer; None finds the last spatial layer.
        meta_width: length of the metadata input, None when there is none.
        meta_first: whether the metadata is the model's first input.
    """

    def __init__(
        self,
        model: Any,
        layer_path: str | None = None,
        meta_width: int | None = None,
        meta_first: bool = False,
    ) -> None:
        tf = tfruntime.tensorflow()
        self.model = model
        self.chain = find_target_layer(model, layer_path)
        self.layer_path = chain_path(self.chain)
        self._meta_width = meta_width
        self._meta_first = meta_first
        self._logits = logits_layer(model)
        image_input = model.inputs[1 if meta_width and meta_first else 0]
        self.image_size = (int(image_input.shape[1]), int(image_input.shape[2]))
        signature = [
            tf.TensorSpec([None, *self.image_size, 3], tf.float32),
            tf.TensorSpec([None, meta_width or 0], tf.float32),
            tf.TensorSpec([None], tf.int32),
            tf.TensorSpec([None], tf.float32),
        ]
        self._gradients_fn = tf.function(self._gradients_graph, input_signature=signature)
        self._forward_fn = tf.function(self._forward_graph, input_signature=signature)

    def _run(self, images: Any, meta: Any, recorder: Recorder) -> Any:
        inputs: Any = images
        if self._meta_width:
            inputs = [meta, images] if self._meta_first else [images, meta]
        return run_recording(self.model, self.chain, inputs, recorder, self._logits)

    @staticmethod
    def _scores(recorder: Recorder, outputs: Any, columns: Any, signs: Any) -> Any:
        import tensorflow as tf

        first = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        # A negative column asks for the top class, found here to save a pass.
        top = tf.argmax(first, axis=1, output_type=tf.int32)
        columns = tf.where(columns < 0, top, columns)
        logits = recorder.logits if recorder.logits is not None else first
        return tf.gather(logits, columns, axis=1, batch_dims=1) * signs

    def _gradients_graph(self, images: Any, meta: Any, columns: Any, signs: Any) -> Any:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            recorder = Recorder(tape)
            outputs = self._run(images, meta, recorder)
            scores = self._scores(recorder, outputs, columns, signs)
        # Images are independent in inference mode, so the gradient of the
        # summed scores holds each image's own gradient.
        gradients = tape.gradient(scores, recorder.activation)
        return recorder.activation, gradients, outputs, scores

    def _forward_graph(self, images: Any, meta: Any, columns: Any, signs: Any) -> Any:
        recorder = Recorder()
        outputs = self._run(images, meta, recorder)
        return recorder.activation, outputs, self._scores(recorder, outputs, columns, signs)

    def _arguments(
        self,
        images: np.ndarray,
        meta: np.ndarray | None,
        columns: np.ndarray,
        signs: np.ndarray | None,
    ) -> list[np.ndarray]:
        count = len(images)
        if meta is None:
            meta = np.zeros((count, self._meta_width or 0), np.float32)
        signs = np.ones(count, np.float32) if signs is None else signs
        return [
            np.ascontiguousarray(images, np.float32),
            np.asarray(meta, np.float32),
            np.asarray(columns, np.int32).reshape(count),
            np.asarray(signs, np.float32),
        ]

    def gradients(
        self,
        images: np.ndarray,
        meta: np.ndarray | None,
        columns: np.ndarray,
        signs: np.ndarray | None = None,
    ) -> CamTensors:
        """Activations and gradients of each image's class score (``columns``: output column)."""
        acts, grads, outputs, scores = self._gradients_fn(
            *self._arguments(images, meta, columns, signs)
        )
        return CamTensors(acts.numpy(), grads.numpy(), _first(outputs), scores.numpy())

    def forward(
        self,
        images: np.ndarray,
        meta: np.ndarray | None,
        columns: np.ndarray,
        signs: np.ndarray | None = None,
    ) -> CamTensors:
        """Activations and class scores without gradients (Score-CAM)."""
        acts, outputs, scores = self._forward_fn(*self._arguments(images, meta, columns, signs))
        return CamTensors(acts.numpy(), None, _first(outputs), scores.numpy())


def _first(outputs: Any) -> np.ndarray:
    return (outputs[0] if isinstance(outputs, (list, tuple)) else outputs).numpy()


_cache: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], CamModel]] = (
    weakref.WeakKeyDictionary()
)
_cache_lock = threading.Lock()


def cam_model_for(
    model: Any,
    layer_path: str | None = None,
    meta_width: int | None = None,
    meta_first: bool = False,
) -> CamModel:
    """The cached :class:`CamModel` of ``model`` at ``layer_path`` (built on first use)."""
    key = (layer_path, meta_width, meta_first)
    with _cache_lock:
        per_model = _cache.setdefault(model, {})
        if key not in per_model:
            per_model[key] = CamModel(model, layer_path, meta_width, meta_first)
        return per_model[key]
