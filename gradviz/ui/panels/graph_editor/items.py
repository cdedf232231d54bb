"""Scene items of the node editor: nodes with ports, edges with gradient labels, pulses.

Items only paint what :mod:`.display` worded; they never compute anything and never change the
model (the view turns mouse gestures into commands).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from gradviz.graph import Edge, Node
from gradviz.ui.panels.graph_editor.display import EdgeView, NodeView, node_title
from gradviz.ui.panels.graph_editor.style import (
    HEADER_HEIGHT,
    LINE_HEIGHT,
    NODE_WIDTH,
    PORT_RADIUS,
    SCALE,
    SYMBOLS,
    CanvasStyle,
    font,
    node_height,
    sign_colour,
)

#: Below this zoom the body text would be smaller than ~8 px on screen: nodes then draw only
#: their title, in a font scaled to stay readable.
COMPACT_LOD = 0.55
NODE_Z, EDGE_Z, LABEL_Z, PULSE_Z = 10.0, 0.0, 20.0, 30.0

_HEADER_FONT = font(15, bold=True)
_SYMBOL_FONT = font(13, bold=True)
_BODY_FONT = font(14)
_MONO_FONT = font(12.5, mono=True)
_NOTE_FONT = font(11.5)
_LABEL_FONT = font(14, bold=True)
#: Long lines shrink down to this size before they are cut off with "…".
_MIN_PIXELS = 9.5


def scene_point(position: tuple[float, float]) -> QPointF:
    """Model position → scene point (see :data:`.style.SCALE`)."""
    return QPointF(position[0] * SCALE, position[1] * SCALE)


def model_position(point: QPointF) -> tuple[float, float]:
    """Scene point → model position, rounded to a tenth (positions are stored in the model)."""
    return (round(point.x() / SCALE, 1), round(point.y() / SCALE, 1))


class PortItem(QGraphicsEllipseItem):
    """An input port (left edge) or the output port (right edge) of a node."""

    def __init__(self, node_item: NodeItem, name: str, is_output: bool) -> None:
        r = PORT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node_item)
        self.node_item = node_item
        self.name = name
        self.is_output = is_output
        self.highlight: str | None = None  # None, "ok" (may connect here), "no"
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(1)
        self.setToolTip("drag to an input port to connect" if is_output
                        else f"input {name!r}")

    def shape(self) -> QPainterPath:
        # A generous hit area: ports must be easy to grab with a touchpad or on a projector.
        p = QPainterPath()
        r = PORT_RADIUS + 5
        p.addEllipse(QPointF(0, 0), r, r)
        return p

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        r = PORT_RADIUS + 6
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        style = self.node_item.style
        r = PORT_RADIUS
        if self.highlight == "ok":
            painter.setPen(QPen(style.ok_port, 3))
            painter.setBrush(style.ok_port)
            r += 3
        elif self.highlight == "no":
            painter.setPen(QPen(style.muted, 1.5))
            painter.setBrush(style.node_dim)
        else:
            painter.setPen(QPen(style.node_border, 2))
            painter.setBrush(style.node_fill if not self.is_output else style.node_border)
        painter.drawEllipse(QPointF(0, 0), r, r)

    def set_highlight(self, state: str | None) -> None:
        if state != self.highlight:
            self.highlight = state
            self.update()


class NodeItem(QGraphicsItem):
    """One node: a header with the operator and the name, then value, gradient and grad_fn."""

    def __init__(self, node: Node, style: CanvasStyle) -> None:
        super().__init__()
        self.node = node
        self.style = style
        self.view = NodeView(header=node_title(node))
        self.edges: set[EdgeItem] = set()
        self.height = node_height(node.kind)
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(NODE_Z)
        self.setAcceptHoverEvents(True)
        self.inputs: dict[str, PortItem] = {}
        ports = node.spec.port_names
        top = -self.height / 2 + HEADER_HEIGHT
        body = self.height - HEADER_HEIGHT
        for i, name in enumerate(ports):
            port = PortItem(self, name, False)
            port.setPos(-NODE_WIDTH / 2, top + body * (i + 1) / (len(ports) + 1))
            self.inputs[name] = port
        self.output: PortItem | None = None
        if node.spec.has_output:
            self.output = PortItem(self, "out", True)
            self.output.setPos(NODE_WIDTH / 2, 0)
        self.setPos(scene_point(node.position))

    # -- data ------------------------------------------------------------------------------
    @property
    def node_id(self) -> int:
        return self.node.id

    def set_node(self, node: Node) -> None:
        self.node = node
        self.update()

    def set_view(self, view: NodeView) -> None:
        if view == self.view:
            return  # unchanged: keep the cached picture (stepping re-words every node)
        self.view = view
        self.setToolTip(view.tooltip)
        self.update()

    def set_style(self, style: CanvasStyle) -> None:
        self.style = style
        self.update()
        for p in self.ports():
            p.update()

    def ports(self) -> list[PortItem]:
        return list(self.inputs.values()) + ([self.output] if self.output else [])

    @property
    def editable(self) -> bool:
        return self.node.kind in ("input", "constant")

    def value_rect(self) -> QRectF:
        """Where the value line is, in item coordinates (double-click to edit, drag to scrub)."""
        return QRectF(-NODE_WIDTH / 2 + 8, -self.height / 2 + HEADER_HEIGHT + 2,
                      NODE_WIDTH - 16, LINE_HEIGHT)

    # -- Qt --------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        m = 6.0
        return QRectF(-NODE_WIDTH / 2 - m, -self.height / 2 - m, NODE_WIDTH + 2 * m,
                      self.height + 2 * m)

    def shape(self) -> QPainterPath:
        p = QPainterPath()
        p.addRoundedRect(self.rect(), 8, 8)
        return p

    def rect(self) -> QRectF:
        return QRectF(-NODE_WIDTH / 2, -self.height / 2, NODE_WIDTH, self.height)

    def itemChange(self, change, value):  # noqa: N802 - Qt's name
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for e in self.edges:
                e.update_path()
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        s, v = self.style, self.view
        rect = self.rect()
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if v.lit:
            painter.setPen(QPen(s.lit, 8))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 9, 9)
        border = QPen(s.accent, 3.5) if self.isSelected() else QPen(s.node_border, 1.6)
        painter.setPen(border)
        painter.setBrush(s.node_dim if v.dim else s.node_fill)
        painter.drawRoundedRect(rect, 8, 8)
        header = QRectF(rect.left(), rect.top(), rect.width(), HEADER_HEIGHT)
        kind = self.node.kind
        colour = {"input": s.header_leaf, "constant": s.header_const,
                  "output": s.header_output}.get(kind, s.header_op)
        hp = QPainterPath()
        hp.addRoundedRect(header, 8, 8)
        hp.addRect(header.adjusted(0, HEADER_HEIGHT / 2, 0, 0))
        hp.setFillRule(Qt.FillRule.WindingFill)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPath(hp)
        if lod < COMPACT_LOD:
            self._paint_compact(painter, lod)
            return
        painter.setPen(s.header_text)
        painter.setFont(_SYMBOL_FONT)
        sym = SYMBOLS.get(kind, kind)
        sym_rect = header.adjusted(8, 0, -8, 0)
        painter.drawText(sym_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         sym)
        sym_w = QFontMetricsF(_SYMBOL_FONT).horizontalAdvance(sym) + 10
        painter.setFont(_HEADER_FONT)
        painter.drawText(header.adjusted(10, 0, -8 - sym_w, 0),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         _elide(v.header, _HEADER_FONT, header.width() - 18 - sym_w))
        y = rect.top() + HEADER_HEIGHT + 2
        body_w = rect.width() - 20
        lines = [(v.value, _BODY_FONT, s.error if v.problem else s.text)]
        lines.append((v.grad, _BODY_FONT, sign_colour(s, v.grad_sign)))
        if kind not in ("input", "constant", "output"):
            lines.append((v.grad_fn, _MONO_FONT, s.text))
        lines.append((v.note, _NOTE_FONT, s.muted))
        for text, f, col in lines:
            if text:
                f = _fit(text, f, body_w)
                painter.setFont(f)
                painter.setPen(s.muted if v.dim else col)
                painter.drawText(QRectF(rect.left() + 10, y, body_w, LINE_HEIGHT),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                                 _elide(text, f, body_w))
            y += LINE_HEIGHT
        if self.editable:
            # A dotted underline says "this number can be edited" (double-click or drag).
            vr = self.value_rect()
            painter.setPen(QPen(s.muted, 1, Qt.PenStyle.DotLine))
            w = QFontMetricsF(_BODY_FONT).horizontalAdvance(v.value)
            painter.drawLine(QPointF(vr.left() + 2, vr.bottom() - 1),
                             QPointF(vr.left() + 2 + min(w, vr.width()), vr.bottom() - 1))

    def _paint_compact(self, painter: QPainter, lod: float) -> None:
        """Zoomed far out: only the title, in a font that stays about 11 px on screen."""
        rect = self.rect()
        f = font(min(11.0 / max(lod, 0.05), rect.height() * 0.45), bold=True)
        painter.setFont(f)
        painter.setPen(self.style.text)
        title = self.view.header
        painter.drawText(rect.adjusted(4, HEADER_HEIGHT * 0.5, -4, 0),
                         Qt.AlignmentFlag.AlignCenter, _elide(title, f, rect.width() - 8))


def _fit(text: str, f: QFont, width: float) -> QFont:
    """``f``, or a smaller copy of it (not below _MIN_PIXELS) in which ``text`` fits ``width``."""
    wide = QFontMetricsF(f).horizontalAdvance(text)
    if wide <= width:
        return f
    size = max(_MIN_PIXELS, f.pixelSize() * width / wide)
    g = QFont(f)
    g.setPixelSize(max(1, int(size)))
    return g


def _elide(text: str, f, width: float) -> str:
    return QFontMetricsF(f).elidedText(text, Qt.TextElideMode.ElideRight, width)


class EdgeItem(QGraphicsPathItem):
    """A connection, drawn from an output port to an input port.

    Thickness grows with the size of the gradient that flowed along it, colour gives its sign
    (the number is written on the label too). An edge into a detach node is drawn cut.
    """

    def __init__(self, edge: Edge, src: NodeItem, dst: NodeItem, style: CanvasStyle) -> None:
        super().__init__()
        self.edge = edge
        self.src, self.dst = src, dst
        self.style = style
        self.view = EdgeView()
        self.magnitude = 0.0
        self.setZValue(EDGE_Z)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.label = EdgeLabelItem(self)
        src.edges.add(self)
        dst.edges.add(self)
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
        self.setPath(connection_path(self.start_point(), self.end_point()))
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
        self.update()

    def set_style(self, style: CanvasStyle) -> None:
        self.style = style
        self.label.update()
        self.update()

    def sign(self) -> int:
        c = self.view.contribution
        if c is None or c != c or c == 0:
            return 0
        return 1 if c > 0 else -1

    def pen(self) -> QPen:  # the pen for the current state
        s, v = self.style, self.view
        if v.cut:
            pen = QPen(s.idle_edge, 2.2, Qt.PenStyle.DashLine)
        elif v.state in ("done", "current"):
            col = sign_colour(s, self.sign())
            if self.sign() == 0:
                col = s.muted
            pen = QPen(col, 2.5 + 6.0 * self.magnitude)
        elif v.state == "pending":
            pen = QPen(s.idle_edge, 2.2, Qt.PenStyle.DashLine)
        else:
            pen = QPen(s.idle_edge, 2.4)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self.path().boundingRect().adjusted(-14, -14, 14, 14)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(14)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option, widget=None) -> None:
        # Zoomed far out, hundreds of antialiased curves cost more than they show.
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= COMPACT_LOD)
        s = self.style
        path = self.path()
        if self.view.state == "current":
            halo = QPen(s.lit, 2.5 + 6.0 * self.magnitude + 8)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.drawPath(path)
        if self.isSelected():
            painter.setPen(QPen(s.accent, 9))
            painter.drawPath(path)
        painter.setPen(self.pen())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        if self.view.cut:
            self._paint_cut(painter, path)

    def _paint_cut(self, painter: QPainter, path: QPainterPath) -> None:
        """A gap with two bars across the middle: the scissors of detach()."""
        mid = path.pointAtPercent(0.5)
        angle = path.angleAtPercent(0.5)
        painter.save()
        painter.translate(mid)
        painter.rotate(-angle)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.style.background)
        painter.drawRect(QRectF(-7, -8, 14, 16))
        painter.setPen(QPen(self.style.error, 3))
        painter.drawLine(QPointF(-7, -11), QPointF(-7, 11))
        painter.drawLine(QPointF(7, -11), QPointF(7, 11))
        painter.restore()


def connection_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth S-curve leaving ``start`` to the right and entering ``end`` from the left."""
    path = QPainterPath(start)
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeLabelItem(QGraphicsItem):
    """The gradient that flowed along an edge, in a boxed label at the edge's middle."""

    def __init__(self, edge_item: EdgeItem) -> None:
        super().__init__()
        self.edge_item = edge_item
        self.text = ""
        self.setZValue(LABEL_Z)
        self._rect = QRectF()
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        self.prepareGeometryChange()
        self.text = text
        w = QFontMetricsF(_LABEL_FONT).horizontalAdvance(text) + 14 if text else 0.0
        self._rect = QRectF(-w / 2, -11, w, 22) if text else QRectF()
        self.setVisible(bool(text))
        self.update()

    def place(self) -> None:
        path = self.edge_item.path()
        if not path.isEmpty():
            # Just above the middle of the edge, so the pulse passing below never hides it.
            self.setPos(path.pointAtPercent(0.5) + QPointF(0, -17))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect.adjusted(-4, -4, 4, 4)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if not self.text:
            return
        s = self.edge_item.style
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        sign = self.edge_item.sign()
        col = sign_colour(s, sign) if sign else s.muted
        current = self.edge_item.view.state == "current"
        painter.setPen(QPen(s.lit if current else col, 3 if current else 1.8))
        painter.setBrush(s.label_fill)
        painter.drawRoundedRect(self._rect, 6, 6)
        painter.setFont(_LABEL_FONT)
        painter.setPen(s.text)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


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
