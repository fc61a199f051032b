"""Explainability: where in an image the model found its evidence.

One base class per family (:class:`~.base.Explainer`, :class:`~.base.BaseCAM`)
does the shared work; each method is a small subclass registered in
:data:`~.registry.METHODS`. Importing this package does not import
TensorFlow; :func:`~.api.explain_images` (imported from ``.api``) runs them.
"""

from __future__ import annotations

from skindesk.core.explain.overlay import COLORMAPS, colorize, render_overlay, write_png
from skindesk.core.explain.registry import DEFAULT_METHOD, METHODS, create_explainer, method_names
from skindesk.core.explain.result import Explanation

__all__ = [
    "COLORMAPS",
    "DEFAULT_METHOD",
    "METHODS",
    "Explanation",
    "colorize",
    "create_explainer",
    "method_names",
    "render_overlay",
    "write_png",
]
