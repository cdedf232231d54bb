"""The 2D views linked to the surface: a contour map (height image + iso-lines, balls, trails,
optional −∇f field; click to put the ball there) and the loss-vs-step plot with its legend."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from gradviz.core.meshes import arrow_field_segments
from gradviz.core.surfaces import SCENE_HEIGHT, SurfaceGrid, height_lookup_table
from gradviz.ui.theme import Theme, style_plot

ARROW_YELLOW = "#FFD60A"


def _parent_plot_menus(plot: pg.PlotWidget) -> None:
    """pyqtgraph makes the plot's context menus top-level widgets without a parent; parent them
    to the plot (keeping their popup flags) so they die with it instead of leaking."""
    item = plot.getPlotItem()
    for menu in (getattr(item, "ctrlMenu", None), getattr(item.getViewBox(), "menu", None)):
        if menu is not None and menu.parent() is None:
            menu.setParent(plot, menu.windowFlags())


def _plain_axes(plot: pg.PlotWidget) -> None:
    """Numbers as they are: pyqtgraph would show a loss of 0.4 as "400" with "(x0.001)"."""
    for name in ("left", "bottom"):
        plot.getPlotItem().getAxis(name).enableAutoSIPrefix(False)


class QtContourView(pg.PlotWidget):
    """Top view of the surface. ``on_click(x, y)`` is called for a left click inside it."""

    def __init__(self, on_click: Callable[[float, float], None]) -> None:
        super().__init__()
        self.setObjectName("surface-contour")
        self._on_click = on_click
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(False, False)
        _parent_plot_menus(self)
        _plain_axes(self)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setLookupTable(height_lookup_table())
        self.addItem(self.image)
        self.isolines = pg.PlotDataItem(connect="pairs", pen=pg.mkPen((255, 255, 255, 150), width=1))
        self.addItem(self.isolines)
        self.field = pg.PlotDataItem(connect="pairs", pen=pg.mkPen((25, 25, 25, 210), width=1.2))
        self.addItem(self.field)
        self.trails: list[pg.PlotDataItem] = []
        self.arrows: list[pg.PlotDataItem] = []
        self.balls = pg.ScatterPlotItem(size=15, pen=pg.mkPen("#202020", width=1.5))
        self.balls.setZValue(10)
        self.addItem(self.balls)
        self.start_marker = pg.ScatterPlotItem(size=11, symbol="x",
                                               pen=pg.mkPen("#FFFFFF", width=2), brush=None)
        self.start_marker.setZValue(9)
        self.addItem(self.start_marker)
        self.scene().sigMouseClicked.connect(self._clicked)
        self.domain = None
        self._start: tuple[float, float] | None = None
        self._brushes: dict = {}

    def set_grid(self, grid: SurfaceGrid, show_field: bool) -> None:
        d = grid.surface.domain
        self.domain = d
        self.image.setImage(grid.height / SCENE_HEIGHT, levels=(0.0, 1.0), autoLevels=False)
        self.image.setRect(QRectF(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0))
        pts = grid.contours()[1].reshape(-1, 2)
        self.isolines.setData(pts[:, 0], pts[:, 1]) if len(pts) else self.isolines.setData([], [])
        self.set_field(grid, show_field)
        a, b = grid.surface.names
        self.setLabel("bottom", a)
        self.setLabel("left", b)
        # Limits first: the previous surface's limits would clamp (shift) the new range.
        w, h = d.x1 - d.x0, d.y1 - d.y0
        vb = self.getPlotItem().vb
        vb.setLimits(xMin=d.x0 - 0.5 * w, xMax=d.x1 + 0.5 * w, yMin=d.y0 - 0.5 * h,
                     yMax=d.y1 + 0.5 * h)
        self.setRange(xRange=(d.x0, d.x1), yRange=(d.y0, d.y1), padding=0.0)
        # Trails that run off the surface must not zoom the map out.
        vb.disableAutoRange()

    def set_field(self, grid: SurfaceGrid, show: bool) -> None:
        self.field.setVisible(show)
        if show:
            pts = arrow_field_segments(grid.surface).reshape(-1, 2)
            self.field.setData(pts[:, 0], pts[:, 1]) if len(pts) else self.field.setData([], [])

    def set_balls(self, positions: list[tuple[float, float] | None], trails: list[np.ndarray],
                  arrows: list[np.ndarray | None], colours: list[str],
                  start: tuple[float, float]) -> None:
        while len(self.trails) < len(positions):
            trail = pg.PlotDataItem(pen=pg.mkPen(colours[len(self.trails)], width=2))
            trail.setZValue(5)
            self.addItem(trail)
            self.trails.append(trail)
            arrow = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(ARROW_YELLOW, width=3))
            arrow.setZValue(8)
            self.addItem(arrow)
            self.arrows.append(arrow)
        xs, ys, brushes = [], [], []
        for i, trail in enumerate(self.trails):
            if i < len(positions) and positions[i] is not None:
                if getattr(trail, "_colour", None) != colours[i]:
                    trail._colour = colours[i]
                    trail.setPen(pg.mkPen(colours[i], width=2))
                path = trails[i]
                trail.setData(path[:, 0], path[:, 1])
                trail.setVisible(True)
                x, y = positions[i]
                xs.append(x)
                ys.append(y)
                brushes.append(self._brush(colours[i]))
                seg = arrows[i]
                if seg is not None and len(seg):
                    self.arrows[i].setData(seg[:, 0], seg[:, 1])
                    self.arrows[i].setVisible(True)
                else:
                    self.arrows[i].setVisible(False)
            else:
                trail.setVisible(False)
                self.arrows[i].setVisible(False)
        self.balls.setData(x=xs, y=ys, brush=brushes)
        if start != self._start:
            self._start = start
            self.start_marker.setData([start[0]], [start[1]])

    def _brush(self, colour: str):
        if colour not in self._brushes:
            self._brushes[colour] = pg.mkBrush(colour)
        return self._brushes[colour]

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.domain is None:
            return
        vb = self.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        x, y = float(p.x()), float(p.y())
        if self.domain.contains(x, y):
            event.accept()
            self._on_click(x, y)

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self, theme)


class QtLossPlot(pg.PlotWidget):
    """Loss against step, one curve per ball, with a legend that carries each ball's state."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("surface-loss-plot")
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(True, True, alpha=0.25)
        _parent_plot_menus(self)
        _plain_axes(self)
        self.setLabel("bottom", "step")
        self.setLabel("left", "loss f")
        self.getPlotItem().vb.setLimits(xMin=-1)
        self.legend = item.addLegend(offset=(-8, 8), labelTextSize="10pt")
        self.curves: list[pg.PlotDataItem] = []
        self.heads: list[pg.PlotDataItem] = []
        self._names: list[str] = []
        #: The loss's name on the axis ("f", or "L" for the mini network).
        self.symbol = "f"
        self._label = ""

    def set_curves(self, losses: list[np.ndarray], names: list[str], colours: list[str]) -> None:
        if names != self._names or len(self.curves) != len(losses):
            for curve in self.curves:
                self.legend.removeItem(curve)
                self.removeItem(curve)
            for head in self.heads:
                self.removeItem(head)
            self.curves = [pg.PlotDataItem(pen=pg.mkPen(c, width=2.2), name=n)
                           for c, n in zip(colours, names, strict=True)]
            # A dot on each curve's newest point (a single point draws no line at step 0).
            self.heads = [pg.PlotDataItem(pen=None, symbol="o", symbolSize=8,
                                          symbolBrush=c, symbolPen=pg.mkPen(c))
                          for c in colours]
            for item in (*self.curves, *self.heads):
                self.addItem(item)
            self._names = list(names)
        longest = 0
        everything = np.concatenate(losses) if losses else np.zeros(0)
        everything = everything[np.isfinite(everything)]
        # Losses spanning decades (Rosenbrock, Adagrad's first jump) read better on a log axis;
        # it needs every value positive.
        log = bool(everything.size and everything.min() > 0
                   and everything.max() / everything.min() > 100)
        if log != self.getPlotItem().ctrl.logYCheck.isChecked():
            self.setLogMode(y=log)
        label = f"loss {self.symbol}" + (" (log scale)" if log else "")
        if label != self._label:
            self._label = label
            self.setLabel("left", label)
        for curve, head, values in zip(self.curves, self.heads, losses, strict=True):
            finite = np.where(np.isfinite(values), values, np.nan)
            curve.setData(np.arange(len(values)), finite)
            last = len(values) - 1
            if last >= 0 and np.isfinite(values[last]):
                head.setData([last], [values[last]])
            else:
                head.setData([], [])
            longest = max(longest, len(values))
        if longest < 10:
            # A single point would leave the axis at pyqtgraph's ±400 default.
            self.setXRange(0, 10, padding=0.02)
        else:
            self.enableAutoRange(axis="x")

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self, theme)
        self.legend.setLabelTextColor(theme.plot_fg)
