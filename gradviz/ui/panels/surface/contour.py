"""The 2D views linked to the surface: a contour map (height image + iso-lines, balls, trails,
optional −∇f field; click to put the ball there) and the loss-vs-step plot with its legend."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGraphicsItem

from gradviz.core.meshes import arrow_field_segments
from gradviz.core.surfaces import SCENE_HEIGHT, SurfaceGrid, height_lookup_table
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.plot_setup import make_plot

ARROW_YELLOW = "#FFD60A"


def _plain_bottom_axis(plot: pg.PlotWidget) -> None:
    """Numbers as they are: pyqtgraph would show step 2000 as "2" with "(x1000)"."""
    plot.getPlotItem().getAxis("bottom").enableAutoSIPrefix(False)


class QtContourView(pg.PlotWidget):
    """Top view of the surface. ``on_click(x, y)`` is called for a left click inside it."""

    def __init__(self, on_click: Callable[[float, float], None]) -> None:
        super().__init__()
        make_plot(si_prefix=False, plot=self)
        _plain_bottom_axis(self)
        self.setObjectName("surface-contour")
        self._on_click = on_click
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setLookupTable(height_lookup_table())
        self.addItem(self.image)
        self.isolines = pg.PlotDataItem(connect="pairs", pen=pg.mkPen((255, 255, 255, 150), width=1))
        self.addItem(self.isolines)
        self.field = pg.PlotDataItem(connect="pairs", pen=pg.mkPen((25, 25, 25, 210), width=1.2))
        self.addItem(self.field)
        # Thousands of short strokes: kept as pixels until the lines or the view change (a
        # scene change paints the window more than once).
        for item in (self.isolines, self.field):
            item.curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.trails: list[pg.PlotCurveItem] = []
        self.arrows: list[pg.PlotCurveItem] = []
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
        # Plain curve items, not PlotDataItems: these change every step, and the map has no
        # log axes or downsampling for the data item's extra layer to handle.
        while len(self.trails) < len(positions):
            trail = pg.PlotCurveItem(pen=pg.mkPen(colours[len(self.trails)], width=2),
                                     connect="finite")
            trail.setZValue(5)
            self.addItem(trail)
            self.trails.append(trail)
            arrow = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(ARROW_YELLOW, width=3))
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
        make_plot("step", "loss f", grid=0.25, si_prefix=False, plot=self)
        _plain_bottom_axis(self)
        self.setObjectName("surface-loss-plot")
        self.getPlotItem().vb.setLimits(xMin=-1)
        self.legend = self.getPlotItem().addLegend(offset=(-8, 8), labelTextSize="10pt")
        # Plain curve items and one scatter item for every curve's newest point: they change
        # on every step, and a PlotDataItem per curve and per dot cost more than the drawing.
        # The log axis is applied to the values here (the data items would do it themselves).
        self.curves: list[pg.PlotCurveItem] = []
        self.heads = pg.ScatterPlotItem(size=8, symbol="o")
        self.heads.setZValue(1)  # above the curves, as each curve's end dot
        self.addItem(self.heads)
        self._head_styles: tuple[list, list] = ([], [])
        self._names: list[str] = []
        #: The loss's name on the axis ("f", or "L" for the mini network).
        self.symbol = "f"
        self._label = ""

    def _rebuild(self, names: list[str], colours: list[str]) -> None:
        for curve in self.curves:
            self.legend.removeItem(curve)
            self.removeItem(curve)
        self.curves = [pg.PlotCurveItem(pen=pg.mkPen(c, width=2.2), name=n, connect="finite")
                       for c, n in zip(colours, names, strict=True)]
        for curve in self.curves:
            self.addItem(curve)
        # Brush and pen objects made once: the symbol cache keys on the objects, so colour
        # names would render the dots afresh on every step.
        self._head_styles = ([pg.mkBrush(c) for c in colours], [pg.mkPen(c) for c in colours])
        self._names = list(names)

    def _use_log(self, losses: list[np.ndarray]) -> bool:
        """Losses spanning decades (Rosenbrock, Adagrad's first jump) read better on a log axis;
        it needs every value positive. Switches the axis and its label; returns the choice."""
        everything = np.concatenate(losses) if losses else np.zeros(0)
        everything = everything[np.isfinite(everything)]
        log = bool(everything.size and everything.min() > 0
                   and everything.max() / everything.min() > 100)
        if log != self.getPlotItem().ctrl.logYCheck.isChecked():
            self.setLogMode(y=log)
        label = f"loss {self.symbol}" + (" (log scale)" if log else "")
        if label != self._label:
            self._label = label
            self.setLabel("left", label)
        return log

    def set_curves(self, losses: list[np.ndarray], names: list[str], colours: list[str]) -> None:
        if names != self._names or len(self.curves) != len(losses):
            self._rebuild(names, colours)
        log = self._use_log(losses)
        hx, hy, brushes, pens = [], [], [], []
        for i, (curve, values) in enumerate(zip(self.curves, losses, strict=True)):
            shown = np.where(np.isfinite(values), values, np.nan)
            if log:
                shown = np.log10(shown)
            curve.setData(np.arange(len(values)), shown)
            last = len(values) - 1
            if last >= 0 and np.isfinite(values[last]):
                hx.append(last)
                hy.append(shown[last])
                brushes.append(self._head_styles[0][i])
                pens.append(self._head_styles[1][i])
        self.heads.setData(x=hx, y=hy, brush=brushes, pen=pens)
        if max((len(v) for v in losses), default=0) < 10:
            # A single point would leave the axis at pyqtgraph's ±400 default.
            self.setXRange(0, 10, padding=0.02)
        else:
            self.enableAutoRange(axis="x")

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self, theme)
        self.legend.setLabelTextColor(theme.plot_fg)
