"""Write JSON files so that an interruption never leaves half a file.

Cards, scan journals, evaluation reports, training checkpoints, recipes,
feature-cache indexes and the GUI's settings are all read back later; a crash or Ctrl+C in the middle of writing
one must leave either the old file or the new one, never a truncated mix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_json_atomic(path: Path, data: Any, *, indent: int | None = 2,
                      default: Callable[[Any], Any] | None = None) -> None:
    """Write ``data`` as UTF-8 JSON to ``path`` through a temporary file and a rename.

    ``os.replace`` is atomic on one file system, and the temporary file sits
    next to the target, so readers see the previous content until the rename.
    ``default`` turns values JSON cannot hold into ones it can (as in :func:`json.dumps`).
    """
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=indent, ensure_ascii=False, default=default) + "\n", encoding="utf-8")
    os.replace(temporary, path)
