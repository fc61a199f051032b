"""The step base class, the registry of step types and parameter checking.

A step is a small dataclass whose fields are its parameters; calling it on a
uint8 RGB image (H×W×3) returns a new uint8 RGB image. Each concrete step
registers itself under a stable ``type_name`` (the key used in pipeline
JSON), so a saved pipeline can be rebuilt with :func:`step_from_dict`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any, ClassVar, NoReturn, TypeVar

import numpy as np

from skindesk.core.errors import UserError


class PreprocessingError(UserError):
    """A preprocessing step or pipeline is invalid or failed on an image."""


StepT = TypeVar("StepT", bound=type["Step"])

STEP_TYPES: dict[str, type[Step]] = {}


def register_step(cls: StepT) -> StepT:
    """Class decorator: make ``cls`` buildable from JSON by its ``type_name``."""
    name = cls.type_name
    if not name or name in STEP_TYPES:
        raise ValueError(f"step type name {name!r} is empty or already registered")
    STEP_TYPES[name] = cls
    return cls


@dataclasses.dataclass(kw_only=True)
class Step:
    """Base of all preprocessing steps.

    Subclasses set ``type_name`` and ``label``, declare their parameters as
    dataclass fields with defaults and implement :meth:`apply`. Field types
    must be ``int``, ``float``, ``bool`` or ``str``: they are checked and
    coerced on construction, which keeps JSON round trips exact.

    Attributes:
        enabled: A disabled step is skipped by the pipeline but kept in it,
            so the GUI can toggle it without losing its parameters.
    """

    type_name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    # Allowed values of str fields, by field name; subclasses fill it in.
    choices: ClassVar[dict[str, tuple[str, ...]]] = {}

    enabled: bool = True

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            type_text = field.type if isinstance(field.type, str) else field.type.__name__
            value = _coerce(self, field.name, type_text, getattr(self, field.name))
            setattr(self, field.name, value)
        self.validate()

    def validate(self) -> None:
        """Check parameter ranges; raise :class:`PreprocessingError` if invalid."""

    def apply(self, image: np.ndarray) -> np.ndarray:
        """Process one uint8 RGB image; subclasses override this."""
        raise NotImplementedError

    def __call__(self, image: np.ndarray) -> np.ndarray:
        check_rgb(image, "input")
        result = self.apply(image)
        check_rgb(result, "output")
        return result

    @property
    def summary(self) -> str:
        """Short text for :meth:`Pipeline.describe`, e.g. ``"CLAHE (clip 2.0)"``."""
        return self.label

    def params(self) -> dict[str, Any]:
        """The parameters as JSON-ready values (``enabled`` excluded)."""
        return {
            field.name: _encode(getattr(self, field.name))
            for field in dataclasses.fields(self)
            if field.name != "enabled"
        }

    def to_dict(self) -> dict[str, Any]:
        """The step as ``{"type": ..., "params": {...}, "enabled": ...}``."""
        return {"type": self.type_name, "params": self.params(), "enabled": self.enabled}

    def fail(self, message: str) -> NoReturn:
        """Raise a :class:`PreprocessingError` about this step's parameters."""
        raise PreprocessingError(f"{self.label}: {message}")

    def check_choice(self, name: str) -> None:
        """Fail unless the str field ``name`` holds one of ``choices[name]``."""
        allowed = self.choices[name]
        if getattr(self, name) not in allowed:
            self.fail(f"{name} must be one of {', '.join(allowed)}; got {getattr(self, name)!r}")

    def check_range(self, name: str, low: float, high: float = math.inf) -> None:
        """Fail unless ``low <= field <= high``."""
        value = getattr(self, name)
        if not low <= value <= high:
            bound = f"at least {low}" if high == math.inf else f"between {low} and {high}"
            self.fail(f"{name} must be {bound}; got {value}")


def step_from_dict(data: Any) -> Step:
    """Rebuild a step from :meth:`Step.to_dict` output.

    Raises:
        PreprocessingError: Unknown type, unknown or invalid parameters.
    """
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise PreprocessingError(f"a step must be an object with a 'type'; got {data!r}")
    cls = STEP_TYPES.get(data["type"])
    if cls is None:
        known = ", ".join(sorted(STEP_TYPES))
        raise PreprocessingError(f"unknown step type {data['type']!r} (known: {known})")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise PreprocessingError(f"{cls.label}: 'params' must be an object; got {params!r}")
    names = {f.name for f in dataclasses.fields(cls)} - {"enabled"}
    unknown = sorted(set(params) - names)
    if unknown:
        raise PreprocessingError(
            f"{cls.label}: unknown parameter(s) {', '.join(unknown)} "
            f"(known: {', '.join(sorted(names))})"
        )
    return cls(**params, enabled=data.get("enabled", True))


def check_rgb(image: Any, what: str = "image") -> None:
    """Raise :class:`PreprocessingError` unless ``image`` is a uint8 H×W×3 array."""
    if not isinstance(image, np.ndarray):
        raise PreprocessingError(f"{what} is not an image array: {type(image).__name__}")
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise PreprocessingError(
            f"{what} must be a uint8 RGB image (H×W×3); got {image.dtype} {image.shape}"
        )
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise PreprocessingError(f"{what} is empty: {image.shape}")


def _encode(value: Any) -> Any:
    # Strict JSON has no infinity; "inf" (max-RGB as p=inf) round-trips via _coerce.
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _coerce(step: Step, name: str, type_text: str, value: Any) -> Any:
    converters: dict[str, Callable[[Any], Any]] = {
        "int": _as_int,
        "float": _as_float,
        "bool": _as_bool,
        "str": _as_str,
    }
    converter = converters.get(type_text)
    if converter is None:
        raise TypeError(f"{type(step).__name__}.{name}: unsupported field type {type_text}")
    try:
        return converter(value)
    except (TypeError, ValueError):
        step.fail(f"{name} must be {type_text}; got {value!r}")


def _as_int(value: Any) -> int:
    # bool is an int subclass; True as a kernel size is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(value)
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    return int(value)


def _as_float(value: Any) -> float:
    if isinstance(value, str) and value.strip().lower().lstrip("+-") in {"inf", "infinity"}:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(value)
    if math.isnan(value):
        raise ValueError(value)
    return float(value)


def _as_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(value)
    return value


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value
