"""The training loop drawn as a loop: a column of boxes with arrows down and one arrow back to the
top, the running phase highlighted, and optionally one phase marked as skipped (the forgotten
``zero_grad()``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradviz.ui.theme import LIGHT, Theme


class QtLoopDiagram(QWidget):
    """One box per phase, in loop order, with the arrow back from the last to the first.

    :meth:`set_active` highlights one phase; :meth:`set_skipped` draws a phase struck through
    with a note (e.g. "skipped by the buggy run").
    """

    def __init__(self, phases: Sequence[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        """``phases``: (key, code, caption) in loop order."""
        super().__init__(parent)
        self._phases = list(phases)
        self._active: str | None = None
        self._skipped: dict[str, str] = {}
        self._centre = ""
        self._theme: Theme = LIGHT
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(300, 240)

    @property
    def active(self) -> str | None:
        return self._active

    def set_active(self, key: str | None) -> None:
        if key != self._active:
            self._active = key
            self.update()

    def set_skipped(self, key: str, note: str) -> None:
        self._skipped = {key: note} if note else {}
        self.update()

    def set_centre_text(self, text: str) -> None:
        self._centre = text
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(380, 300)

    def box_rects(self) -> list[QRectF]:
        """Where each phase's box is drawn: a column, top to bottom, in loop order."""
        n = max(1, len(self._phases))
        top, bottom = 8.0, self.height() - 8.0
        gap = 16.0
        bh = max(30.0, min(64.0, (bottom - top - gap * (n - 1)) / n))
        total = n * bh + (n - 1) * gap
        y0 = top + max(0.0, (bottom - top - total) / 2)
        left, right = 10.0, self.width() - 56.0  # room on the right for the return arrow
        return [QRectF(left, y0 + i * (bh + gap), max(60.0, right - left), bh) for i in range(n)]

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rects = self.box_rects()
        self._paint_arrows(p, rects)
        self._paint_boxes(p, rects)
        p.end()

    def _paint_arrows(self, p: QPainter, rects: list[QRectF]) -> None:
        muted = QColor(self._theme.muted)
        p.setPen(QPen(muted, 2))
        p.setBrush(muted)
        # Arrows down between boxes, and the loop back from the last box to the first.
        for a, b in zip(rects, rects[1:], strict=False):
            x = a.center().x()
            self._arrow(p, QPointF(x, a.bottom() + 1), QPointF(x, b.top() - 1))
        if len(rects) > 1:
            first, last = rects[0], rects[-1]
            xr = first.right() + 30
            path = QPainterPath(QPointF(last.right() + 1, last.center().y()))
            path.lineTo(xr, last.center().y())
            path.lineTo(xr, first.center().y())
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            p.setBrush(muted)
            self._arrow(p, QPointF(xr, first.center().y()),
                        QPointF(first.right() + 1, first.center().y()))
            p.save()
            p.translate(xr + 14, (first.center().y() + last.center().y()) / 2)
            p.rotate(90)
            small = QFont(self.font())
            small.setPointSizeF(max(self.font().pointSizeF(), 9) * 0.9)
            p.setFont(small)
            p.setPen(muted)
            p.drawText(QRectF(-90, -10, 180, 20), Qt.AlignmentFlag.AlignCenter,
                       self._centre or "repeat")
            p.restore()

    def _paint_boxes(self, p: QPainter, rects: list[QRectF]) -> None:
        t = self._theme
        text, muted = QColor(t.text), QColor(t.muted)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(max(self.font().pointSizeF(), 9) * 1.1)
        mono.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF(), 9) * 0.9)
        for i, ((key, code, caption), rect) in enumerate(zip(self._phases, rects, strict=True)):
            active = key == self._active
            p.setPen(QPen(QColor(t.text) if active else muted, 3 if active else 1.5))
            p.setBrush(QColor(t.warning if active else t.base))
            p.drawRoundedRect(rect, 8, 8)
            ink = QColor("#000000") if active else text
            upper = QRectF(rect.left() + 8, rect.top() + 2, rect.width() - 16, rect.height() * 0.55)
            lower = QRectF(rect.left() + 8, rect.top() + rect.height() * 0.52,
                           rect.width() - 16, rect.height() * 0.45)
            p.setFont(mono)
            p.setPen(ink)
            p.drawText(upper, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, code)
            p.setFont(small)
            p.setPen(QColor("#000000") if active else muted)
            note = self._skipped.get(key, "")
            p.drawText(lower, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       f"{i + 1}. {caption}")
            if note:
                p.setPen(QColor(t.error))
                p.drawText(lower, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                           f"✗ {note}")

    @staticmethod
    def _arrow(p: QPainter, start: QPointF, end: QPointF) -> None:
        p.drawLine(start, end)
        dx, dy = end.x() - start.x(), end.y() - start.y()
        norm = math.hypot(dx, dy) or 1.0
        dx, dy = dx / norm, dy / norm
        size = 8.0
        base = QPointF(end.x() - dx * size, end.y() - dy * size)
        left = QPointF(base.x() - dy * size * 0.6, base.y() + dx * size * 0.6)
        right = QPointF(base.x() + dy * size * 0.6, base.y() - dx * size * 0.6)
        p.drawPolygon(QPolygonF([end, left, right]))
