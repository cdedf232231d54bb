"""Rendering widgets to images, and telling a real picture from a blank one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget


def image_to_array(image: QImage) -> np.ndarray:
    """An ``(h, w, 4)`` uint8 RGBA copy of a QImage."""
    img = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = img.width(), img.height()
    if w == 0 or h == 0:
        return np.zeros((0, 0, 4), np.uint8)
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.sizeInBytes())
    return buf.reshape(h, img.bytesPerLine())[:, : w * 4].reshape(h, w, 4).copy()


@dataclass(frozen=True)
class PictureStats:
    width: int
    height: int
    colours: int  # distinct colours (RGB)
    std: float  # standard deviation of the grey level
    dominant: float  # share of the most common colour

    @property
    def blank(self) -> bool:
        """A panel that drew text, lines or a surface has many colours and contrast."""
        return self.width < 10 or self.height < 10 or self.colours < 8 or self.std < 4.0


def picture_stats(image: QImage) -> PictureStats:
    arr = image_to_array(image)
    if arr.size == 0:
        return PictureStats(0, 0, 0, 0.0, 1.0)
    rgb = arr[..., :3].reshape(-1, 3).astype(np.uint32)
    packed = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    _, counts = np.unique(packed, return_counts=True)
    grey = arr[..., :3].mean(axis=2)
    return PictureStats(arr.shape[1], arr.shape[0], len(counts), float(grey.std()),
                        float(counts.max() / packed.size))


def grab(widget: QWidget) -> QImage:
    """Render a widget (OpenGL children included) to an image."""
    return widget.grab().toImage()
