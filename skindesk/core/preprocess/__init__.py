"""Image preprocessing as composable steps (the GUI's OpenCV preprocessing pane).

Each step is a small dataclass, ``step(rgb) -> rgb`` on uint8 H×W×3 arrays;
a :class:`Pipeline` runs steps in order, can hand back every intermediate
result and serialises to JSON. Named pipelines live in :mod:`.presets`.

Example:
    >>> pipeline = get_preset("standard dermoscopy")
    >>> result = pipeline.run(rgb)
    >>> pipeline.describe()
    'black-corner masking → hair removal (dark) → ...'
"""

from skindesk.core.preprocess.base import (
    STEP_TYPES,
    PreprocessingError,
    Step,
    register_step,
    step_from_dict,
)
from skindesk.core.preprocess.color import ShadesOfGray
from skindesk.core.preprocess.contrast import Clahe
from skindesk.core.preprocess.denoise import Denoise
from skindesk.core.preprocess.geometry import CenterCrop, Resize
from skindesk.core.preprocess.hair import HairRemoval
from skindesk.core.preprocess.pipeline import Pipeline
from skindesk.core.preprocess.presets import (
    get_preset,
    load_user_presets,
    preset_names,
    save_user_preset,
)
from skindesk.core.preprocess.vignette import BlackCornerMask

__all__ = [
    "STEP_TYPES",
    "BlackCornerMask",
    "CenterCrop",
    "Clahe",
    "Denoise",
    "HairRemoval",
    "Pipeline",
    "PreprocessingError",
    "Resize",
    "ShadesOfGray",
    "Step",
    "get_preset",
    "load_user_presets",
    "preset_names",
    "register_step",
    "save_user_preset",
    "step_from_dict",
]
