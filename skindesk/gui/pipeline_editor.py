"""The preprocessing pipeline being edited in the preprocessing pane (no Tk).

The pane always lists the same catalogue of steps, so the user can switch
any of them on whatever preset they started from: a preset's steps come
first, in its order, followed by the catalogue steps it lacks, switched off.
Steps are replaced, never changed in place, so a snapshot handed to a
worker (:attr:`PipelineEditor.pipeline`) cannot change under it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skindesk.core.preprocess import (
    BlackCornerMask,
    CenterCrop,
    Clahe,
    Denoise,
    HairRemoval,
    Pipeline,
    PreprocessingError,
    ShadesOfGray,
    Step,
    get_preset,
    save_user_preset,
)
from skindesk.gui.param_specs import with_param

DEFAULT_PRESET = "none"
# Every step the pane offers, off, with settings that are quick enough for a live preview
# (bilateral rather than NL-means denoising, as in the standard preset).
CATALOGUE: dict[str, Callable[[], Step]] = {
    "black_corner_mask": lambda: BlackCornerMask(enabled=False),
    "hair_removal": lambda: HairRemoval(enabled=False),
    "shades_of_gray": lambda: ShadesOfGray(enabled=False),
    "denoise": lambda: Denoise(method="bilateral", diameter=5, sigma_color=20.0,
                               sigma_space=3.0, enabled=False),
    "clahe": lambda: Clahe(clip_limit=1.5, enabled=False),
    "center_crop": lambda: CenterCrop(enabled=False),
}


def complete(pipeline: Pipeline) -> list[Step]:
    """The pipeline's steps plus every catalogue step it lacks, switched off."""
    present = {type(step).type_name for step in pipeline.steps}
    missing = [make() for name, make in CATALOGUE.items() if name not in present]
    return [*pipeline.steps, *missing]


def pipeline_from_settings(preset: str, data: dict[str, Any]) -> Pipeline:
    """The remembered pipeline; its preset's when none was saved, "none" when both fail."""
    try:
        return Pipeline.from_dict(data) if data else get_preset(preset or DEFAULT_PRESET)
    except PreprocessingError:
        return get_preset(DEFAULT_PRESET)


class PipelineEditor:
    """The steps on screen, the preset they came from and whether they changed since.

    Args:
        pipeline: The starting pipeline (completed with the catalogue).
        preset: The name of the preset it came from.
    """

    def __init__(self, pipeline: Pipeline, preset: str = DEFAULT_PRESET) -> None:
        self.steps: list[Step] = complete(pipeline)
        self.preset = preset
        self._saved = self.pipeline.fingerprint()

    @property
    def pipeline(self) -> Pipeline:
        """A snapshot of the current pipeline."""
        return Pipeline(list(self.steps))

    @property
    def modified(self) -> bool:
        """True when the steps differ from the preset's."""
        return self.pipeline.fingerprint() != self._saved

    @property
    def preset_label(self) -> str:
        """The preset's name, marked when the steps were changed since."""
        return f"{self.preset} (modified)" if self.modified else self.preset

    def load_preset(self, name: str) -> None:
        """Start again from the preset ``name``.

        Raises:
            PreprocessingError: No such preset.
        """
        self.steps = complete(get_preset(name))
        self.preset = name
        self._saved = self.pipeline.fingerprint()

    def save_as(self, name: str) -> None:
        """Save the current steps as the user preset ``name`` and continue from it.

        Raises:
            PreprocessingError: Empty name, or the name of a built-in preset.
        """
        save_user_preset(name, self.pipeline)
        self.preset = name.strip()
        self._saved = self.pipeline.fingerprint()

    def set_enabled(self, index: int, enabled: bool) -> None:
        """Switch step ``index`` on or off."""
        self.steps[index] = with_param(self.steps[index], "enabled", enabled)

    def set_param(self, index: int, name: str, value: Any) -> None:
        """Change one parameter of step ``index``.

        Raises:
            PreprocessingError: The step rejects the value (the step is unchanged).
        """
        self.steps[index] = with_param(self.steps[index], name, value)
