"""Node items: a node with its header, value lines and ports.

Items only paint what :mod:`.display` worded; they never compute anything and never change the
model (the canvas's tools turn mouse gestures into commands).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from gradviz.graph import Node
from gradviz.ui.panels.graph_editor.display import NodeView, node_title
from gradviz.ui.panels.graph_editor.items import COMPACT_LOD, NODE_Z, scene_point
from gradviz.ui.panels.graph_editor.style import (
    HEADER_HEIGHT,
    LINE_HEIGHT,
    NODE_WIDTH,
    PORT_RADIUS,
    SYMBOLS,
    CanvasStyle,
    font,
    node_height,
    sign_colour,
)

if TYPE_CHECKING:
    from gradviz.ui.panels.graph_editor.edge_item import EdgeItem

_HEADER_FONT = font(15, bold=True)
_SYMBOL_FONT = font(13, bold=True)
_BODY_FONT = font(14)
_MONO_FONT = font(12.5, mono=True)
_NOTE_FONT = font(11.5)
#: Long lines shrink down to this size before they are cut off with "…".
_MIN_PIXELS = 9.5


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
    #: the view paints again as soon as the wheel stops (set by the canvas's zoom tool).
    interacting = False
    #: True while presenting: level of detail then never hides values or gradients.
    presenting = False

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
        #: value_text_pixels() for the current wording (framing asks every node for it).
        self._value_px: float | None = None
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(NODE_Z)
        self.setAcceptHoverEvents(True)
        # Painted once per look and zoom, then blitted: a pan or a neighbour's update no longer
        # re-lays out every title and number (a full repaint of 300 nodes cost ~45 ms).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.inputs: dict[str, PortItem] = {}
        self.output: PortItem | None = None
        self._add_ports(node)
        self.setPos(scene_point(node.position))

    def _add_ports(self, node: Node) -> None:
        """Inputs spread down the left edge below the header; the output mid-right."""
        ports = node.spec.port_names
        top = -self.height / 2 + HEADER_HEIGHT
        body = self.height - HEADER_HEIGHT
        for i, name in enumerate(ports):
            port = PortItem(self, name, False)
            port.setPos(-NODE_WIDTH / 2, top + body * (i + 1) / (len(ports) + 1))
            self.inputs[name] = port
        if node.spec.has_output:
            self.output = PortItem(self, "out", True)
            self.output.setPos(NODE_WIDTH / 2, 0)

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
        self._value_px = None
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

    def value_text_pixels(self) -> float:
        """How tall the value and gradient lines' type is, in scene units (times the view's
        scale, that is what the back row reads): the smaller of the two after a long line
        shrank to fit the node."""
        if self._value_px is None:
            body_w = self._rect.width() - 20
            heights = [QFontMetricsF(_fit(text, _BODY_FONT, body_w)).height()
                       for text in (self.view.value, self.view.grad) if text]
            self._value_px = min(heights, default=value_text_height())
        return self._value_px

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        compact = lod < COMPACT_LOD and not NodeItem.presenting
        if compact and NodeItem.interacting:
            # Mid-zoom, far out: a plain box in the header's colour; details come back when
            # the wheel stops.
            painter.fillRect(self._rect, self.style.lit if self.view.lit
                             else self._header_colour())
            return
        # Zoomed far out, smooth corners are invisible and cost most of the time.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not compact)
        self._paint_box(painter)
        if compact:
            self._paint_compact(painter, lod)
            return
        self._paint_header(painter)
        self._paint_lines(painter)
        if self.editable:
            self._paint_value_underline(painter)

    # -- painting, part by part ------------------------------------------------------------
    def _header_colour(self) -> QColor:
        s = self.style
        return {"input": s.header_leaf, "constant": s.header_const,
                "output": s.header_output}.get(self.node.kind, s.header_op)

    def _paint_box(self, painter: QPainter) -> None:
        """The lit halo, the body and the header's colour band."""
        s, v, rect = self.style, self.view, self._rect
        if v.lit:
            painter.setPen(QPen(s.lit, 8))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 9, 9)
        border = QPen(s.accent, 3.5) if self.isSelected() else QPen(s.node_border, 1.6)
        painter.setPen(border)
        painter.setBrush(s.node_dim if v.dim else s.node_fill)
        painter.drawRoundedRect(rect, 8, 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._header_colour())
        painter.drawPath(self._header_path)

    def _paint_header(self, painter: QPainter) -> None:
        """The operator on the right, the title elided to the room left of it."""
        header = self._header_rect
        painter.setPen(self.style.header_text)
        painter.setFont(_SYMBOL_FONT)
        sym = SYMBOLS.get(self.node.kind, self.node.kind)
        painter.drawText(header.adjusted(8, 0, -8, 0),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, sym)
        sym_w = QFontMetricsF(_SYMBOL_FONT).horizontalAdvance(sym) + 10
        painter.setFont(_HEADER_FONT)
        painter.drawText(header.adjusted(10, 0, -8 - sym_w, 0),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         _elide(self.view.header, _HEADER_FONT, header.width() - 18 - sym_w))

    def _body_lines(self) -> list[tuple[str, QFont, QColor]]:
        s, v = self.style, self.view
        lines = [(v.value, _BODY_FONT, s.error if v.problem else s.text),
                 (v.grad, _BODY_FONT, sign_colour(s, v.grad_sign))]
        if self.node.kind not in ("input", "constant", "output"):
            lines.append((v.grad_fn, _MONO_FONT, s.text))
        lines.append((v.note, _NOTE_FONT, s.muted))
        return lines

    def _paint_lines(self, painter: QPainter) -> None:
        """Value, gradient, grad_fn and note, one per line, shrunk or elided to fit."""
        rect = self._rect
        y = rect.top() + HEADER_HEIGHT + 2
        body_w = rect.width() - 20
        for text, f, col in self._body_lines():
            if text:
                f = _fit(text, f, body_w)
                painter.setFont(f)
                painter.setPen(self.style.muted if self.view.dim else col)
                painter.drawText(QRectF(rect.left() + 10, y, body_w, LINE_HEIGHT),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                                 _elide(text, f, body_w))
            y += LINE_HEIGHT

    def _paint_value_underline(self, painter: QPainter) -> None:
        """A dotted underline says "this number can be edited" (double-click or drag)."""
        vr = self.value_rect()
        painter.setPen(QPen(self.style.muted, 1, Qt.PenStyle.DotLine))
        w = QFontMetricsF(_BODY_FONT).horizontalAdvance(self.view.value)
        painter.drawLine(QPointF(vr.left() + 2, vr.bottom() - 1),
                         QPointF(vr.left() + 2 + min(w, vr.width()), vr.bottom() - 1))

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


def value_text_height() -> float:
    """How tall the value and gradient lines' type is, in scene units."""
    return QFontMetricsF(_BODY_FONT).height()


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
