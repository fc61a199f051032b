"""Image-quality and scope checks: is this a usable dermoscopy image?

Warnings inform, they never block: the caller shows them next to the result.
Each check measures one number on a copy downscaled to 256 px on the long
side (inside the dermatoscope's field of view) and compares it with a fixed
limit. The limits were set so that real dermoscopy images rarely trigger
them: on random samples of 1,500 HAM10000, 1,000 ISIC 2017 and 660 Kaggle
images no check fired at all (sharpness: the lowest 1 % of HAM10000 images
measure about 4.5 against the limit of 3). ``tests/core/test_quality.py``
prints the rate on a smaller sample. Note the 84×84 ISIC 2019 copies are
"too small" by design.

Recognising a non-dermoscopy *photo* (a face, a wound photographed
from afar) is beyond these simple cues; the colour and "no lesion found"
checks catch only the obvious cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from skindesk.core import _segment_ops as ops
from skindesk.core.segmentation import SegmentationResult

MIN_SHORT_SIDE = 100  # px; the 200×150 HAM10000 copies pass, thumbnails do not
MIN_SHARPNESS = 3.0  # variance of the Laplacian at 256 px; real images: 1st pct ≈ 4.5
MIN_MEAN_BRIGHTNESS = 60  # HSV value 0-255; real images: lowest ≈ 105
MAX_CLIPPED_FRACTION = 0.25  # pixels saturated white in every channel
MIN_CHANNEL_STD = 4.0  # grey levels; real images: grey std ≥ 5
MIN_PAPER_FRACTION = 0.5  # bright, colourless pixels of a document
MIN_STROKE_FRACTION = 0.02  # thin, dark, high-contrast strokes (printed text)
MAX_UNUSUAL_HUE_FRACTION = 0.3  # greens and cyans, which skin does not have


@dataclass(frozen=True)
class QualityWarning:
    """One problem with an image, in words for the clinician.

    Attributes:
        code: stable identifier, e.g. ``"out_of_focus"``.
        message: plain-language explanation and what to do.
        value: the measured number that triggered the warning.
        limit: the limit it crossed.
    """

    code: str
    message: str
    value: float
    limit: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"code": self.code, "message": self.message,
                "value": round(float(self.value), 4), "limit": float(self.limit)}


@dataclass
class _View:
    """The image as the checks see it: shared so each is computed once."""

    shape: tuple[int, int]
    small: np.ndarray  # RGB, long side 256
    gray: np.ndarray
    hsv: np.ndarray  # H×W×3 int
    fov: np.ndarray  # bool, inside the dermatoscope's field of view

    @classmethod
    def of(cls, rgb: np.ndarray) -> _View:
        small = ops.to_working_size(rgb)
        fov = ~ops.frame_mask(small)
        if fov.sum() < 0.05 * fov.size:  # all dark: judge the whole image
            fov = np.ones_like(fov)
        return cls(
            shape=(int(rgb.shape[0]), int(rgb.shape[1])),
            small=small,
            gray=cv2.cvtColor(small, cv2.COLOR_RGB2GRAY),
            hsv=cv2.cvtColor(small, cv2.COLOR_RGB2HSV).astype(np.int32),
            fov=fov,
        )


def _too_small(view: _View) -> QualityWarning | None:
    short = min(view.shape)
    if short >= MIN_SHORT_SIDE:
        return None
    return QualityWarning(
        "too_small",
        f"The image is only {short} pixels on its short side; fine detail is lost. "
        "Use the original, full-size image if you have it.",
        short, MIN_SHORT_SIDE)


def _out_of_focus(view: _View) -> QualityWarning | None:
    sharpness = float(cv2.Laplacian(view.gray.astype(np.float32), cv2.CV_32F).var())
    if sharpness >= MIN_SHARPNESS:
        return None
    return QualityWarning(
        "out_of_focus",
        "The image looks blurred (out of focus or moved). Results on blurred images "
        "are less reliable; retake it if you can.",
        sharpness, MIN_SHARPNESS)


def _exposure(view: _View) -> QualityWarning | None:
    value = view.hsv[..., 2][view.fov]
    mean = float(value.mean())
    if mean < MIN_MEAN_BRIGHTNESS:
        return QualityWarning(
            "too_dark",
            "The image is very dark (under-exposed); colours and borders may be hidden.",
            mean, MIN_MEAN_BRIGHTNESS)
    clipped = float((ops.channel_min(view.small) >= 250)[view.fov].mean())
    if clipped > MAX_CLIPPED_FRACTION:
        return QualityWarning(
            "too_bright",
            f"{clipped:.0%} of the image is burnt out to pure white (over-exposed); "
            "colours there are lost.",
            clipped, MAX_CLIPPED_FRACTION)
    return None


def _plain(view: _View) -> QualityWarning | None:
    spread = float(cv2.meanStdDev(view.small)[1].max())  # per-channel std, as NumPy's, ~20× faster
    if spread >= MIN_CHANNEL_STD:
        return None
    return QualityWarning(
        "plain_image",
        "The image is almost a single plain colour; there is nothing to analyse.",
        spread, MIN_CHANNEL_STD)


def _document(view: _View) -> QualityWarning | None:
    sat, val = view.hsv[..., 1], view.hsv[..., 2]
    paper = float(((val > 200) & (sat < 25))[view.fov].mean())
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    blackhat = cv2.morphologyEx(view.gray, cv2.MORPH_BLACKHAT, disc)
    strokes = float(((blackhat > 60) & (view.gray < 110))[view.fov].mean())
    if paper <= MIN_PAPER_FRACTION or strokes <= MIN_STROKE_FRACTION:
        return None
    return QualityWarning(
        "looks_like_document",
        "This looks like a document or text (white page with dark print), "
        "not a dermoscopy image of a skin lesion.",
        strokes, MIN_STROKE_FRACTION)


def _unusual_colours(view: _View) -> QualityWarning | None:
    hue, sat, val = view.hsv[..., 0], view.hsv[..., 1], view.hsv[..., 2]
    # OpenCV hue 35-95 (of 180) is yellow-green to cyan: absent from skin and lesions.
    unusual = (hue >= 35) & (hue <= 95) & (sat >= 40) & (val >= 40)
    fraction = float(unusual[view.fov].mean())
    if fraction <= MAX_UNUSUAL_HUE_FRACTION:
        return None
    return QualityWarning(
        "not_skin_colours",
        f"{fraction:.0%} of the image has green or cyan colours that skin does not have; "
        "it may not be a dermoscopy image of a skin lesion.",
        fraction, MAX_UNUSUAL_HUE_FRACTION)


_CHECKS: tuple[Callable[[_View], QualityWarning | None], ...] = (
    _too_small, _out_of_focus, _exposure, _plain, _document, _unusual_colours,
)


def check_quality(
    rgb: np.ndarray, segmentation: SegmentationResult | None = None
) -> list[QualityWarning]:
    """Warnings about an image's quality and whether it is in scope.

    Args:
        rgb: H×W×3 uint8 RGB image.
        segmentation: the image's segmentation, if already computed; adds a
            warning when no lesion stands out from the skin.

    Returns:
        The warnings found, possibly none. Never raises for odd images.
    """
    image = np.asarray(rgb)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    view = _View.of(np.ascontiguousarray(image[..., :3], dtype=np.uint8))
    warnings = [w for check in _CHECKS if (w := check(view)) is not None]
    if segmentation is not None and not segmentation.found:
        warnings.append(QualityWarning(
            "no_lesion_found",
            f"No lesion could be outlined ({segmentation.reason}); "
            "it may not be a dermoscopy image, or the lesion is very faint.",
            0.0, 0.0))
    return warnings
