"""Plot legends that step aside for a presenting panel's readout box.

A legend sits in a plot's top-left corner and the readouts float over the top-right one
(:mod:`.readout_overlay`); on a narrow view at a high scale the box spreads across the whole
width and would bury the legend, the key to the curves. The legend then moves down, just below
the box, and goes back where it was when presenting stops.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtWidgets import QWidget

#: Pixels between the readout box and a legend moved below it.
GAP = 6


class LegendsAside:
    """The legends of the plots inside ``host`` and the offsets they had."""

    def __init__(self, host: QWidget) -> None:
        self.host = host
        self._home: dict[pg.LegendItem, tuple[float, float]] = {}

    def _legends(self) -> list[tuple[pg.PlotWidget, pg.LegendItem]]:
        plots = [self.host] if isinstance(self.host, pg.PlotWidget) else []
        plots += self.host.findChildren(pg.PlotWidget)
        return [(w, w.getPlotItem().legend) for w in plots
                if w.isVisible() and w.getPlotItem().legend is not None]

    def make_room(self, box: QRect) -> None:
        """Move every legend the box ``box`` (in the host's coordinates) covers to just below
        it; one the box no longer covers goes home."""
        for widget, legend in self._legends():
            home = self._home.get(legend)
            offset = home or tuple(legend.opts["offset"] or (0, 0))
            if offset[1] < 0:
                continue  # anchored to the bottom: out of the box's way already
            parent = legend.parentItem()
            if parent is None:
                continue
            # The box's corners in the legend's parent item (the view box): its own pixels.
            top_left = parent.mapFromScene(widget.mapToScene(
                widget.mapFrom(self.host, box.topLeft())))
            bottom = parent.mapFromScene(widget.mapToScene(
                widget.mapFrom(self.host, box.bottomRight()))).y()
            # Anchored by its top-left corner, a legend's offset is its place in its parent.
            size = legend.boundingRect().size()
            at_home = QRectF(QPointF(offset[0], offset[1]), size)
            covered = (at_home.right() > top_left.x() and at_home.top() < bottom
                       and at_home.bottom() > top_left.y())
            room_below = bottom + GAP + at_home.height() <= parent.boundingRect().height()
            if covered and room_below:
                self._home.setdefault(legend, offset)
                legend.setOffset((offset[0], bottom + GAP))
            elif home is not None:
                legend.setOffset(home)
                del self._home[legend]

    def restore(self) -> None:
        """Every moved legend back where it was."""
        for legend, offset in self._home.items():
            legend.setOffset(offset)
        self._home.clear()
