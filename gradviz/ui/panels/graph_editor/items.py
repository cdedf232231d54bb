"""Scene items of the node editor: nodes with ports, edges with gradient labels, pulses.

Items only paint what :mod:`.display` worded; they never compute anything and never change the
model (the view turns mouse gestures into commands).
"""

from __future__ import annotations

import math
from functools import lru_cache

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
    QGraphicsSimpleTextItem,
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
    """An input port (left edge) or the output port (right edge) of a node.

    The item itself is an invisible disk larger than the dot, so ports are easy to grab with a
    touchpad or on a projector; the visible dot is a plain child ellipse that Qt paints natively
    (hundreds of ports must not each cost a Python paint call).
    """

    HIT_RADIUS = PORT_RADIUS + 5

    def __init__(self, node_item: NodeItem, name: str, is_output: bool) -> None:
        r = self.HIT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node_item)
        self.setPen(Qt.PenStyle.NoPen)
        self.setBrush(Qt.BrushStyle.NoBrush)
        self.node_item = node_item
        self.name = name
        self.is_output = is_output
        self.highlight: str | None = None  # None, "ok" (may connect here), "no"
        self.dot = QGraphicsEllipseItem(self)
        self.dot.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(1)
        self.setToolTip("drag to an input port to connect" if is_output
                        else f"input {name!r}")
        self.restyle()

    def restyle(self) -> None:
        style = self.node_item.style
        r = PORT_RADIUS
        if self.highlight == "ok":
            pen, brush, r = QPen(style.ok_port, 3), QBrush(style.ok_port), r + 3
        elif self.highlight == "no":
            pen, brush = QPen(style.muted, 1.5), QBrush(style.node_dim)
        else:
            pen = QPen(style.node_border, 2)
            brush = QBrush(style.node_border if self.is_output else style.node_fill)
        self.dot.setRect(-r, -r, 2 * r, 2 * r)
        self.dot.setPen(pen)
        self.dot.setBrush(brush)

    def set_highlight(self, state: str | None) -> None:
        if state != self.highlight:
            self.highlight = state
            self.restyle()


def port_of(item) -> PortItem | None:
    """The port an item under the mouse belongs to (the port itself or its dot)."""
    if isinstance(item, PortItem):
        return item
    parent = item.parentItem() if item is not None else None
    return parent if isinstance(parent, PortItem) else None


class NodeItem(QGraphicsItem):
    """One node: a header with the operator and the name, then value, gradient and grad_fn."""

    #: True while the user is zooming: zoomed far out, nodes then skip their titles, which
    #: the view paints again as soon as the wheel stops (set by :class:`QtGraphView`).
    interacting = False

    def __init__(self, node: Node, style: CanvasStyle) -> None:
        super().__init__()
        self.node = node
        self.style = style
        self.view = NodeView(header=node_title(node))
        self.edges: set[EdgeItem] = set()
        self.height = node_height(node.kind)
        self._rect = QRectF(-NODE_WIDTH / 2, -self.height / 2, NODE_WIDTH, self.height)
        self._header_rect = QRectF(self._rect.left(), self._rect.top(), NODE_WIDTH, HEADER_HEIGHT)
        self._header_path = QPainterPath()
        self._header_path.addRoundedRect(self._header_rect, 8, 8)
        self._header_path.addRect(self._header_rect.adjusted(0, HEADER_HEIGHT / 2, 0, 0))
        self._header_path.setFillRule(Qt.FillRule.WindingFill)
        self._compact_text: tuple[str, int, str] | None = None
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
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
            p.restyle()

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
        return QRectF(self._rect)

    def itemChange(self, change, value):  # noqa: N802 - Qt's name
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for e in self.edges:
                e.update_path()
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        s, v = self.style, self.view
        rect = self._rect
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        compact = lod < COMPACT_LOD
        if compact and NodeItem.interacting:
            # Mid-zoom, far out: a plain box in the header's colour; details come back when
            # the wheel stops.
            painter.fillRect(rect, s.lit if v.lit else self._header_colour())
            return
        # Zoomed far out, smooth corners are invisible and cost most of the time.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not compact)
        if v.lit:
            painter.setPen(QPen(s.lit, 8))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 9, 9)
        border = QPen(s.accent, 3.5) if self.isSelected() else QPen(s.node_border, 1.6)
        painter.setPen(border)
        painter.setBrush(s.node_dim if v.dim else s.node_fill)
        painter.drawRoundedRect(rect, 8, 8)
        header = self._header_rect
        kind = self.node.kind
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._header_colour())
        painter.drawPath(self._header_path)
        if compact:
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

    def _header_colour(self):
        s = self.style
        return {"input": s.header_leaf, "constant": s.header_const,
                "output": s.header_output}.get(self.node.kind, s.header_op)

    def _paint_compact(self, painter: QPainter, lod: float) -> None:
        """Zoomed far out: only the title, in a font that stays about 11 px on screen."""
        rect = self._rect
        size = round(min(11.0 / max(lod, 0.05), rect.height() * 0.45))
        f = font(size, bold=True)
        title = self.view.header
        cached = self._compact_text
        if cached is None or cached[0] != title or cached[1] != size:
            cached = (title, size, _elide(title, f, rect.width() - 8))
            self._compact_text = cached
        painter.setFont(f)
        painter.setPen(self.style.text)
        painter.drawText(rect.adjusted(4, HEADER_HEIGHT * 0.5, -4, 0),
                         Qt.AlignmentFlag.AlignCenter, cached[2])


def _fit(text: str, f: QFont, width: float) -> QFont:
    """``f``, or a smaller copy of it (not below _MIN_PIXELS) in which ``text`` fits ``width``."""
    wide = QFontMetricsF(f).horizontalAdvance(text)
    if wide <= width:
        return f
    size = max(_MIN_PIXELS, f.pixelSize() * width / wide)
    g = QFont(f)
    g.setPixelSize(max(1, int(size)))
    return g


def _elide(text: str, f: QFont, width: float) -> str:
    return _elide_cached(text, f.pixelSize(), f.bold(), f.family(), round(width))


@lru_cache(maxsize=4096)
def _elide_cached(text: str, pixels: int, bold: bool, family: str, width: int) -> str:
    f = QFont(family)
    f.setPixelSize(pixels)
    f.setBold(bold)
    return QFontMetricsF(f).elidedText(text, Qt.TextElideMode.ElideRight, width)


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
        # Picked by a click (the view keeps the set), not by Qt's selection: Qt would paint a
        # dashed rectangle that only a Python paint override could suppress.
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


def connection_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth S-curve leaving ``start`` to the right and entering ``end`` from the left."""
    path = QPainterPath(start)
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeLabelItem(QGraphicsPathItem):
    """The gradient that flowed along an edge: a boxed number just above the edge's middle.

    A native rounded box with a native text child; the view hides all labels when zoomed so far
    out that the numbers could not be read (:meth:`QtGraphView.zoom_changed`).
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
