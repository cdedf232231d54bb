"""Gradients shown large: one row per parameter with its ``.grad`` as a big number and a bar.

A dashed tick marks a reference value (one press's gradient), so a piled-up gradient is visibly
"n times too long". ``None`` (no gradient stored) is drawn as an empty outlined bar with the word
None — it is not zero, and the picture says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradviz.core.numbers import fmt, full_text
from gradviz.ui.theme import LIGHT, Theme

#: The smallest row height, label width and text line (pixels): the look at the normal font.
ROW_HEIGHT = 58
LABEL_WIDTH = 200
NAME_HEIGHT = 18
AXIS_TEXT_HEIGHT = 16


def _nice_ceiling(v: float) -> float:
    """1, 2 or 5 × a power of ten, at least ``v``."""
    if v <= 0 or not math.isfinite(v):
        return 1.0
    exp = math.floor(math.log10(v))
    for m in (1, 2, 5, 10):
        if m * 10 ** exp >= v:
            return m * 10 ** exp
    return 10 ** (exp + 1)


#: What an empty bar says, longest first: the first that fits its box is drawn (never cut).
NONE_WORDS = ("None: no gradient stored", "no gradient stored", "no gradient", "")


def _none_words(font: QFont, width: float) -> str:
    fm = QFontMetrics(font)
    return next(w for w in NONE_WORDS if fm.horizontalAdvance(w) + 8 <= width)


class QtGradBars(QWidget):
    """Big ``.grad`` readouts with bars.

    Call :meth:`set_values` with ``[("w.grad", 0.8), ("b.grad", None)]`` and an optional
    ``reference`` (drawn as a dashed tick and labelled ``reference_label``).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[tuple[str, float | None]] = []
        self._reference: float | None = None
        self._reference_label = ""
        self._theme: Theme = LIGHT
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(220)

    # -- data ------------------------------------------------------------------------------
    def set_values(self, values: Sequence[tuple[str, float | None]], reference: float | None = None,
                   reference_label: str = "one press") -> None:
        self._values = [(name, None if v is None else float(v)) for name, v in values]
        self._reference = reference
        self._reference_label = reference_label
        self.setToolTip("\n\n".join(f"{name}\n{full_text(v)}" for name, v in self._values))
        self.updateGeometry()
        self.update()

    def texts(self) -> list[str]:
        """What the rows read, e.g. ``["w.grad = 0.8", "b.grad = None"]`` (for tests, a11y)."""
        return [f"{name} = {fmt(v)}" for name, v in self._values]

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.update()

    # -- geometry: grows with the font (presentation mode scales it), never clips the numbers --
    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        """(big value, monospace name, small axis) fonts, all relative to the widget's font."""
        size = max(self.font().pointSizeF(), 9)
        big = QFont(self.font())
        big.setPointSizeF(size * 1.9)
        big.setBold(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(size * 1.1)
        return big, mono, QFont(self.font())

    def _geometry(self) -> tuple[float, float, float, float]:
        """(row height, label width, name line, axis text line) for the current fonts."""
        big, mono, small = (QFontMetrics(f) for f in self._fonts())
        name_h = max(NAME_HEIGHT, mono.height())
        row_h = max(ROW_HEIGHT, name_h + big.height() + 10)
        texts = [fmt(v) for _, v in self._values] or ["None"]
        label_w = max(LABEL_WIDTH, max(big.horizontalAdvance(t) for t in texts) + 12)
        return row_h, label_w, name_h, max(AXIS_TEXT_HEIGHT, small.height())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()  # presentation mode scaled the font: rows grow with it
        super().changeEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        row_h, label_w, _, axis_h = self._geometry()
        return QSize(int(label_w + 160), int(max(1, len(self._values)) * row_h + 8 + 2 * axis_h))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.sizeHint()

    def scale(self) -> float:
        finite = [abs(v) for _, v in self._values if v is not None and math.isfinite(v)]
        if self._reference is not None:
            finite.append(abs(self._reference))
        return _nice_ceiling(max(finite, default=1.0) or 1.0)

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self._theme
        text, muted = QColor(t.text), QColor(t.muted)
        scale = self.scale()
        any_negative = any(v is not None and v < 0 for _, v in self._values)
        width = self.width()
        row_h, label_w, name_h, axis_h = self._geometry()
        bar_left = label_w + 10
        bar_right = width - 12
        if bar_right - bar_left < 60:  # narrow: bars go under the numbers
            bar_left, bar_right = 12, width - 12
        zero_x = (bar_left + bar_right) / 2 if any_negative else bar_left
        span = (bar_right - zero_x)

        big, mono, small = self._fonts()

        for row, (name, v) in enumerate(self._values):
            top = row * row_h + 4
            p.setFont(mono)
            p.setPen(muted)
            p.drawText(QRectF(4, top, label_w, name_h), Qt.AlignmentFlag.AlignLeft, name)
            p.setFont(big)
            p.setPen(muted if v is None else text)
            p.drawText(QRectF(4, top + name_h - 2, label_w, row_h - name_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, fmt(v))
            bar = QRectF(zero_x, top + name_h + 4, 0, row_h - name_h - 16)
            if v is None:
                p.setPen(QPen(muted, 1.2, Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(bar_left, bar.top(), bar_right - bar_left, bar.height()))
                p.setFont(small)
                box = QRectF(bar_left, bar.top(), bar_right - bar_left, bar.height())
                p.drawText(box, Qt.AlignmentFlag.AlignCenter, _none_words(small, box.width()))
                continue
            length = 0.0 if not math.isfinite(v) else span * max(-1.0, min(1.0, v / scale))
            colour = QColor(t.positive if v >= 0 else t.negative)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            rect = QRectF(zero_x, bar.top(), length, bar.height()).normalized()
            p.drawRect(rect)
            if v == 0:
                p.setPen(QPen(text, 2))
                p.drawLine(int(zero_x), int(bar.top()), int(zero_x), int(bar.bottom()))
            if self._reference is not None and math.isfinite(self._reference):
                rx = zero_x + span * max(-1.0, min(1.0, self._reference / scale))
                p.setPen(QPen(text, 2, Qt.PenStyle.DashLine))
                p.drawLine(int(rx), int(bar.top() - 4), int(rx), int(bar.bottom() + 4))
        p.setFont(small)
        self._paint_axis(p, int(len(self._values) * row_h + 4), axis_h, bar_left, bar_right,
                         zero_x)
        p.end()

    def _paint_axis(self, p: QPainter, axis_y: int, axis_h: float, bar_left: float,
                    bar_right: float, zero_x: float) -> None:
        """The axis under the bars: zero and the scale, so lengths can be read."""
        p.setPen(QColor(self._theme.muted))
        p.drawLine(int(bar_left), axis_y, int(bar_right), axis_y)
        p.drawText(QRectF(zero_x - 30, axis_y + 1, 60, axis_h), Qt.AlignmentFlag.AlignCenter, "0")
        p.drawText(QRectF(bar_right - 80, axis_y + 1, 80, axis_h), Qt.AlignmentFlag.AlignRight,
                   fmt(self.scale()))
        if self._reference is not None and self._values:
            p.drawText(QRectF(4, axis_y + axis_h + 1, self.width() - 8, axis_h),
                       Qt.AlignmentFlag.AlignLeft,
                       f"dashed: {self._reference_label} = {fmt(self._reference)}")
