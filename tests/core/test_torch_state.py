"""Reading PyTorch state dicts without PyTorch (skindesk.core.training.torch_state).

The files are written here the way torch.save writes them, in both formats
(the legacy stream and the zip archive), through stand-in ``torch`` modules
so that the pickles name exactly the globals a real file names.
"""

from __future__ import annotations

import collections
import io
import pickle
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest

from skindesk.core.training.torch_state import TorchFileError, load_state_dict


class _Storage:
    """What torch.save pickles by persistent id: one flat buffer."""

    def __init__(self, key: str, values: np.ndarray) -> None:
        self.key, self.values = key, values


class _Tensor:
    def __init__(self, storage: _Storage, offset: int, shape: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, stride

    def __reduce__(self):  # as torch.Tensor reduces itself
        rebuild = sys.modules["torch._utils"]._rebuild_tensor_v2
        return rebuild, (self.storage, self.offset, self.shape, self.stride, False,
                         collections.OrderedDict())


@pytest.fixture
def fake_torch(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args):
        raise AssertionError("only pickled, never called")

    FloatStorage.__module__, _rebuild_tensor_v2.__module__ = "torch", "torch._utils"
    FloatStorage.__qualname__, _rebuild_tensor_v2.__qualname__ = "FloatStorage", "_rebuild_tensor_v2"
    torch.FloatStorage, utils._rebuild_tensor_v2 = FloatStorage, _rebuild_tensor_v2
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)
    return torch


def _pickler(handle, torch: types.ModuleType) -> pickle.Pickler:
    class TorchPickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, _Storage):
                return ("storage", torch.FloatStorage, obj.key, "cpu", obj.values.size)
            return None

    return TorchPickler(handle, protocol=2)


def _state(storages: dict[str, np.ndarray]) -> collections.OrderedDict:
    a, b = _Storage("0", storages["0"]), _Storage("1", storages["1"])
    return collections.OrderedDict([
        ("conv.weight", _Tensor(a, 0, (2, 3), (3, 1))),
        ("conv.weight_t", _Tensor(a, 0, (3, 2), (1, 3))),  # a transposed view: strides matter
        ("bn.bias", _Tensor(b, 2, (2,), (1,))),             # an offset into a shared storage
    ])


def _write_legacy(path: Path, torch: types.ModuleType, storages: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as handle:
        for header in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
            pickle.dump(header, handle, protocol=2)
        _pickler(handle, torch).dump(_state(storages))
        pickle.dump(list(storages), handle, protocol=2)
        handle.writelines(values.size.to_bytes(8, "little") + values.astype("<f4").tobytes() for values in storages.values())


def _write_zip(path: Path, torch: types.ModuleType, storages: dict[str, np.ndarray]) -> None:
    buffer = io.BytesIO()
    _pickler(buffer, torch).dump(_state(storages))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("model/data.pkl", buffer.getvalue())
        for key, values in storages.items():
            archive.writestr(f"model/data/{key}", values.astype("<f4").tobytes())


STORAGES = {"0": np.arange(6, dtype=np.float32), "1": np.array([9, 8, 7, 6], np.float32)}


@pytest.mark.parametrize("writer", [_write_legacy, _write_zip], ids=["legacy", "zip"])
def test_both_formats_give_the_tensors_with_their_views(tmp_path: Path, fake_torch, writer) -> None:
    path = tmp_path / "weights.pth"
    writer(path, fake_torch, STORAGES)
    sys.modules.pop("torch"), sys.modules.pop("torch._utils")  # reading must not need them
    state = load_state_dict(path)
    assert list(state) == ["conv.weight", "conv.weight_t", "bn.bias"]
    np.testing.assert_array_equal(state["conv.weight"], [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(state["conv.weight_t"], [[0, 3], [1, 4], [2, 5]])
    np.testing.assert_array_equal(state["bn.bias"], [7, 6])
    assert state["conv.weight"].dtype == np.float32


def test_a_pickle_that_would_run_code_is_refused(tmp_path: Path) -> None:
    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    path = tmp_path / "evil.pth"
    with open(path, "wb") as handle:
        for header in (0x1950A86A20F9469CFC6C, 1001, {}):
            pickle.dump(header, handle)
        pickle.dump({"x": Payload()}, handle)
    with pytest.raises(TorchFileError, match="not part of a plain state dict"):
        load_state_dict(path)


@pytest.mark.parametrize("content", [b"", b"not a torch file at all", pickle.dumps(12345)])
def test_other_files_get_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "weights.pth"
    path.write_bytes(content)
    with pytest.raises(TorchFileError, match="weights.pth"):
        load_state_dict(path)


def test_a_truncated_file_is_refused(tmp_path: Path, fake_torch) -> None:
    path = tmp_path / "weights.pth"
    _write_legacy(path, fake_torch, STORAGES)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(TorchFileError):
        load_state_dict(path)
