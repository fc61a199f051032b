"""One lesion's outline, measurements and image-quality warnings, as data.

Shared by ``skindesk segment``, ``skindesk predict --segment`` and the
service, so every front end reports a lesion the same way.
"""

from __future__ import annotations

from typing import Any


def analyse_lesion(rgb: Any, spacing: float | None = None) -> dict[str, Any]:
    """Segmentation, measurements and quality warnings as one JSON-ready dict.

    The mask array is returned under ``"_mask"`` for the caller to save.
    """
    from skindesk.core.measurements import measure_lesion
    from skindesk.core.quality import check_quality
    from skindesk.core.segmentation import segment_lesion

    result = segment_lesion(rgb)
    measurements = measure_lesion(result.mask, rgb, spacing) if result.found else None
    warnings = check_quality(rgb, result)
    return {
        "width": int(rgb.shape[1]),
        "height": int(rgb.shape[0]),
        "found": result.found,
        "reason": result.reason,
        "confidence": result.confidence,
        "box": list(result.box) if result.box else None,
        "box_convention": "left, top, right, bottom in pixels; right and bottom exclusive",
        "area_px": result.area_px,
        "notes": result.notes,
        "measurements": measurements.to_dict() if measurements else None,
        "quality_warnings": [w.to_dict() for w in warnings],
        "_mask": result.mask,
    }
