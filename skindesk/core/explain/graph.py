"""Running a Keras model while recording an inner layer's activation.

``keras.Model(outer.inputs, inner_layer.output)`` fails when the layer sits
inside a nested backbone: its tensors belong to the backbone's own graph (a
known trap in tf-keras-vis and TensorFlow issues). Instead we re-execute the
outer model's graph with Keras 3's ``Functional._run_through_graph``,
substituting the nested model by a call that re-executes *its* graph, down
to the target layer, whose output is recorded (and watched by the gradient
tape) on the way. Every other operation runs as in ``model(x,
training=False)``, so all inputs (the metadata too) pass through unchanged
and the output equals the plain model's. ``_run_through_graph`` is private
Keras API: tests/core/test_explain.py pins what we rely on (same outputs,
non-zero gradients, nested functional and Sequential backbones), so a Keras
upgrade that changes it fails there rather than in front of a user.

When the model ends in a softmax (or sigmoid) ``Dense`` layer, the
pre-activation logits are recorded as well: gradients of a saturated
probability vanish, those of a logit do not (the usual Grad-CAM choice).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from skindesk.core.errors import ModelError

_SQUASHING = ("softmax", "sigmoid")


class Recorder:
    """Collects the target activation (and logits) during one traced call.

    Args:
        tape: a ``tf.GradientTape`` that must watch the activation, or None.
    """

    def __init__(self, tape: Any = None) -> None:
        self.tape = tape
        self.activation: Any = None
        self.logits: Any = None

    def keep_activation(self, tensor: Any) -> Any:
        # Watch explicitly: a frozen backbone has no trainable variables,
        # so the tape would otherwise record nothing downstream of it.
        if self.tape is not None:
            self.tape.watch(tensor)
        self.activation = tensor
        return tensor


def _functional(model: Any) -> Any:
    # A Sequential model keeps its graph in a Functional twin.
    functional = getattr(model, "_functional", None) or model
    if not hasattr(functional, "_run_through_graph"):
        raise ModelError(
            f"model '{model.name}' is not a functional Keras model, so its inner layers "
            "cannot be reached; use the occlusion method instead"
        )
    return functional


def logits_layer(model: Any) -> Any | None:
    """The model's final Dense layer when it squashes logits, else None."""
    import keras

    try:
        layer = model.outputs[0]._keras_history.operation
    except (AttributeError, IndexError):
        return None
    activation = getattr(getattr(layer, "activation", None), "__name__", "")
    plain_dense = isinstance(layer, keras.layers.Dense) and not getattr(
        layer, "quantization_mode", None
    )
    return layer if plain_dense and activation in _SQUASHING else None


def _logits_call(layer: Any, recorder: Recorder) -> Callable[..., Any]:
    from keras import ops

    def call(inputs: Any, *_args: Any, **_kwargs: Any) -> Any:
        # Dense.call without its activation, then the activation: same output.
        logits = ops.matmul(inputs, layer.kernel)
        if layer.bias is not None:
            logits = ops.add(logits, layer.bias)
        recorder.logits = logits
        return layer.activation(logits)

    return call


def _recording_call(layer: Any, recorder: Recorder) -> Callable[..., Any]:
    from keras.src.models.functional import operation_fn

    plain = operation_fn(layer, training=False)
    return lambda *args, **kwargs: recorder.keep_activation(plain(*args, **kwargs))


def run_recording(
    model: Any, chain: Sequence[Any], inputs: Any, recorder: Recorder, logits: Any = None
) -> Any:
    """Call ``model`` on ``inputs`` in inference mode, recording ``chain[-1]``'s output.

    Args:
        model: a functional (or Sequential) Keras model.
        chain: layers from a layer of ``model`` down to the target layer.
        inputs: the model's inputs (tensors), as ``model(inputs)`` takes them.
        recorder: receives the activation (and logits).
        logits: the layer whose pre-activation output to record as logits.

    Returns:
        The model's output(s), equal to ``model(inputs, training=False)``.
    """
    from keras import tree
    from keras.src.models.functional import operation_fn

    functional = _functional(model)
    head, rest = chain[0], tuple(chain[1:])

    def substitute(op: Any) -> Callable[..., Any]:
        if op is head and rest:
            return lambda inner, *_a, **_k: run_recording(head, rest, inner, recorder)
        if op is head:
            return _recording_call(op, recorder)
        if op is logits:
            return _logits_call(op, recorder)
        return operation_fn(op, training=False)

    flat = functional._standardize_inputs(inputs)
    outputs = tree.flatten(functional._run_through_graph(flat, operation_fn=substitute))
    return outputs[0] if len(outputs) == 1 else outputs
