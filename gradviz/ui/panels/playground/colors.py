"""Colours of the Playground's pictures, from the theme: low values blue, zero the plot's
background, high values vermillion (the theme's negative and positive colours); class 2 green."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from gradviz.ui.theme import Theme


def _rgb(color: str) -> np.ndarray:
    c = QColor(color)
    return np.array([c.red(), c.green(), c.blue()], dtype=float)


def diverging_lut(theme: Theme, size: int = 256) -> np.ndarray:
    """A (size, 3) uint8 table: theme.negative → plot background → theme.positive."""
    low, mid, high = _rgb(theme.negative), _rgb(theme.plot_bg), _rgb(theme.positive)
    t = np.linspace(-1.0, 1.0, size)[:, None]
    table = np.where(t < 0, mid + (low - mid) * -t, mid + (high - mid) * t)
    return table.clip(0, 255).astype(np.ubyte)


def class_lut(theme: Theme) -> np.ndarray:
    """Three flat colours for the predicted class 0, 1, 2 (faded toward the background)."""
    bg = _rgb(theme.plot_bg)
    colors = [_rgb(theme.negative), _rgb(theme.positive), _rgb(theme.neutral)]
    return np.array([bg + (c - bg) * 0.55 for c in colors]).clip(0, 255).astype(np.ubyte)


def class_colors(theme: Theme) -> tuple[QColor, QColor, QColor]:
    return QColor(theme.negative), QColor(theme.positive), QColor(theme.neutral)

