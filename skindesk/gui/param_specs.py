"""How each preprocessing parameter is edited: widget kind, slider range, step (no Tk).

The engine's steps are dataclasses whose fields are their parameters; they
check ranges in ``validate()`` but carry no range metadata, so the useful
slider ranges live here, per step type and field (a field's own
``metadata["range"] = (low, high, step)`` wins when a step provides one).
Unknown steps and fields fall back to ranges derived from their defaults.
Whatever the slider says, the step's own ``validate()`` has the last word.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

Range = tuple[float, float, float]  # low, high, step

# The useful part of each parameter's valid range, for sliders.
UI_RANGES: dict[str, dict[str, Range]] = {
    "black_corner_mask": {"dark_threshold": (5, 120, 1), "min_dark_corners": (1, 4, 1),
                          "margin": (0, 0.2, 0.005), "ring": (0.01, 0.2, 0.005),
                          "feather": (0, 0.1, 0.005)},
    "hair_removal": {"kernel_size": (0, 61, 1), "threshold": (0, 60, 1),
                     "min_length": (0, 0.5, 0.01), "dilate": (0, 10, 1),
                     "inpaint_radius": (1, 15, 0.5)},
    "shades_of_gray": {"p": (1, 12, 0.5)},
    "denoise": {"h": (0, 30, 0.5), "h_color": (0, 30, 0.5), "template_window": (3, 21, 2),
                "search_window": (3, 41, 2), "diameter": (1, 25, 1),
                "sigma_color": (0, 150, 1), "sigma_space": (0, 30, 0.5), "median_size": (1, 15, 2)},
    "clahe": {"clip_limit": (0.5, 8, 0.1), "tile_grid": (1, 32, 1)},
    "center_crop": {"aspect": (0.25, 4, 0.05), "scale": (0.1, 1, 0.01)},
    "resize": {"width": (16, 1024, 1), "height": (16, 1024, 1)},
}
# Integer fields that must be odd (kernel and window sizes).
ODD_FIELDS = {("denoise", "template_window"), ("denoise", "search_window"),
              ("denoise", "median_size")}
# Fields where 0 means "automatic" and other values start higher (0 or 3..101).
ZERO_OR_AT_LEAST = {("hair_removal", "kernel_size"): 3}
# Parameters that matter only for one value of a choice field: type -> (field, {value: names}).
RELEVANT: dict[str, tuple[str, dict[str, set[str]]]] = {
    "denoise": ("method", {"nlmeans": {"h", "h_color", "template_window", "search_window"},
                           "bilateral": {"diameter", "sigma_color", "sigma_space"},
                           "median": {"median_size"}}),
}
LABELS = {"p": "p (Minkowski norm)", "h": "strength h", "h_color": "colour strength",
          "kernel_size": "kernel size (0 = auto)", "clip_limit": "clip limit",
          "tile_grid": "tiles per side", "min_length": "min. hair length",
          "dark_threshold": "dark threshold", "min_dark_corners": "dark corners needed"}


@dataclass(frozen=True)
class ParamSpec:
    """How to edit one parameter.

    Attributes:
        name: The step's field name.
        label: Shown next to the widget.
        kind: "bool", "choice", "int" or "float".
        low, high, step: Slider range and increment (numbers only).
        choices: Allowed values of a "choice".
        odd: Snap integers to odd values.
        zero_or_at_least: 0 is allowed, otherwise values start here.
    """

    name: str
    label: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    choices: tuple[str, ...] = ()
    odd: bool = False
    zero_or_at_least: float | None = None

    @property
    def decimals(self) -> int:
        """Decimals worth showing for the step size (0 for integers)."""
        if self.kind == "int" or self.step >= 1:
            return 0
        return min(4, max(1, -math.floor(math.log10(self.step) + 1e-9)))

    def snap(self, value: float) -> float | int:
        """``value`` rounded to the step, clamped to the range, odd or zero-or-min as needed."""
        value = min(max(float(value), self.low), self.high)
        value = self.low + round((value - self.low) / self.step) * self.step
        if self.zero_or_at_least is not None and 0 < value < self.zero_or_at_least:
            value = 0 if value < self.zero_or_at_least / 2 else self.zero_or_at_least
        if self.kind == "int":
            number = round(value)
            if self.odd and number % 2 == 0:
                number = number + 1 if number + 1 <= self.high else number - 1
            return number
        return round(value, self.decimals + 1)

    def display(self, value: Any) -> str:
        """The value as the spin box shows it."""
        if self.kind == "float" and isinstance(value, float) and math.isinf(value):
            return "inf"
        return f"{value:.{self.decimals}f}" if self.kind == "float" else str(value)


def _fallback_range(kind: str, default: float) -> Range:
    if kind == "int":
        return 0, max(10, 4 * int(default)), 1
    high = max(1.0, 4 * float(default)) if math.isfinite(default) else 10.0
    return 0.0, high, high / 100


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def param_specs(step: Any) -> list[ParamSpec]:
    """The editable parameters of a step, in field order (``enabled`` excluded)."""
    type_name = type(step).type_name
    specs = []
    for field in dataclasses.fields(step):
        if field.name == "enabled":
            continue
        kind = field.type if isinstance(field.type, str) else field.type.__name__
        label = LABELS.get(field.name, field.name.replace("_", " "))
        if kind == "bool":
            specs.append(ParamSpec(field.name, label, "bool"))
        elif kind == "str":
            choices = tuple(type(step).choices.get(field.name, ()))
            specs.append(ParamSpec(field.name, label, "choice", choices=choices))
        else:
            low, high, increment = field.metadata.get("range") or UI_RANGES.get(
                type_name, {}).get(field.name) or _fallback_range(kind, _number(field.default))
            key = (type_name, field.name)
            specs.append(ParamSpec(field.name, label, kind, low, high, increment,
                                   odd=key in ODD_FIELDS,
                                   zero_or_at_least=ZERO_OR_AT_LEAST.get(key)))
    return specs


def relevant_specs(step: Any) -> list[ParamSpec]:
    """The parameters that matter for the step's current settings (e.g. denoise method)."""
    specs = param_specs(step)
    rule = RELEVANT.get(type(step).type_name)
    if rule is None:
        return specs
    chooser, used = rule
    wanted = used.get(getattr(step, chooser), set())
    every = set().union(*used.values())
    return [s for s in specs if s.name not in every or s.name in wanted]


def with_param(step: Any, name: str, value: Any) -> Any:
    """A copy of ``step`` with one parameter changed.

    Raises:
        PreprocessingError: The step's ``validate()`` rejects the value.
    """
    return dataclasses.replace(step, **{name: value})
