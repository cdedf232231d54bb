"""The two-path graph ``z = a + b`` drawn with the gradient that flowed back along every edge,
and where ``detach()`` stopped it (a cut mark, dashed edges that carried nothing)."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradviz.core.detach_demo import EDGES, DetachResult
from gradviz.core.numbers import fmt
from gradviz.ui.theme import LIGHT, Theme

#: Node centres as fractions of the widget's width and height.
POSITIONS = {"x": (0.12, 0.3), "y": (0.12, 0.78), "a": (0.5, 0.3), "b": (0.5, 0.78),
             "z": (0.86, 0.54)}
RADIUS = 30.0
#: Least room for the graph at the normal font; presenting grows it with the text.
MIN_SIZE = (420, 260)
#: Painted text is drawn in a rectangle of its own measured size, never clipped by it.
FLAGS = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextDontClip)


class QtDetachGraphView(QWidget):
    """Paints a :class:`~gradviz.core.detach_demo.DetachResult`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: DetachResult | None = None
        self._theme: Theme = LIGHT
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

    def line(self) -> float:
        """The height of a line of the widget's text (presenting scales the font)."""
        return QFontMetricsF(self.font()).height()

    def radius(self) -> float:
        """A node's circle holds two lines (name, value): it grows with the font."""
        return max(RADIUS, 1.1 * self.line())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            # Two rows of nodes, each with a line of text under it.
            need = 4 * self.radius() + 2 * self.line() + 40
            self.setMinimumSize(MIN_SIZE[0], max(MIN_SIZE[1], round(need)))
        super().changeEvent(event)

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
        """(small, bold, monospace), relative to the widget's font."""
        small = QFont(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(self.font().pointSizeF())
        return small, bold, mono

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
            at = QPointF(start.x() + (end.x() - start.x()) * 0.3,
                         start.y() + (end.y() - start.y()) * 0.3)
            font = bold if flow is not None else small
            words = f"← grad {fmt(flow)}" if flow is not None else "no gradient"
            p.setFont(font)
            p.setPen(flow_colour if flow is not None else muted)
            p.drawText(self.text_rect(font, words, at.x(), at.y() - self.line() - 4), FLAGS,
                       words)
            if r.cut_edge == (src, dst):
                self._cut(p, mid, t)

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
