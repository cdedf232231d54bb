"""The selected item's card: op, label, module, shape and dtype, the value's and the gradient's
summaries (min / mean / max / norm) and, for small 1-D and 2-D tensors, a sparkline or heatmap."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from gradviz.graph.trace_values import ValueSummary
from gradviz.ui.panels.traced.drawing import fmt, shape_text
from gradviz.ui.theme import LIGHT, Theme


class QtPreview(QWidget):
    """A sparkline (1-D preview) or heatmap (2-D preview: negative, zero, positive in the
    theme's two gradient-sign colours through white)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setMinimumHeight(84)
        self.summary: ValueSummary | None = None
        self.theme: Theme = LIGHT

    def set_summary(self, summary: ValueSummary | None) -> None:
        self.summary = summary
        self.setVisible(summary is not None and summary.preview is not None)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        s = self.summary
        if s is None or not s.preview:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        if isinstance(s.preview[0], tuple):
            self._heatmap(p, area, s.preview)
        else:
            self._sparkline(p, area, s.preview)
        p.end()

    def _sparkline(self, p: QPainter, area: QRectF, values: tuple) -> None:
        lo, hi = min(values), max(values)
        if hi == lo:  # a constant: a flat line through the middle
            lo, hi = lo - 1.0, hi + 1.0
        span = hi - lo
        n = max(1, len(values) - 1)
        pts = [QPointF(area.left() + area.width() * k / n,
                       area.bottom() - area.height() * (v - lo) / span) for k, v in enumerate(values)]
        p.setPen(QPen(QColor(self.theme.muted), 1))
        p.drawRect(area)
        p.setPen(QPen(QColor(self.theme.accent), 2))
        p.drawPolyline(QPolygonF(pts))

    def _heatmap(self, p: QPainter, area: QRectF, rows: tuple) -> None:
        peak = max((abs(v) for row in rows for v in row), default=0.0) or 1.0
        side = min(area.width() / len(rows[0]), area.height() / len(rows))
        pos, neg, white = QColor(self.theme.positive), QColor(self.theme.negative), QColor("white")
        p.setPen(Qt.PenStyle.NoPen)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                t = min(1.0, abs(v) / peak)
                end = pos if v >= 0 else neg
                p.setBrush(QColor(round(white.red() + (end.red() - white.red()) * t),
                                  round(white.green() + (end.green() - white.green()) * t),
                                  round(white.blue() + (end.blue() - white.blue()) * t)))
                p.drawRect(QRectF(area.left() + c * side, area.top() + r * side, side, side))


def summary_html(title: str, s: ValueSummary | None, missing: str) -> str:
    if s is None:
        return f"<b>{title}</b>: <i>{escape(missing)}</i>"
    if not s.ok:
        return f"<b>{title}</b>: <i>{escape(s.reason)}</i>"
    extra = f" · {s.nonfinite} NaN/inf" if s.nonfinite else ""
    return (f"<b>{title}</b> {escape(shape_text(s.shape, s.dtype))}<br>"
            f"min {fmt(s.min)} · mean {fmt(s.mean)} · max {fmt(s.max)}<br>"
            f"norm {fmt(s.norm)}{extra}")


class QtItemDetails(QWidget):
    """What the panel knows about one item (or a hint when nothing is selected)."""

    HINT = ("Click a box to see its operation, shape, values and gradient. Click a grey module "
            "box to open it; double-click an operation to fold its module.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("traced-details")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        self.text = QLabel(self.HINT)
        self.text.setObjectName("traced-details-text")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)
        self.value_preview = QtPreview("traced-value-preview")
        self.grad_preview = QtPreview("traced-grad-preview")
        self.grad_text = QLabel()
        self.grad_text.setWordWrap(True)
        self.grad_text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.value_preview)
        layout.addWidget(self.grad_text)
        layout.addWidget(self.grad_preview)
        self.fold_button = QPushButton("Fold module")
        self.fold_button.setObjectName("traced-fold-module")
        self.fold_button.setAccessibleName("Fold this node's module")
        self.fold_button.hide()
        layout.addWidget(self.fold_button)
        layout.addStretch(1)
        self.clear()

    def set_theme(self, theme: Theme) -> None:
        self.value_preview.theme = self.grad_preview.theme = theme

    def clear(self, hint: str = HINT) -> None:
        self.text.setText(hint)
        self.grad_text.setText("")
        self.value_preview.set_summary(None)
        self.grad_preview.set_summary(None)
        self.fold_button.hide()

    def show_node(self, head: str, value: ValueSummary | None, grad: ValueSummary | None,
                  grad_missing: str, module: str) -> None:
        self.text.setText(head + "<br>" + summary_html("Value", value, "not kept"))
        self.value_preview.set_summary(value)
        self.grad_text.setText(summary_html("Gradient", grad, grad_missing))
        self.grad_preview.set_summary(grad)
        self.fold_button.setVisible(bool(module))
        self.fold_button.setText(f"Fold {module}" if module else "Fold module")
