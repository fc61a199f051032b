"""Size, shape and colour measurements of a segmented lesion, with an ABCD heuristic.

All lengths are in image pixels, plus millimetres when the caller knows the
pixel spacing (mm per pixel) of the image. The ABCD part follows the
dermoscopy ABCD rule's total dermoscopy score (TDS = 1.3 A + 0.1 B + 0.5 C
+ 0.5 D; Stolz et al. 1994), but only approximately:

- A (0-2) is shape asymmetry only: the number of principal axes about which
  more than :data:`ASYMMETRY_THRESHOLD` of the area does not overlap its
  mirror image (the rule also counts colour and structure asymmetry);
- B (0-8) is a proxy: the number of 45° sectors in which CIELAB lightness
  steps by at least :data:`ABRUPT_STEP_L` across the border;
- C (1-6) is the number of the six dermoscopy colours found
  (:mod:`.dermoscopy_colours`);
- D (differential structures: network, structureless areas, dots, globules,
  streaks) cannot be measured here, so we report the partial score without
  it and the range the full TDS would span for D = 1...5.

The thresholds were set by looking at HAM10000 ground-truth masks (nevi vs
melanomas), not fitted. **This is a heuristic that has not been validated**;
it must not be read as the clinician's ABCD score.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from skindesk.core import _shape, dermoscopy_colours

ASYMMETRY_THRESHOLD = 0.10  # non-overlapping fraction above which an axis is asymmetric
ABRUPT_STEP_L = 8.0  # L* step (0-100 scale) across the border that counts as abrupt
TDS_LABEL = "heuristic ABCD total dermoscopy score (not validated; D not measured)"


@dataclass
class LesionMeasurements:
    """Measurements of one lesion mask; see the module docstring for the ABCD part."""

    area_px: int
    perimeter_px: float
    equivalent_diameter_px: float
    max_diameter_px: float
    box: tuple[int, int, int, int] | None  # left, top, right, bottom; right/bottom exclusive
    centroid: tuple[float, float]  # x, y
    asymmetry_major: float  # 0 symmetric ... 1, about the major axis
    asymmetry_minor: float  # about the minor axis
    asymmetry_score: int  # A: 0, 1 or 2 asymmetric axes
    compactness: float  # P^2 / (4 pi A): 1 for a circle, larger when irregular
    border_abrupt_sectors: int | None  # B proxy, 0-8; None without the image
    colour_fractions: dict[str, float] = field(default_factory=dict)
    colours: list[str] = field(default_factory=list)
    pixel_spacing_mm: float | None = None
    area_mm2: float | None = None
    equivalent_diameter_mm: float | None = None
    max_diameter_mm: float | None = None
    tds_partial: float | None = None  # 1.3 A + 0.1 B + 0.5 C, without D
    tds_range: tuple[float, float] | None = None  # with D = 1 and D = 5
    tds_label: str = TDS_LABEL

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready values (lists instead of tuples, Python numbers)."""
        data = asdict(self)
        for key in ("box", "centroid", "tds_range"):
            if data[key] is not None:
                data[key] = list(data[key])
        return data


def measure_lesion(
    mask: np.ndarray, rgb: np.ndarray | None = None, pixel_spacing_mm: float | None = None
) -> LesionMeasurements:
    """Measure the largest lesion region of a mask.

    Args:
        mask: H×W mask, non-zero inside the lesion (e.g. 0/255 uint8).
        rgb: the H×W×3 uint8 RGB image, for the border and colour parts;
            without it those parts (and the TDS) are left empty.
        pixel_spacing_mm: millimetres per pixel, if known, for the mm values.

    Raises:
        ValueError: if the mask is empty or the spacing is not positive.
    """
    binary = _largest_region(mask)
    if pixel_spacing_mm is not None and not pixel_spacing_mm > 0:
        raise ValueError(f"pixel spacing must be positive, got {pixel_spacing_mm}")
    area = int(binary.sum())
    contour = _shape.outer_contour(binary)
    perimeter = _shape.smoothed_perimeter(contour)
    cx, cy, angle = _shape.principal_axes(binary)
    asym_major = _shape.reflection_asymmetry(binary, cx, cy, angle)
    asym_minor = _shape.reflection_asymmetry(binary, cx, cy, angle + math.pi / 2)
    result = LesionMeasurements(
        area_px=area,
        perimeter_px=round(perimeter, 2),
        equivalent_diameter_px=round(math.sqrt(4 * area / math.pi), 2),
        max_diameter_px=round(_shape.max_diameter(contour), 2),
        box=_box(binary),
        centroid=(round(cx, 2), round(cy, 2)),
        asymmetry_major=round(asym_major, 4),
        asymmetry_minor=round(asym_minor, 4),
        asymmetry_score=int(asym_major > ASYMMETRY_THRESHOLD)
        + int(asym_minor > ASYMMETRY_THRESHOLD),
        compactness=round(_compactness(contour, perimeter), 4),
        border_abrupt_sectors=None,
    )
    if rgb is not None:
        _add_colour_and_border(result, np.asarray(rgb), binary)
    if pixel_spacing_mm is not None:
        _add_millimetres(result, float(pixel_spacing_mm))
    return result


def _largest_region(mask: np.ndarray) -> np.ndarray:
    binary = (np.asarray(mask) > 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        raise ValueError("the lesion mask is empty")
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def _box(binary: np.ndarray) -> tuple[int, int, int, int]:
    x, y, w, h = cv2.boundingRect(binary.astype(np.uint8))
    return int(x), int(y), int(x + w), int(y + h)


def _compactness(contour: np.ndarray, perimeter: float) -> float:
    # Perimeter and area from the same smoothed outline, so a circle gives ~1;
    # at least 1 px² of area so a one-pixel-wide sliver stays finite.
    area = max(_shape.polygon_area(contour), 1.0)
    return perimeter**2 / (4 * math.pi * area)


def _add_colour_and_border(
    result: LesionMeasurements, rgb: np.ndarray, binary: np.ndarray
) -> None:
    fractions = dermoscopy_colours.colour_fractions(rgb, binary)
    result.colour_fractions = fractions
    result.colours = dermoscopy_colours.colours_present(fractions)
    lightness = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)[..., 0].astype(np.float32) * (100 / 255)
    steps = _shape.sector_edge_contrast(lightness, binary, *result.centroid)
    result.border_abrupt_sectors = sum(abs(s) >= ABRUPT_STEP_L for s in steps if not math.isnan(s))
    colour_score = max(1, len(result.colours))  # C is 1-6: a lesion has some colour
    partial = 1.3 * result.asymmetry_score + 0.1 * result.border_abrupt_sectors
    partial += 0.5 * colour_score
    result.tds_partial = round(partial, 2)
    result.tds_range = (round(partial + 0.5, 2), round(partial + 2.5, 2))


def _add_millimetres(result: LesionMeasurements, spacing: float) -> None:
    result.pixel_spacing_mm = spacing
    result.area_mm2 = round(result.area_px * spacing**2, 3)
    result.equivalent_diameter_mm = round(result.equivalent_diameter_px * spacing, 3)
    result.max_diameter_mm = round(result.max_diameter_px * spacing, 3)
