"""Loading a model file for import, including legacy Keras 2 ``.h5`` files.

Keras 3 reads most ``.h5`` files written by TF 2.x notebooks. Those it
cannot read (custom objects, some old layer configs) may still load with
``tf_keras``, the Keras 2 package, which SkinDesk does not depend on: such a
model is converted to a TensorFlow SavedModel on import, which the engine
runs without Keras 2.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skindesk.core import tfruntime
from skindesk.core.errors import ModelError
from skindesk.core.model_loader import model_format

log = logging.getLogger(__name__)


def tf_keras_hint() -> str:
    """How to install the tf_keras matching the installed TensorFlow (a newer one upgrades it)."""
    version = ".".join(str(tfruntime.tensorflow().__version__).split(".")[:2])
    return (f"this file needs tf_keras, the Keras 2 package, in TensorFlow's version: "
            f"pip install 'tf_keras=={version}.*' (SkinDesk's 'legacy' extra)")


@dataclass(frozen=True)
class LoadedModelFile:
    """A model loaded for inspection.

    Attributes:
        model: The Keras model (Keras 3, or tf_keras when ``legacy``).
        format: 'keras' or 'h5'.
        legacy: True when only tf_keras could read it (it is then saved as a SavedModel).
    """

    model: Any
    format: str
    legacy: bool = False


def load_for_import(path: str | Path) -> LoadedModelFile:
    """Load a ``.keras`` or ``.h5`` model file (not compiled).

    Raises:
        ModelError: Unsupported format, or neither Keras 3 nor tf_keras can read it;
            the message says to install tf_keras when that might help.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelError(f"model file not found: {path}")
    fmt = model_format(path)
    if fmt == "savedmodel":
        raise ModelError(
            f"{path} is a TensorFlow SavedModel; import supports .keras and .h5 files "
            "(re-save it with model.save('model.keras'))"
        )
    tfruntime.tensorflow()
    import keras

    try:
        return LoadedModelFile(keras.models.load_model(path, compile=False), fmt)
    except Exception as error:
        if fmt != "h5":
            raise ModelError(f"cannot load the model file {path}: {error}") from error
        return _load_with_tf_keras(path, error)


def _load_with_tf_keras(path: Path, keras3_error: Exception) -> LoadedModelFile:
    try:
        import tf_keras  # type: ignore[import-not-found,import-untyped]
    except ImportError:
        raise ModelError(
            f"Keras 3 cannot load the legacy .h5 file {path} ({keras3_error}); "
            f"{tf_keras_hint()}, then import it again"
        ) from keras3_error
    try:
        model = tf_keras.models.load_model(path, compile=False)
    except Exception as error:
        raise ModelError(
            f"cannot load {path} with Keras 3 ({keras3_error}) nor with tf_keras ({error})"
        ) from error
    log.info("%s loaded with tf_keras; it will be imported as a SavedModel", path)
    return LoadedModelFile(model, "h5", legacy=True)


def save_as_savedmodel(model: Any, folder: Path) -> None:
    """Save a tf_keras model as a SavedModel folder the engine can run."""
    model.save(str(folder), save_format="tf")
