"""The two-path graph ``z = a + b`` drawn with the gradient that flowed back along every edge,
and where ``detach()`` stopped it (a cut mark, dashed edges that carried nothing)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradviz.core.detach_demo import EDGES, DetachResult
from gradviz.core.numbers import fmt
from gradviz.ui.theme import LIGHT, Theme

#: Node centres as fractions of the widget's width and height.
POSITIONS = {"x": (0.12, 0.3), "y": (0.12, 0.78), "a": (0.5, 0.3), "b": (0.5, 0.78),
             "z": (0.86, 0.54)}
RADIUS = 30.0
MIN_SIZE = (420, 260)
#: The widest text under a node, and the room it has (a fraction of the width, a little less
#: than the gap between two node columns, so neighbouring labels keep apart). Where the widget
#: is too small for its font, the graph's type shrinks (to no less than ``FLOOR`` of the font,
#: nor ``FLOOR_PT``) instead of overprinting or cutting its labels.
WIDEST = "detached: grad_fn None"
COLUMN_GAP = 0.3
FLOOR = 0.5
FLOOR_PT = 8.0
#: Along an edge, where its label sits; the edge out of a leaves the node's own label (under
#: it) behind before its label starts.
LABEL_AT = {("a", "z"): 0.66}
#: Painted text is drawn in a rectangle of its own measured size, never clipped by it.
FLAGS = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextDontClip)


def _mono(font: QFont) -> QFont:
    mono = QFont("monospace")
    mono.setStyleHint(QFont.StyleHint.Monospace)
    mono.setPointSizeF(font.pointSizeF())
    return mono


class QtDetachGraphView(QWidget):
    """Paints a :class:`~gradviz.core.detach_demo.DetachResult`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: DetachResult | None = None
        self._theme: Theme = LIGHT
        self._text_font: tuple[tuple, QFont] | None = None
        self.setMinimumSize(*MIN_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_result(self, result: DetachResult) -> None:
        self.result = result
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(560, 320)

    def _fits(self, font: QFont) -> bool:
        line = QFontMetricsF(font).height()
        radius = max(RADIUS, 1.1 * line)
        wide = QFontMetricsF(_mono(font)).horizontalAdvance(WIDEST)
        # Two rows of nodes, each with a line of text under it.
        return wide <= COLUMN_GAP * self.width() and 4 * radius + 2 * line + 40 <= self.height()

    def text_font(self) -> QFont:
        """The widget's font (presenting scales it), made smaller where the graph would not fit."""
        key = (self.font().key(), self.width(), self.height())
        if self._text_font is None or self._text_font[0] != key:  # a paint asks many times
            font = QFont(self.font())
            # Never below FLOOR of the font, nor below a size that can still be read.
            floor = min(font.pointSizeF(), max(font.pointSizeF() * FLOOR, FLOOR_PT))
            while font.pointSizeF() > floor and not self._fits(font):
                font.setPointSizeF(max(floor, font.pointSizeF() * 0.9))
            self._text_font = (key, font)
        return QFont(self._text_font[1])

    def line(self) -> float:
        """The height of a line of the graph's text."""
        return QFontMetricsF(self.text_font()).height()

    def radius(self) -> float:
        """A node's circle holds two lines (name, value): it grows with the text."""
        return max(RADIUS, 1.1 * self.line())

    def centre(self, name: str) -> QPointF:
        fx, fy = POSITIONS[name]
        # Keep every circle and the text under it inside the widget, whatever its height.
        r = self.radius()
        top, bottom = r + 6, self.height() - r - self.line() - 8
        return QPointF(fx * self.width(), top + (bottom - top) * (fy - 0.3) / 0.48)

    def text_rect(self, font: QFont, text: str, centre_x: float, top: float) -> QRectF:
        """The measured rectangle of ``text`` centred on ``centre_x``, kept inside the widget."""
        fm = QFontMetricsF(font)
        width, height = fm.horizontalAdvance(text) + 4, fm.height()
        left = min(max(0.0, centre_x - width / 2), max(0.0, self.width() - width))
        return QRectF(left, top, width, height)

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        """(small, bold, monospace), from :meth:`text_font`."""
        small = self.text_font()
        bold = QFont(small)
        bold.setBold(True)
        return small, bold, _mono(small)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.result is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_edges(p, self.result)
        self._paint_nodes(p, self.result)
        p.end()

    def _paint_edges(self, p: QPainter, r: DetachResult) -> None:
        t = self._theme
        muted, flow_colour = QColor(t.muted), QColor(t.negative)
        small, bold, _ = self._fonts()
        for src, dst in EDGES:
            a, b = self.centre(src), self.centre(dst)
            radius = self.radius()
            dx, dy = b.x() - a.x(), b.y() - a.y()
            length = math.hypot(dx, dy) or 1.0
            ux, uy = dx / length, dy / length
            start = QPointF(a.x() + ux * radius, a.y() + uy * radius)
            end = QPointF(b.x() - ux * radius, b.y() - uy * radius)
            flow = r.edge_flow.get((src, dst))
            if flow is None:
                p.setPen(QPen(muted, 1.5, Qt.PenStyle.DashLine))
            else:
                p.setPen(QPen(flow_colour, 3))
            p.drawLine(start, end)
            self._head(p, end, ux, uy, p.pen().color())
            mid = QPointF((start.x() + end.x()) / 2, (start.y() + end.y()) / 2)
            # Labels sit a third of the way along, so the crossing edges' labels stay apart.
            along = LABEL_AT.get((src, dst), 0.3)
            at = QPointF(start.x() + (end.x() - start.x()) * along,
                         start.y() + (end.y() - start.y()) * along)
            if r.cut_edge == (src, dst):
                self._cut(p, mid, t)  # its own label says it: no "no gradient" beside it
                continue
            font = bold if flow is not None else small
            words = f"← grad {fmt(flow)}" if flow is not None else "no gradient"
            p.setFont(font)
            p.setPen(flow_colour if flow is not None else muted)
            p.drawText(self.text_rect(font, words, at.x(), at.y() - self.line() - 4), FLAGS,
                       words)

    def _paint_nodes(self, p: QPainter, r: DetachResult) -> None:
        t = self._theme
        text, muted, flow_colour = QColor(t.text), QColor(t.muted), QColor(t.negative)
        small, bold, mono = self._fonts()
        radius, line = self.radius(), self.line()
        for name in POSITIONS:
            c = self.centre(name)
            leaf = name in ("x", "y")
            cut = r.detached == name
            p.setPen(QPen(QColor(t.error) if cut else text, 2.5 if cut else 1.5))
            p.setBrush(QColor(t.base))
            p.drawEllipse(c, radius, radius)
            p.setFont(bold)
            p.setPen(text)
            p.drawText(self.text_rect(bold, name, c.x(), c.y() - line), FLAGS, name)
            p.setFont(small)
            value = fmt(r.values[name])
            p.drawText(self.text_rect(small, value, c.x(), c.y()), FLAGS, value)
            p.setFont(mono)
            if leaf:
                g = r.grads[name]
                p.setPen(QColor(t.warning) if g is None else flow_colour)
                words = f".grad = {fmt(g)}"
            else:
                p.setPen(QColor(t.error) if cut else muted)
                words = "detached: grad_fn None" if cut else f"grad_fn {r.grad_fns[name]}"
            p.drawText(self.text_rect(mono, words, c.x(), c.y() + radius + 2), FLAGS, words)

    @staticmethod
    def _head(p: QPainter, tip: QPointF, ux: float, uy: float, colour: QColor) -> None:
        size = 9.0
        base = QPointF(tip.x() - ux * size, tip.y() - uy * size)
        left = QPointF(base.x() - uy * size * 0.55, base.y() + ux * size * 0.55)
        right = QPointF(base.x() + uy * size * 0.55, base.y() - ux * size * 0.55)
        p.setBrush(colour)
        p.drawPolygon(QPolygonF([tip, left, right]))

    def _cut(self, p: QPainter, at: QPointF, t: Theme) -> None:
        """The mark where detach() stops the flow: a red bar across the edge and a label."""
        p.setPen(QPen(QColor(t.error), 4))
        p.drawLine(QPointF(at.x() - 10, at.y() - 14), QPointF(at.x() + 10, at.y() + 14))
        p.drawLine(QPointF(at.x() + 10, at.y() - 14), QPointF(at.x() - 10, at.y() + 14))
        font = QFont(p.font())
        font.setBold(True)
        p.setFont(font)
        words = ".detach(): flow stops"
        p.drawText(self.text_rect(font, words, at.x(), at.y() + 14), FLAGS, words)
