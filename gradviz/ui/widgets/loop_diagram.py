"""The training loop drawn as a loop: a column of boxes with arrows down and one arrow back to the
top, the running phase highlighted, and optionally one phase marked as skipped (the forgotten
``zero_grad()``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradviz.ui.theme import LIGHT, Theme

#: Room around the drawing, and from the boxes to the return arrow (pixels).
MARGIN = 8.0
ARROW_GAP = 30.0
#: The smallest type the loop's label shrinks to before it would not fit the widget's height.
LABEL_FLOOR_PT = 5.0


class LabelPlace:
    """Where the loop's vertical label goes: its text and font, the point it is centred on and
    the rectangle it is drawn in before the painter turns it by 90° about that point."""

    def __init__(self, text: str, font: QFont, centre: QPointF) -> None:
        self.text, self.font, self.centre = text, font, centre
        fm = QFontMetricsF(font)
        self.length, self.thickness = fm.horizontalAdvance(text), fm.height()
        self.draw_rect = QRectF(-self.length / 2, -self.thickness / 2, self.length,
                                self.thickness)

    def bounds(self) -> QRectF:
        """The text's extent on the widget once turned upright (a column)."""
        return QRectF(self.centre.x() - self.thickness / 2, self.centre.y() - self.length / 2,
                      self.thickness, self.length)


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

    def _label_font(self) -> QFont:
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF(), 9) * 0.9)
        return small

    def _gutter(self) -> float:
        """Room right of the boxes: the return arrow, then a column as wide as the label's
        line (it grows with the font, so the turned label never runs off the right edge)."""
        return ARROW_GAP + QFontMetricsF(self._label_font()).height() + MARGIN

    def box_rects(self) -> list[QRectF]:
        """Where each phase's box is drawn: a column, top to bottom, in loop order."""
        n = max(1, len(self._phases))
        top, bottom = MARGIN, self.height() - MARGIN
        gap = 16.0
        bh = max(30.0, min(64.0, (bottom - top - gap * (n - 1)) / n))
        total = n * bh + (n - 1) * gap
        y0 = top + max(0.0, (bottom - top - total) / 2)
        left, right = 10.0, self.width() - self._gutter()
        return [QRectF(left, y0 + i * (bh + gap), max(60.0, right - left), bh) for i in range(n)]

    def label_place(self, rects: list[QRectF] | None = None) -> LabelPlace:
        """The loop's label, turned upright beside the return arrow, centred on the loop; a
        label longer than the widget is tall gets a smaller font (never cut off)."""
        rects = self.box_rects() if rects is None else rects
        text = self._centre or "repeat"
        font = self._label_font()
        room = self.height() - 2 * MARGIN
        # Text does not shrink exactly in proportion to its point size (hinting): measure again.
        length = QFontMetricsF(font).horizontalAdvance(text)
        while length > room and font.pointSizeF() > LABEL_FLOOR_PT:
            font.setPointSizeF(max(LABEL_FLOOR_PT, font.pointSizeF() * min(0.95, room / length)))
            length = QFontMetricsF(font).horizontalAdvance(text)
        thickness = QFontMetricsF(font).height()
        x = rects[0].right() + ARROW_GAP + 4 + thickness / 2
        mid = (rects[0].center().y() + rects[-1].center().y()) / 2
        place = LabelPlace(text, font, QPointF(x, mid))
        # Centred on the loop where it can be; moved, not cut, where the widget's edge is near.
        half = place.length / 2
        y = min(max(mid, MARGIN + half), self.height() - MARGIN - half)
        return LabelPlace(text, font, QPointF(x, y))

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
            xr = first.right() + ARROW_GAP
            path = QPainterPath(QPointF(last.right() + 1, last.center().y()))
            path.lineTo(xr, last.center().y())
            path.lineTo(xr, first.center().y())
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            p.setBrush(muted)
            self._arrow(p, QPointF(xr, first.center().y()),
                        QPointF(first.right() + 1, first.center().y()))
            place = self.label_place(rects)
            p.save()
            p.translate(place.centre)
            p.rotate(90)
            p.setFont(place.font)
            p.setPen(muted)
            # The rectangle is the text's own size: nothing to clip (TextDontClip for rounding).
            p.drawText(place.draw_rect,
                       int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextDontClip),
                       place.text)
            p.restore()

    def _paint_boxes(self, p: QPainter, rects: list[QRectF]) -> None:
        t = self._theme
        text, muted = QColor(t.text), QColor(t.muted)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(max(self.font().pointSizeF(), 9) * 1.1)
        mono.setBold(True)
        small = self._label_font()
        fm = QFontMetricsF(small)
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
            note = f"✗ {self._skipped[key]}" if key in self._skipped else ""
            # The note keeps its words; the caption gives way (elided) rather than overprint it.
            room = lower.width() - (fm.horizontalAdvance(note) + fm.averageCharWidth() if note
                                    else 0)
            p.drawText(lower, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(f"{i + 1}. {caption}", Qt.TextElideMode.ElideRight,
                                     max(0.0, room)))
            if note:
                p.setPen(QColor(t.error))
                p.drawText(lower, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                           note)

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
