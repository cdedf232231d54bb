"""Small set-up steps shared by the Playground's three plots."""

from __future__ import annotations

import re

import pyqtgraph as pg
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QAbstractSpinBox, QSizePolicy


def flexible_height(plot: pg.PlotWidget) -> None:
    """Let a plot take whatever height is left: its preferred height is ignored (pyqtgraph asks
    for 480 px), so the panel fits its dock without a scroll bar; the minimum still holds."""
    plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)


def name_menu_controls(plot: pg.PlotWidget) -> None:
    """pyqtgraph's hidden plot-options menu (disabled by ``make_plot``) still holds spin boxes and
    sliders; give each a name from its object name so screen readers never meet a nameless
    control (``maxTracesSpin`` → "max traces")."""
    for widget in plot.findChildren(QAbstractSpinBox) + plot.findChildren(QAbstractSlider) \
            + plot.findChildren(QAbstractButton):
        if not widget.accessibleName() and widget.objectName():
            words = re.sub(r"(Spin|Slider|Check|Radio)$", "", widget.objectName())
            widget.setAccessibleName(re.sub(r"(?<!^)([A-Z])", r" \1", words).lower())
