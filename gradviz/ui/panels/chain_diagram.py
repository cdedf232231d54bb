"""The chain-rule diagram: boxes for the links, forward values flowing right above the arrows,
each link's local derivative under its box, and the backward product flowing left underneath,
painted from a :class:`gradviz.core.chain.ChainResult`."""

from __future__ import annotations

import re

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradviz.core.chain import ChainResult, link_label
from gradviz.core.numbers import fmt
from gradviz.ui.theme import LIGHT, Theme


class QtChainDiagram(QWidget):
    """Boxes for the links, forward values flowing right, local derivatives under the boxes and
    the backward product flowing left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: ChainResult | None = None
        self.local_formulas: list[str] = []
        self._formula_links: tuple[str, ...] | None = None
        self.theme: Theme = LIGHT
        self.setMinimumHeight(230)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # paintEvent fills every pixel: Qt need not paint the panel's background beneath first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_result(self, result: ChainResult | None) -> None:
        self.result = result
        links = None if result is None else result.links
        if links != self._formula_links:
            # The formulas follow the links only: sympy on every x step cost a third of a frame.
            self._formula_links = links
            self.local_formulas = [] if result is None else [
                local_formula(src, "x" if i == 0 else f"u{i}") for i, src in enumerate(links)]
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def box_rects(self) -> list[QRectF]:
        """Where each link's box is drawn (also used by tests)."""
        r = self.result
        if r is None:
            return []
        k = len(r.links)
        w, h = self.width(), self.height()
        slot = w / (k + 1)
        bw, bh = min(170.0, slot * 0.62), min(70.0, h * 0.25)
        # The whole drawing (labels above, box, locals, backward row) is about 3.2 box heights.
        y = max(40.0, (h - 3.2 * bh) / 2 + 0.6 * bh)
        return [QRectF(slot * (i + 0.5) + (slot - bw) / 2, y, bw, bh) for i in range(k)]

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            th = self.theme
            p.fillRect(self.rect(), QColor(th.plot_bg))
            if self.result is not None:
                self._paint(p, th)
        finally:
            p.end()

    def _paint(self, p: QPainter, th: Theme) -> None:
        rects = self.box_rects()
        # Sized for a projector: readable from the back of a lecture hall.
        base = QFont(self.font())
        base.setPointSizeF(base.pointSizeF() * 1.4)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 1.15)
        fg, muted = QColor(th.plot_fg), QColor(th.muted)
        fwd, bwd = QColor(th.accent), QColor(th.positive)
        w = self.width()
        mid_y = rects[0].center().y()
        # Forward arrows: x → box 1 → … → box k → y, each labelled with the value it carries.
        xs = [rects[0].left() - (rects[0].left() * 0.85)] + [q.right() for q in rects]
        xe = [q.left() for q in rects] + [w - rects[0].left() * 0.15]
        self._paint_forward(p, rects, xs, xe, (small, bold), (fg, fwd))
        self._paint_boxes(p, rects, (small, bold), (fg, muted, QColor(th.neutral), QColor(th.base)))
        by = self._paint_backward(p, rects, xs[0], xe[-1], small, bwd)
        p.setPen(muted)
        p.setFont(small)
        p.drawText(QRectF(8, mid_y - 60, w - 16, 20), Qt.AlignmentFlag.AlignLeft,
                   "forward: values flow right →")
        p.drawText(QRectF(8, by + 28, w - 16, 20), Qt.AlignmentFlag.AlignLeft,
                   "← backward: each box multiplies what arrives by its local derivative")

    def _paint_forward(self, p: QPainter, rects: list[QRectF], xs: list[float],
                       xe: list[float], fonts: tuple[QFont, QFont],
                       colours: tuple[QColor, QColor]) -> None:
        r, (small, bold), (fg, fwd) = self.result, fonts, colours
        w, mid_y = self.width(), rects[0].center().y()
        for i, (a, b) in enumerate(zip(xs, xe, strict=True)):
            self._arrow(p, QPointF(a + 4, mid_y), QPointF(b - 4, mid_y), fwd, 2.5)
            name = "x" if i == 0 else ("y" if i == len(rects) else f"u{i}")
            p.setFont(small)
            p.setPen(fwd)
            label_rect = QRectF(a, mid_y - 30, b - a, 22)
            p.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, f"{name} = {fmt(r.values[i])}")
        p.setFont(bold)
        p.setPen(fg)
        p.drawText(QRectF(0, mid_y - 12, xs[0] + 2, 24), Qt.AlignmentFlag.AlignCenter, "x")
        p.drawText(QRectF(xe[-1] - 2, mid_y - 12, w - xe[-1] + 2, 24),
                   Qt.AlignmentFlag.AlignCenter, "y")

    def _paint_boxes(self, p: QPainter, rects: list[QRectF], fonts: tuple[QFont, QFont],
                     colours: tuple[QColor, ...]) -> None:
        """Boxes with the link's name, the local derivative's formula and value under each."""
        r, (small, bold), (fg, muted, neutral, base) = self.result, fonts, colours
        for i, q in enumerate(rects):
            path = QPainterPath()
            path.addRoundedRect(q, 8, 8)
            p.setPen(QPen(fg, 1.5))
            p.setBrush(base)
            p.drawPath(path)
            p.setFont(bold)
            p.drawText(q, Qt.AlignmentFlag.AlignCenter, link_label(r.links[i]))
            p.setFont(small)
            p.setPen(muted)
            p.drawText(QRectF(q.left() - 40, q.bottom() + 4, q.width() + 80, 20),
                       Qt.AlignmentFlag.AlignCenter, self.local_formulas[i])
            p.setFont(bold)
            p.setPen(neutral)
            p.drawText(QRectF(q.left() - 40, q.bottom() + 24, q.width() + 80, 26),
                       Qt.AlignmentFlag.AlignCenter, fmt(r.locals_[i]))

    def _paint_backward(self, p: QPainter, rects: list[QRectF], x_left: float,
                        right_end: float, small: QFont, bwd: QColor) -> float:
        """The product flowing left along the bottom from dy/dy = 1; returns the row's y."""
        r = self.result
        by = rects[0].bottom() + 72
        self._arrow(p, QPointF(right_end, by), QPointF(rects[-1].right() + 4, by), bwd, 2)
        p.setFont(small)
        p.setPen(bwd)
        p.drawText(QRectF(rects[-1].right(), by + 4, right_end - rects[-1].right(), 22),
                   Qt.AlignmentFlag.AlignCenter, "dy/dy = 1")
        for i in range(len(rects) - 1, -1, -1):
            q = rects[i]
            start = QPointF(q.right(), by)
            end = QPointF((rects[i - 1].right() + 4) if i > 0 else x_left + 4, by)
            self._arrow(p, start, end, bwd, 2.5)
            name = "x" if i == 0 else f"u{i}"
            p.setPen(bwd)
            p.setFont(small)
            text = f"dy/d{name} = {fmt(r.upstream[i])}"
            p.drawText(QRectF(end.x(), by + 4, start.x() - end.x(), 22),
                       Qt.AlignmentFlag.AlignCenter, text)
        return by

    @staticmethod
    def _arrow(p: QPainter, a: QPointF, b: QPointF, colour: QColor, width: float) -> None:
        p.setPen(QPen(colour, width))
        p.drawLine(a, b)
        direction = 1 if b.x() > a.x() else -1
        head = QPolygonF([b, QPointF(b.x() - 9 * direction, b.y() - 5),
                          QPointF(b.x() - 9 * direction, b.y() + 5)])
        p.setBrush(colour)
        p.drawPolygon(head)


def local_formula(source: str, name: str) -> str:
    """The link's derivative as a formula of its input, e.g. ``cos(u1)`` for sin after u1."""
    try:
        from gradviz.core.symbolic import symbolic_derivative  # sympy: imported when first needed

        text = symbolic_derivative(source).derivative_text
    except Exception:  # a formula is a nicety: the number below it is what counts
        return "local derivative"
    text = re.sub(r"\bx\b", name, text)
    return text if len(text) <= 28 else "local derivative"
