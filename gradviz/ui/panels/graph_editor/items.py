"""What every canvas item shares: model ↔ scene coordinates, stacking order, the level of detail
below which nodes draw only their titles, the edge curve, and the two small items (the gradient
pulse and the rubber-band edge).

The node and edge items themselves are in :mod:`.node_item` and :mod:`.edge_item`.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsPathItem

from gradviz.ui.panels.graph_editor.style import SCALE, CanvasStyle

#: Below this zoom the body text would be smaller than ~8 px on screen: nodes then draw only
#: their title, in a font scaled to stay readable.
COMPACT_LOD = 0.55
NODE_Z, EDGE_Z, LABEL_Z, PULSE_Z = 10.0, 0.0, 20.0, 30.0


def scene_point(position: tuple[float, float]) -> QPointF:
    """Model position → scene point (see :data:`.style.SCALE`)."""
    return QPointF(position[0] * SCALE, position[1] * SCALE)


def model_position(point: QPointF) -> tuple[float, float]:
    """Scene point → model position, rounded to a tenth (positions are stored in the model)."""
    return (round(point.x() / SCALE, 1), round(point.y() / SCALE, 1))


def connection_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth S-curve leaving ``start`` to the right and entering ``end`` from the left."""
    path = QPainterPath(start)
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class PulseItem(QGraphicsEllipseItem):
    """The dot that carries gradient back along an edge during the backward animation."""

    RADIUS = 10.0

    def __init__(self) -> None:
        r = self.RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.setZValue(PULSE_Z)
        self.setVisible(False)

    def set_colours(self, fill, ring) -> None:
        self.setBrush(QBrush(fill))
        pen = QPen(ring, 3)
        self.setPen(pen)


class RubberBandEdgeItem(QGraphicsPathItem):
    """The live edge that follows the mouse while a connection is being dragged."""

    def __init__(self, style: CanvasStyle) -> None:
        super().__init__()
        pen = QPen(style.accent, 3, Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.setZValue(PULSE_Z)

    def follow(self, start: QPointF, end: QPointF) -> None:
        self.setPath(connection_path(start, end))
