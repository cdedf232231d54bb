"""The input plane: what the network predicts everywhere (the decision boundary), the training
points (filled) and the test points (hollow). A click adds a point, its class by mouse button; a
Shift-drag erases the hand-added points it passes over."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QWidget

from gradviz.core.playground_data import EXTENT
from gradviz.ui.panels.playground.colors import (
    class_colors,
    class_lut,
    diverging_lut,
)
from gradviz.ui.panels.playground.plot_bits import flexible_height, name_menu_controls
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.panel_section import QtSection
from gradviz.ui.widgets.plot_setup import make_plot

BUTTONS = {Qt.MouseButton.LeftButton: "left", Qt.MouseButton.RightButton: "right",
           Qt.MouseButton.MiddleButton: "middle"}
#: Radius (in input units) of the Shift-drag eraser.
ERASE_RADIUS = 0.08


class _InputPlaneBox(pg.ViewBox):
    """A view box that reports clicks and Shift-drags in data coordinates instead of panning."""

    clicked = Signal(float, float, str)
    erasing = Signal(float, float, bool)  # x, y, first sample of the stroke
    erased = Signal()

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        button = BUTTONS.get(ev.button())
        if button is None:
            return
        ev.accept()
        p = self.mapSceneToView(ev.scenePos())
        self.clicked.emit(p.x(), p.y(), button)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph's name
        if not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            ev.ignore()
            return
        ev.accept()
        p = self.mapSceneToView(ev.scenePos())
        self.erasing.emit(p.x(), p.y(), ev.isStart())
        if ev.isFinish():
            self.erased.emit()


class QtPlaneView(QtSection):
    """The decision boundary with the train and test points."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("boundary", parent)
        self.box_item = _InputPlaneBox()
        plot = pg.PlotWidget(viewBox=self.box_item)
        self.plot = make_plot("x1", "x2", plot=plot, name="input plane: decision boundary and "
                              "points", min_height=160)
        self.plot.setMouseEnabled(x=False, y=False)
        flexible_height(self.plot)
        name_menu_controls(self.plot)
        self.plot.setAspectLocked(True)
        self.plot.setRange(xRange=(-EXTENT, EXTENT), yRange=(-EXTENT, EXTENT), padding=0.02)
        self.box.addWidget(self.plot, 1)
        self.image = pg.ImageItem(axisOrder="row-major")
        self._rect = QRectF(-EXTENT, -EXTENT, 2 * EXTENT, 2 * EXTENT)
        self.plot.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=6)
        self.test_points = pg.ScatterPlotItem(size=6)
        for item in (self.train_points, self.test_points):
            item.setZValue(2)
            self.plot.addItem(item)
        self._theme: Theme | None = None
        self._task = "binary"

    def show_points(self, data, task: str) -> None:
        """``data`` = (x_train, y_train, x_test, y_test) tensors."""
        self._task = task
        x_tr, y_tr, x_te, y_te = (t.numpy() for t in data)
        train_brushes = self._brushes(y_tr, 255)
        test_pens = self._brushes(y_te, 255)
        self.train_points.setData(x_tr[:, 0], x_tr[:, 1], brush=train_brushes,
                                  pen=pg.mkPen(self._theme.plot_fg if self._theme else "k",
                                               width=0.6))
        pens: dict[int, QPen] = {}  # one pen per colour, as for the brushes
        for b in test_pens:
            if id(b) not in pens:
                pens[id(b)] = pg.mkPen(b.color(), width=1.6)
        self.test_points.setData(x_te[:, 0], x_te[:, 1], brush=pg.mkBrush(None),
                                 pen=[pens[id(b)] for b in test_pens])

    def _brushes(self, labels: np.ndarray, alpha: int) -> list:
        """A brush for each label, one brush object per colour: the scatter plot draws one
        symbol per distinct pen and brush object, and a thousand of them took ~50 ms."""
        if self._theme is None:
            return [pg.mkBrush("k")] * len(labels)
        if self._task == "regression":
            lut = diverging_lut(self._theme)
            top = max(float(np.abs(labels).max()) if len(labels) else 1.0, 1e-9)
            rows = ((labels / top + 1) / 2 * (len(lut) - 1)).round().astype(int).tolist()
            shared = {r: pg.mkBrush(*lut[r], alpha) for r in set(rows)}
            return [shared[r] for r in rows]
        colors = class_colors(self._theme)
        cache = [pg.mkBrush(c) for c in colors]
        return [cache[int(v)] for v in labels]

    def show_prediction(self, grid: np.ndarray) -> None:
        """The network's prediction on the grid (probability, class or value)."""
        if self._task == "multiclass":
            self.image.setImage(grid, levels=(0, 2), autoLevels=False, rect=self._rect)
        elif self._task == "binary":
            self.image.setImage(grid * 2 - 1, levels=(-1.4, 1.4), autoLevels=False, rect=self._rect)
        else:
            top = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
            top = max(top, 1e-9)
            self.image.setImage(np.nan_to_num(grid), levels=(-top, top), autoLevels=False,
                                rect=self._rect)
        self._set_lut()

    def _set_lut(self) -> None:
        if self._theme is not None:
            self.image.setLookupTable(class_lut(self._theme) if self._task == "multiclass"
                                      else diverging_lut(self._theme))

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        style_plot(self.plot, theme)
        self._set_lut()
