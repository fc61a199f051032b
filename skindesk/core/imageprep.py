"""Turning an RGB image into the array a model expects (no TensorFlow here).

This runs in worker threads during batch scans, so it is plain NumPy and
OpenCV. ``cv2.resize`` with INTER_LINEAR uses half-pixel centres without
antialiasing, the same sampling as ``tf.image.resize(..., 'bilinear')`` that
the bundled model was trained with.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from skindesk.core.modelcard import ModelCard

_INTERPOLATION = {
    "bilinear": cv2.INTER_LINEAR,
    "nearest": cv2.INTER_NEAREST,
    "bicubic": cv2.INTER_CUBIC,
    "area": cv2.INTER_AREA,
}
_IMAGENET_CAFFE_BGR_MEAN = np.array([103.939, 116.779, 123.68], dtype=np.float32)
_IMAGENET_TORCH_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_IMAGENET_TORCH_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def resize_for_model(rgb: np.ndarray, card: ModelCard) -> np.ndarray:
    """Resize an RGB image to the card's input size, as float32.

    Resizing in float (not uint8) keeps the interpolated values unrounded,
    exactly as TensorFlow's resize produced them during training.
    """
    height, width = card.input_size
    pixels = rgb.astype(np.float32)
    if rgb.shape[:2] == (height, width):
        return pixels
    interpolation = _INTERPOLATION.get(card.resize, cv2.INTER_LINEAR)
    return cv2.resize(pixels, (width, height), interpolation=interpolation)


def scale_pixels(resized: Any, scaling: str) -> Any:
    """Apply the card's pixel scaling to a resized RGB image -> float32.

    Also takes a float32 TensorFlow tensor (training's input pipeline), so
    training and the engine scale pixels with one piece of code.
    """
    pixels = resized.astype(np.float32, copy=False) if isinstance(resized, np.ndarray) else resized
    if scaling == "none":
        return pixels
    if scaling == "rescale":
        return pixels / 255.0
    if scaling == "minus-one-one":
        return pixels / 127.5 - 1.0
    if scaling == "imagenet-caffe":
        return pixels[..., ::-1] - _IMAGENET_CAFFE_BGR_MEAN
    if scaling == "imagenet-torch":
        return (pixels / 255.0 - _IMAGENET_TORCH_MEAN) / _IMAGENET_TORCH_STD
    raise ValueError(f"unknown pixel scaling {scaling!r}")


def prepare_image(rgb: np.ndarray, card: ModelCard) -> np.ndarray:
    """Resize and scale one uint8 RGB image for the card's model (float32 H×W×3)."""
    return scale_pixels(resize_for_model(rgb, card), card.pixel_scaling)
