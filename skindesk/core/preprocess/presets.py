"""Named pipelines: the built-in presets and the user's saved ones.

User presets live in ``paths.config_dir() / "presets.json"`` as
``{"version": 1, "presets": {name: pipeline dict}}``. A file that cannot be
read is renamed ``presets.json.corrupt`` (so the user's data is kept for
inspection) and ignored, like the settings file.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from skindesk import paths
from skindesk.core.jsonfile import write_json_atomic
from skindesk.core.preprocess.base import PreprocessingError
from skindesk.core.preprocess.color import ShadesOfGray
from skindesk.core.preprocess.contrast import Clahe
from skindesk.core.preprocess.denoise import Denoise
from skindesk.core.preprocess.hair import HairRemoval
from skindesk.core.preprocess.pipeline import Pipeline
from skindesk.core.preprocess.vignette import BlackCornerMask

logger = logging.getLogger(__name__)

PRESETS_FILE = "presets.json"
_FILE_VERSION = 1


def _standard_dermoscopy() -> Pipeline:
    # Corners first so their black does not bias the colour estimate;
    # bilateral rather than NL-means keeps the whole preset well under 0.5 s
    # for 1024×768 on two cores (bench/bench_preprocess.py).
    return Pipeline(
        [
            BlackCornerMask(),
            HairRemoval(hair="dark"),
            ShadesOfGray(p=6.0),
            Denoise(method="bilateral", diameter=5, sigma_color=20.0, sigma_space=3.0),
            Clahe(clip_limit=1.5, tile_grid=8),
        ]
    )


BUILTIN_PRESETS: dict[str, Callable[[], Pipeline]] = {
    "none": Pipeline,
    "standard dermoscopy": _standard_dermoscopy,
}
_ALIASES = {"standard": "standard dermoscopy"}


def normalise_name(name: str) -> str:
    """Lookup key for a preset name: case, ``-``/``_`` and spacing don't matter."""
    key = re.sub(r"[\s_-]+", " ", name).strip().casefold()
    return _ALIASES.get(key, key)


def preset_names() -> list[str]:
    """Names of the built-in presets followed by the user's, for lists and menus."""
    return [*BUILTIN_PRESETS, *sorted(load_user_presets(), key=str.casefold)]


def get_preset(name: str) -> Pipeline:
    """A fresh copy of the built-in or user preset called ``name``.

    Raises:
        PreprocessingError: No such preset; the message lists the available ones.
    """
    key = normalise_name(name)
    if key in BUILTIN_PRESETS:
        return BUILTIN_PRESETS[key]()
    for user_name, pipeline in load_user_presets().items():
        if normalise_name(user_name) == key:
            return pipeline
    available = ", ".join(repr(n) for n in preset_names())
    raise PreprocessingError(f"no preprocessing preset called {name!r}; available: {available}")


def presets_path() -> Path:
    """The user's presets file (it may not exist yet)."""
    return paths.config_dir() / PRESETS_FILE


def load_user_presets() -> dict[str, Pipeline]:
    """The user's saved presets by name; a corrupt file is set aside and ignored."""
    path = presets_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["presets"]
        if not isinstance(entries, dict):
            raise TypeError("'presets' is not an object")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError) as error:
        _set_aside(path, error)
        return {}
    presets = {}
    for name, pipeline_data in entries.items():
        try:
            presets[name] = Pipeline.from_dict(pipeline_data)
        except PreprocessingError as error:
            # One preset from a newer SkinDesk should not cost the user the others.
            logger.warning("skipping user preset %r in %s: %s", name, path, error)
    return presets


def save_user_preset(name: str, pipeline: Pipeline) -> None:
    """Save (or replace) a user preset.

    Raises:
        PreprocessingError: Empty name, or the name of a built-in preset.
    """
    if not name.strip():
        raise PreprocessingError("a preset needs a name")
    if normalise_name(name) in BUILTIN_PRESETS:
        raise PreprocessingError(f"{name!r} is a built-in preset; choose another name")
    presets = {
        old: p
        for old, p in load_user_presets().items()
        if normalise_name(old) != normalise_name(name)
    }
    presets[name.strip()] = pipeline
    document = {
        "version": _FILE_VERSION,
        "presets": {n: p.to_dict() for n, p in presets.items()},
    }
    path = presets_path()
    write_json_atomic(path, document)


def _set_aside(path: Path, error: Exception) -> None:
    corrupt = path.with_name(path.name + ".corrupt")
    logger.warning("user presets file %s is unreadable (%s); moved to %s", path, error, corrupt)
    try:
        os.replace(path, corrupt)
    except OSError as move_error:
        logger.warning("could not move %s aside: %s", path, move_error)
