"""The chain-rule diagram: boxes for the links, forward values flowing right above the arrows,
each link's local derivative under its box, and the backward product flowing left underneath,
painted from a :class:`gradviz.core.chain.ChainResult`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
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
        self._static_key: tuple | None = None
        self._static = QPixmap()
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
        # What does not change with x (background, arrows, boxes, names, formulas, captions) is
        # painted once into a pixmap per size, chain, theme and font; a frame blits it and writes the
        # numbers. Painting everything on every x step cost most of a frame.
        dpr = self.devicePixelRatioF()
        key = (self.width(), self.height(), dpr, self.theme, self.font().toString(),
               self.result.links if self.result else None, tuple(self.local_formulas))
        if key != self._static_key:
            self._static_key = key
            self._static = self._render_static(dpr)
        p = QPainter(self)
        try:
            p.drawPixmap(0, 0, self._static)
            if self.result is not None:
                p.setRenderHint(QPainter.RenderHint.Antialiasing)
                self._paint_numbers(p, self._layout())
        finally:
            p.end()

    def _fonts(self) -> tuple[QFont, QFont]:
        """(small, bold), sized for a projector: readable from the back of a lecture hall."""
        bold = QFont(self.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.4)
        bold.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 1.15)
        return small, bold

    def _layout(self) -> _Layout:
        rects = self.box_rects()
        w = self.width()
        xs = [rects[0].left() - (rects[0].left() * 0.85)] + [q.right() for q in rects]
        xe = [q.left() for q in rects] + [w - rects[0].left() * 0.15]
        return _Layout(rects, xs, xe, rects[0].center().y(), rects[0].bottom() + 72)

    def _render_static(self, dpr: float) -> QPixmap:
        th = self.theme
        pixmap = QPixmap(round(self.width() * dpr), round(self.height() * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(QColor(th.plot_bg))
        if self.result is None:
            return pixmap
        p = QPainter(pixmap)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            lay = self._layout()
            small, bold = self._fonts()
            self._paint_arrows(p, lay, small)
            self._paint_boxes(p, lay.rects, (small, bold))
            w, fg = self.width(), QColor(th.plot_fg)
            p.setFont(bold)
            p.setPen(fg)
            p.drawText(QRectF(0, lay.mid_y - 12, lay.xs[0] + 2, 24), Qt.AlignmentFlag.AlignCenter,
                       "x")
            p.drawText(QRectF(lay.xe[-1] - 2, lay.mid_y - 12, w - lay.xe[-1] + 2, 24),
                       Qt.AlignmentFlag.AlignCenter, "y")
            p.setPen(QColor(th.muted))
            p.setFont(small)
            p.drawText(QRectF(8, lay.mid_y - 60, w - 16, 20), Qt.AlignmentFlag.AlignLeft,
                       "forward: values flow right →")
            p.drawText(QRectF(8, lay.by + 28, w - 16, 20), Qt.AlignmentFlag.AlignLeft,
                       "← backward: each box multiplies what arrives by its local derivative")
        finally:
            p.end()
        return pixmap

    def _paint_arrows(self, p: QPainter, lay: _Layout, small: QFont) -> None:
        """Forward arrows x → box 1 → … → y; backward arrows from dy/dy = 1 back to x."""
        fwd, bwd = QColor(self.theme.accent), QColor(self.theme.positive)
        rects, by = lay.rects, lay.by
        for a, b in zip(lay.xs, lay.xe, strict=True):
            self._arrow(p, QPointF(a + 4, lay.mid_y), QPointF(b - 4, lay.mid_y), fwd, 2.5)
        self._arrow(p, QPointF(lay.xe[-1], by), QPointF(rects[-1].right() + 4, by), bwd, 2)
        p.setFont(small)
        p.setPen(bwd)
        p.drawText(QRectF(rects[-1].right(), by + 4, lay.xe[-1] - rects[-1].right(), 22),
                   Qt.AlignmentFlag.AlignCenter, "dy/dy = 1")
        for start, end in _backward_spans(lay):
            self._arrow(p, QPointF(start, by), QPointF(end, by), bwd, 2.5)

    def _paint_boxes(self, p: QPainter, rects: list[QRectF], fonts: tuple[QFont, QFont]) -> None:
        """Boxes with the link's name, and the local derivative's formula under each."""
        r, (small, bold), th = self.result, fonts, self.theme
        fg, muted = QColor(th.plot_fg), QColor(th.muted)
        for i, q in enumerate(rects):
            path = QPainterPath()
            path.addRoundedRect(q, 8, 8)
            p.setPen(QPen(fg, 1.5))
            p.setBrush(QColor(th.base))
            p.drawPath(path)
            p.setFont(bold)
            p.drawText(q, Qt.AlignmentFlag.AlignCenter, link_label(r.links[i]))
            p.setFont(small)
            p.setPen(muted)
            p.drawText(QRectF(q.left() - 40, q.bottom() + 4, q.width() + 80, 20),
                       Qt.AlignmentFlag.AlignCenter, self.local_formulas[i])

    def _paint_numbers(self, p: QPainter, lay: _Layout) -> None:
        """What changes with x: the values on the forward arrows, each link's local derivative
        and the product on each backward arrow."""
        r, th, (small, bold) = self.result, self.theme, self._fonts()
        p.setFont(small)
        p.setPen(QColor(th.accent))
        for i, (a, b) in enumerate(zip(lay.xs, lay.xe, strict=True)):
            name = "x" if i == 0 else ("y" if i == len(lay.rects) else f"u{i}")
            p.drawText(QRectF(a, lay.mid_y - 30, b - a, 22), Qt.AlignmentFlag.AlignCenter,
                       f"{name} = {fmt(r.values[i])}")
        p.setPen(QColor(th.positive))
        for i, (start, end) in enumerate(_backward_spans(lay)):
            name = "x" if i == 0 else f"u{i}"
            p.drawText(QRectF(end, lay.by + 4, start - end, 22), Qt.AlignmentFlag.AlignCenter,
                       f"dy/d{name} = {fmt(r.upstream[i])}")
        p.setFont(bold)
        p.setPen(QColor(th.neutral))
        for q, value in zip(lay.rects, r.locals_, strict=True):
            p.drawText(QRectF(q.left() - 40, q.bottom() + 24, q.width() + 80, 26),
                       Qt.AlignmentFlag.AlignCenter, fmt(value))

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


@dataclass(frozen=True)
class _Layout:
    """Where things go: the boxes, the forward arrows' starts and ends, and the two rows' y."""

    rects: list[QRectF]
    xs: list[float]
    xe: list[float]
    mid_y: float
    by: float


def _backward_spans(lay: _Layout) -> list[tuple[float, float]]:
    """(start, end) x of the backward arrow leaving each box leftwards, link 1 first."""
    rects = lay.rects
    return [(q.right(), (rects[i - 1].right() + 4) if i > 0 else lay.xs[0] + 4)
            for i, q in enumerate(rects)]
