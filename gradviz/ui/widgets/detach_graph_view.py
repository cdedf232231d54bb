"""The two-path graph ``z = a + b`` drawn with the gradient that flowed back along every edge,
and where ``detach()`` stopped it (a cut mark, dashed edges that carried nothing)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradviz.core.detach_demo import EDGES, DetachResult
from gradviz.core.numbers import fmt
from gradviz.ui.theme import LIGHT, Theme

#: Node centres as fractions of the widget's width and height.
POSITIONS = {"x": (0.12, 0.3), "y": (0.12, 0.78), "a": (0.5, 0.3), "b": (0.5, 0.78),
             "z": (0.86, 0.54)}
RADIUS = 30.0


class QtDetachGraphView(QWidget):
    """Paints a :class:`~gradviz.core.detach_demo.DetachResult`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: DetachResult | None = None
        self._theme: Theme = LIGHT
        self.setMinimumSize(420, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_result(self, result: DetachResult) -> None:
        self.result = result
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(560, 320)

    def centre(self, name: str) -> QPointF:
        fx, fy = POSITIONS[name]
        # Keep every circle and the text under it inside the widget, whatever its height.
        top, bottom = RADIUS + 6, self.height() - RADIUS - 24
        return QPointF(fx * self.width(), top + (bottom - top) * (fy - 0.3) / 0.48)

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        """(small, bold, monospace), relative to the widget's font."""
        small = QFont(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
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
            dx, dy = b.x() - a.x(), b.y() - a.y()
            length = math.hypot(dx, dy) or 1.0
            ux, uy = dx / length, dy / length
            start = QPointF(a.x() + ux * RADIUS, a.y() + uy * RADIUS)
            end = QPointF(b.x() - ux * RADIUS, b.y() - uy * RADIUS)
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
            label = QRectF(at.x() - 70, at.y() - 22, 140, 18)
            p.setFont(bold if flow is not None else small)
            if flow is not None:
                p.setPen(flow_colour)
                p.drawText(label, Qt.AlignmentFlag.AlignCenter, f"← grad {fmt(flow)}")
            else:
                p.setPen(muted)
                p.drawText(label, Qt.AlignmentFlag.AlignCenter, "no gradient")
            if r.cut_edge == (src, dst):
                self._cut(p, mid, t)

    def _paint_nodes(self, p: QPainter, r: DetachResult) -> None:
        t = self._theme
        text, muted, flow_colour = QColor(t.text), QColor(t.muted), QColor(t.negative)
        small, bold, mono = self._fonts()
        for name in POSITIONS:
            c = self.centre(name)
            leaf = name in ("x", "y")
            cut = r.detached == name
            p.setPen(QPen(QColor(t.error) if cut else text, 2.5 if cut else 1.5))
            p.setBrush(QColor(t.base))
            p.drawEllipse(c, RADIUS, RADIUS)
            p.setFont(bold)
            p.setPen(text)
            p.drawText(QRectF(c.x() - RADIUS, c.y() - 20, 2 * RADIUS, 20),
                       Qt.AlignmentFlag.AlignCenter, name)
            p.setFont(small)
            p.drawText(QRectF(c.x() - RADIUS, c.y(), 2 * RADIUS, 18),
                       Qt.AlignmentFlag.AlignCenter, fmt(r.values[name]))
            below = QRectF(c.x() - 90, c.y() + RADIUS + 2, 180, 18)
            p.setFont(mono)
            if leaf:
                g = r.grads[name]
                p.setPen(QColor(t.warning) if g is None else flow_colour)
                p.drawText(below, Qt.AlignmentFlag.AlignCenter, f".grad = {fmt(g)}")
            else:
                fn = r.grad_fns[name]
                p.setPen(QColor(t.error) if cut else muted)
                p.drawText(below, Qt.AlignmentFlag.AlignCenter,
                           "detached: grad_fn None" if cut else f"grad_fn {fn}")

    @staticmethod
    def _head(p: QPainter, tip: QPointF, ux: float, uy: float, colour: QColor) -> None:
        size = 9.0
        base = QPointF(tip.x() - ux * size, tip.y() - uy * size)
        left = QPointF(base.x() - uy * size * 0.55, base.y() + ux * size * 0.55)
        right = QPointF(base.x() + uy * size * 0.55, base.y() - ux * size * 0.55)
        p.setBrush(colour)
        p.drawPolygon(QPolygonF([tip, left, right]))

    @staticmethod
    def _cut(p: QPainter, at: QPointF, t: Theme) -> None:
        """The mark where detach() stops the flow: a red bar across the edge and a label."""
        p.setPen(QPen(QColor(t.error), 4))
        p.drawLine(QPointF(at.x() - 10, at.y() - 14), QPointF(at.x() + 10, at.y() + 14))
        p.drawLine(QPointF(at.x() + 10, at.y() - 14), QPointF(at.x() - 10, at.y() + 14))
        font = QFont(p.font())
        font.setBold(True)
        p.setFont(font)
        p.drawText(QRectF(at.x() - 80, at.y() + 14, 160, 18), Qt.AlignmentFlag.AlignCenter,
                   ".detach(): flow stops")
