"""The explanation methods by id: what the CLI's ``--method`` and the GUI list offer."""

from __future__ import annotations

from typing import Any

from skindesk.core.errors import SettingsError
from skindesk.core.explain.base import Explainer
from skindesk.core.explain.gradcam import GradCAM
from skindesk.core.explain.gradcam_plus_plus import GradCAMPlusPlus
from skindesk.core.explain.layer_cam import LayerCAM
from skindesk.core.explain.occlusion import OcclusionSensitivity
from skindesk.core.explain.score_cam import ScoreCAM

METHODS: dict[str, type[Explainer]] = {
    cls.method_id: cls
    for cls in (GradCAM, GradCAMPlusPlus, ScoreCAM, LayerCAM, OcclusionSensitivity)
}
"""Method id -> class, in the order menus show them."""

DEFAULT_METHOD = GradCAM.method_id


def method_names() -> dict[str, str]:
    """Method id -> readable name, for drop-downs and ``--list-methods``."""
    return {method_id: cls.name for method_id, cls in METHODS.items()}


def create_explainer(method_id: str, **options: Any) -> Explainer:
    """A new explainer of the method ``method_id``, with its options.

    Raises:
        SettingsError: unknown method id.
    """
    cls = METHODS.get(method_id.lower())
    if cls is None:
        raise SettingsError(
            f"unknown explanation method '{method_id}'; use one of: {', '.join(METHODS)}"
        )
    return cls(**options)
