"""The neuron graph: one heatmap tile per neuron (its output over the input plane) and every
weight as an edge coloured by sign and sized by magnitude. Hovering an edge shows the weight and
its gradient; clicking an edge or a tile reports it to the panel."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QWidget

from gradviz.core.playground_view import (
    LAYER_GAP,
    NEURON_GAP,
    TILE,
    WIDTHS,
    EdgeTable,
    Mosaic,
    edge_bins,
    edge_table,
    mosaic_layout,
    mosaic_rgba,
    nearest_edge,
    nearest_neuron,
    neuron_positions,
    weight_text,
    with_values,
)
from gradviz.ui.panels.playground.colors import diverging_lut
from gradviz.ui.panels.playground.plot_bits import flexible_height, name_menu_controls
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.panel_section import QtSection, wrapped_label
from gradviz.ui.widgets.plot_setup import make_plot

#: How close (scene units) the pointer must be to an edge to hover or click it.
EDGE_TOLERANCE = 0.04


class QtNetworkView(QtSection):
    """The network picture. Signals: ``weight_clicked(layer, j, k)`` and
    ``neuron_clicked(layer, j)`` (layer 0 is the inputs)."""

    weight_clicked = Signal(int, int, int)
    neuron_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("network", parent)
        self.plot = make_plot(name="network: neurons and weights", min_height=180)
        for axis in ("left", "bottom"):
            self.plot.hideAxis(axis)
        self.plot.setMouseEnabled(x=False, y=False)
        flexible_height(self.plot)
        name_menu_controls(self.plot)
        self.plot.setAspectLocked(True)
        self.box.addWidget(self.plot, 1)
        self.hover_label = wrapped_label("Hover a weight for its value and gradient.")
        self.box.addWidget(self.hover_label)
        self.edge_items = [[pg.PlotCurveItem() for _ in WIDTHS] for _ in (True, False)]
        for pair in self.edge_items:
            for item in pair:
                self.plot.addItem(item)
        self.selected_edge = pg.PlotCurveItem()
        self.selected_edge.setZValue(5)
        self.plot.addItem(self.selected_edge)
        self.tiles = pg.ImageItem(axisOrder="row-major")
        self.tiles.setZValue(3)
        self.plot.addItem(self.tiles)
        self.mosaic: Mosaic | None = None
        self._image = None
        self.sizes: list[int] = []
        self.frame = pg.PlotCurveItem()
        self.frame.setZValue(6)
        self.plot.addItem(self.frame)
        self.positions: list[np.ndarray] = []
        self.table: EdgeTable | None = None
        self._lut = None
        self._frame = (128, 128, 128)
        self._theme: Theme | None = None
        self.plot.scene().sigMouseMoved.connect(self._on_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)

    # -- structure --------------------------------------------------------------------------
    def set_sizes(self, sizes: list[int]) -> None:
        """Lay the picture out for layers of these sizes (inputs first)."""
        self.sizes = list(sizes)
        self.positions = neuron_positions(sizes)
        self.mosaic = mosaic_layout(self.positions)
        self._image = None
        self.table = None  # laid out again at the next redraw
        half = (max(sizes) - 1) / 2 * NEURON_GAP + TILE
        self.plot.setRange(xRange=(-TILE, (len(sizes) - 1) * LAYER_GAP + TILE),
                           yRange=(-half, half), padding=0.02)
        self.select(None, None)

    # -- drawing ----------------------------------------------------------------------------
    def show_network(self, network, maps: list[np.ndarray]) -> None:
        """Edges from the network's weights and gradients, tiles from ``maps`` (one (n, h, w)
        array per layer, inputs first)."""
        if self.table is None or len(self.table.index) != sum(
                a * b for a, b in zip(self.sizes, self.sizes[1:], strict=False)):
            self.table = edge_table(network, self.positions)
        else:
            self.table = with_values(self.table, network)
        shown = {(p, b) for p, b, _ in edge_bins(self.table.weights)}
        for positive, b, idx in edge_bins(self.table.weights):
            seg = self.table.segments[idx]
            xs = seg[:, [0, 2]].ravel()
            ys = seg[:, [1, 3]].ravel()
            self.edge_items[0 if positive else 1][b].setData(xs, ys, connect="pairs")
        for p, pair in enumerate(self.edge_items):
            for b, item in enumerate(pair):
                if (p == 0, b) not in shown:
                    item.setData([], [])
        if self._lut is not None and self.mosaic is not None:
            # All tiles as one image: one paint instead of one per neuron.
            self._image = mosaic_rgba(maps, self.mosaic, self._lut, self._image, self._frame)
            self.tiles.setImage(self._image, autoLevels=False, rect=QRectF(*self.mosaic.rect))

    def select(self, layer: int | None, j: int | None, edge: int | None = None) -> None:
        """Outline the selected neuron's tile and thicken the selected edge."""
        if layer is None or layer >= len(self.positions) or j >= len(self.positions[layer]):
            self.frame.setData([], [])
        else:
            x, y = self.positions[layer][j]
            h = TILE / 2 + 0.03
            self.frame.setData([x - h, x + h, x + h, x - h, x - h],
                               [y - h, y - h, y + h, y + h, y - h])
        if edge is None or self.table is None or edge >= len(self.table.segments):
            self.selected_edge.setData([], [])
        else:
            x0, y0, x1, y1 = self.table.segments[edge]
            self.selected_edge.setData([x0, x1], [y0, y1])

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        style_plot(self.plot, theme)
        self._lut = diverging_lut(theme)
        muted = pg.mkColor(theme.muted)
        self._frame = (muted.red(), muted.green(), muted.blue())
        self._image = None  # the frame colour is baked into the image buffer
        for p, color in ((0, theme.positive), (1, theme.negative)):
            for b, item in enumerate(self.edge_items[p]):
                item.setPen(pg.mkPen(color, width=WIDTHS[b]))
        self.selected_edge.setPen(pg.mkPen(theme.text, width=5))
        self.frame.setPen(pg.mkPen(theme.text, width=3))

    # -- pointer ----------------------------------------------------------------------------
    def _view_point(self, scene_pos: QPointF) -> tuple[float, float]:
        p = self.plot.getViewBox().mapSceneToView(scene_pos)
        return p.x(), p.y()

    def edge_at(self, x: float, y: float) -> int | None:
        if self.table is None:
            return None
        return nearest_edge(self.table, x, y, EDGE_TOLERANCE)

    def _on_moved(self, scene_pos: QPointF) -> None:
        i = self.edge_at(*self._view_point(scene_pos))
        if i is not None:
            text = weight_text(self.table, i)
            self.hover_label.setText(text)
            self.plot.setToolTip(text)

    def _on_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self.click_at(*self._view_point(event.scenePos()))

    def click_at(self, x: float, y: float) -> None:
        """What a left click at view point (x, y) does: select a neuron or a weight."""
        hit = nearest_neuron(self.positions, x, y)
        if hit is not None:
            self.neuron_clicked.emit(*hit)
            return
        i = self.edge_at(x, y)
        if i is not None:
            self.weight_clicked.emit(*(int(v) for v in self.table.index[i]))
