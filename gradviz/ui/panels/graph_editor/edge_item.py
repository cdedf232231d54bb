"""Edge items: a connection with its gradient label and, into a detach node, a cut mark.

Like the node items they only paint what :mod:`.display` worded.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem

from gradviz.graph import Edge
from gradviz.ui.panels.graph_editor.display import EdgeView
from gradviz.ui.panels.graph_editor.items import EDGE_Z, LABEL_Z, connection_path
from gradviz.ui.panels.graph_editor.style import CanvasStyle, font, sign_colour

if TYPE_CHECKING:
    from gradviz.ui.panels.graph_editor.node_item import NodeItem

_LABEL_FONT = font(14, bold=True)


class EdgeItem(QGraphicsPathItem):
    """A connection, drawn from an output port to an input port.

    Thickness grows with the size of the gradient that flowed along it, colour gives its sign
    (the number is written on the label too). An edge into a detach node is drawn cut.

    Edges are plain path items that Qt paints natively (a big graph has hundreds); the halo of
    the current backward step and the cut mark are child items shown only when needed.
    """

    def __init__(self, edge: Edge, src: NodeItem, dst: NodeItem, style: CanvasStyle) -> None:
        super().__init__()
        self.edge = edge
        self.src, self.dst = src, dst
        self.style = style
        self.view = EdgeView()
        self.magnitude = 0.0
        self.setZValue(EDGE_Z)
        # Picked by a click (the selection tool keeps the set), not by Qt's selection: Qt would
        # paint a dashed rectangle that only a Python paint override could suppress.
        self.picked = False
        self.halo = QGraphicsPathItem(self)
        self.halo.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self.halo.setVisible(False)
        self.cut_mark = CutMarkItem(self)
        self.cut_mark.setVisible(False)
        self.label = EdgeLabelItem(self)
        src.edges.add(self)
        dst.edges.add(self)
        self.restyle()
        self.update_path()

    def detach_from_nodes(self) -> None:
        self.src.edges.discard(self)
        self.dst.edges.discard(self)

    def start_point(self) -> QPointF:
        port = self.src.output
        return port.scenePos() if port is not None else self.src.scenePos()

    def end_point(self) -> QPointF:
        port = self.dst.inputs.get(self.edge.port)
        return port.scenePos() if port is not None else self.dst.scenePos()

    def update_path(self) -> None:
        path = connection_path(self.start_point(), self.end_point())
        self.setPath(path)
        self.halo.setPath(path)
        if self.view.cut:
            self.cut_mark.place(path)
        self.label.place()

    def set_view(self, view: EdgeView, largest: float) -> None:
        c = view.contribution
        if c is None or not math.isfinite(c) or largest <= 0 or not math.isfinite(largest):
            magnitude = 0.0
        else:
            magnitude = min(1.0, math.log1p(abs(c)) / math.log1p(largest))
        if view == self.view and magnitude == self.magnitude:
            return
        self.view = view
        self.magnitude = magnitude
        self.setToolTip(view.tooltip)
        self.label.set_text(view.label if view.state in ("done", "current") else "")
        self.restyle()

    def set_style(self, style: CanvasStyle) -> None:
        self.style = style
        self.restyle()

    def sign(self) -> int:
        c = self.view.contribution
        if c is None or c != c or c == 0:
            return 0
        return 1 if c > 0 else -1

    def state_pen(self) -> QPen:
        """The pen for the current state (and theme), before the pick highlight."""
        s, v = self.style, self.view
        if v.cut:
            pen = QPen(s.idle_edge, 2.2, Qt.PenStyle.DashLine)
        elif v.state in ("done", "current"):
            col = sign_colour(s, self.sign()) if self.sign() else s.muted
            pen = QPen(col, 2.5 + 6.0 * self.magnitude)
        elif v.state == "pending":
            pen = QPen(s.idle_edge, 2.2, Qt.PenStyle.DashLine)
        else:
            pen = QPen(s.idle_edge, 2.4)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen

    def restyle(self) -> None:
        pen = self.state_pen()
        if self.picked:
            pen.setColor(self.style.accent)
        self.setPen(pen)
        current = self.view.state == "current"
        self.halo.setVisible(current)
        if current:
            halo = QPen(self.style.lit, pen.widthF() + 8)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.halo.setPen(halo)
        self.cut_mark.setVisible(self.view.cut)
        if self.view.cut:
            self.cut_mark.place(self.path())
        self.label.update()

    def set_picked(self, picked: bool) -> None:
        if picked != self.picked:
            self.picked = picked
            self.restyle()

    def shape(self) -> QPainterPath:
        # A wide hit area: thin edges must still be easy to pick.
        stroker = QPainterPathStroker()
        stroker.setWidth(14)
        return stroker.createStroke(self.path())


class CutMarkItem(QGraphicsItem):
    """A gap with two bars across the middle of an edge: the scissors of ``detach()``."""

    def __init__(self, edge_item: EdgeItem) -> None:
        super().__init__(edge_item)
        self.edge_item = edge_item

    def place(self, path: QPainterPath) -> None:
        if path.isEmpty():
            return
        self.setPos(path.pointAtPercent(0.5))
        self.setRotation(-path.angleAtPercent(0.5))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return QRectF(-10, -13, 20, 26)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        s = self.edge_item.style
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(s.background)
        painter.drawRect(QRectF(-7, -8, 14, 16))
        painter.setPen(QPen(s.error, 3))
        painter.drawLine(QPointF(-7, -11), QPointF(-7, 11))
        painter.drawLine(QPointF(7, -11), QPointF(7, 11))


class EdgeLabelItem(QGraphicsPathItem):
    """The gradient that flowed along an edge: a boxed number just above the edge's middle.

    A native rounded box with a native text child; the canvas hides all labels when zoomed so
    far out that the numbers could not be read (:meth:`.tools.zoom.ZoomTool.zoom_changed`).
    """

    def __init__(self, edge_item: EdgeItem) -> None:
        super().__init__()
        self.edge_item = edge_item
        self.text = ""
        self.readable = True
        self.setZValue(LABEL_Z)
        self.text_item = QGraphicsSimpleTextItem(self)
        self.text_item.setFont(_LABEL_FONT)
        self.setVisible(False)

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        self.text = text
        self.text_item.setText(text)
        w = QFontMetricsF(_LABEL_FONT).horizontalAdvance(text) + 14 if text else 0.0
        box = QPainterPath()
        box.addRoundedRect(QRectF(-w / 2, -11, w, 22), 6, 6)
        self.setPath(box)
        br = self.text_item.boundingRect()
        self.text_item.setPos(-br.width() / 2, -br.height() / 2)
        self.setVisible(bool(text) and self.readable)
        self.update()

    def set_readable(self, readable: bool) -> None:
        self.readable = readable
        self.setVisible(bool(self.text) and readable)

    def place(self) -> None:
        path = self.edge_item.path()
        if not path.isEmpty():
            # Just above the middle of the edge, so the pulse passing below never hides it.
            self.setPos(path.pointAtPercent(0.5) + QPointF(0, -17))

    def update(self, *args) -> None:
        s = self.edge_item.style
        sign = self.edge_item.sign()
        col = sign_colour(s, sign) if sign else s.muted
        current = self.edge_item.view.state == "current"
        self.setPen(QPen(s.lit if current else col, 3 if current else 1.8))
        self.setBrush(QBrush(s.label_fill))
        self.text_item.setBrush(QBrush(s.text))
        super().update(*args)
