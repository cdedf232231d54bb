"""The chain-rule explorer: build y = f(g(h(x))) from links and watch the local derivatives
multiply into the total, next to autograd's answer.

A view of :class:`gradviz.core.chain.ChainModel`. The diagram is painted from
:class:`gradviz.core.chain.ChainResult`: forward values flow right above the arrows, each link's
local derivative sits under its box, and the backward product flows left underneath.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.chain import (
    LINK_PRESETS,
    MAX_LINKS,
    MIN_LINKS,
    ChainModel,
    ChainResult,
    composed_text,
    evaluate_chain,
    link_label,
)
from gradviz.core.commands import SetFieldCommand
from gradviz.core.derivative_code import chain_code
from gradviz.core.functions1d import compiled
from gradviz.core.model import StateError
from gradviz.core.numbers import fmt, full_text
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import LIGHT, Theme
from gradviz.ui.widgets.code_view import QtCodeView
from gradviz.ui.widgets.expression_field import QtExpressionField
from gradviz.ui.widgets.float_slider import QtFloatSlider

log = logging.getLogger(__name__)

CUSTOM = "custom…"


class QtChainDiagram(QWidget):
    """Boxes for the links, forward values flowing right, local derivatives under the boxes and
    the backward product flowing left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: ChainResult | None = None
        self.local_formulas: list[str] = []
        self.theme: Theme = LIGHT
        self.setMinimumHeight(230)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # paintEvent fills every pixel: Qt need not paint the panel's background beneath first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_result(self, result: ChainResult | None) -> None:
        self.result = result
        self.local_formulas = [] if result is None else [
            local_formula(src, "x" if i == 0 else f"u{i}") for i, src in enumerate(result.links)]
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
        r = self.result
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
        # Boxes with the link's name, the local derivative under each.
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
            p.setFont(bold)
            p.setPen(QColor(th.neutral))
            p.drawText(QRectF(q.left() - 40, q.bottom() + 24, q.width() + 80, 26),
                       Qt.AlignmentFlag.AlignCenter, fmt(r.locals_[i]))
        # Backward: the product flows left along the bottom, starting with dy/dy = 1.
        by = rects[0].bottom() + 72
        right_end = xe[-1]
        self._arrow(p, QPointF(right_end, by), QPointF(rects[-1].right() + 4, by), bwd, 2)
        p.setFont(small)
        p.setPen(bwd)
        p.drawText(QRectF(rects[-1].right(), by + 4, right_end - rects[-1].right(), 22),
                   Qt.AlignmentFlag.AlignCenter, "dy/dy = 1")
        for i in range(len(rects) - 1, -1, -1):
            q = rects[i]
            start = QPointF(q.right(), by)
            end = QPointF((rects[i - 1].right() + 4) if i > 0 else xs[0] + 4, by)
            self._arrow(p, start, end, bwd, 2.5)
            name = "x" if i == 0 else f"u{i}"
            p.setPen(bwd)
            p.setFont(small)
            text = f"dy/d{name} = {fmt(r.upstream[i])}"
            p.drawText(QRectF(end.x(), by + 4, start.x() - end.x(), 22),
                       Qt.AlignmentFlag.AlignCenter, text)
        p.setPen(muted)
        p.setFont(small)
        p.drawText(QRectF(8, mid_y - 60, w - 16, 20), Qt.AlignmentFlag.AlignLeft,
                   "forward: values flow right →")
        p.drawText(QRectF(8, by + 28, w - 16, 20), Qt.AlignmentFlag.AlignLeft,
                   "← backward: each box multiplies what arrives by its local derivative")

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


class QtLinkEditor(QFrame):
    """One link: choose a preset or type a custom expression; move it left/right or remove it."""

    def __init__(self, panel: QtChainPanel, index: int) -> None:
        super().__init__()
        self.panel = panel
        self.index = index
        self.setFrameShape(QFrame.Shape.StyledPanel)
        col = QVBoxLayout(self)
        col.setContentsMargins(6, 4, 6, 4)
        row = QHBoxLayout()
        self.title = QLabel(f"link {index + 1}")
        row.addWidget(self.title)
        self.left_button = QPushButton("◀")
        self.left_button.setToolTip("apply this link earlier (move it left)")
        self.right_button = QPushButton("▶")
        self.right_button.setToolTip("apply this link later (move it right)")
        self.remove_button = QPushButton("✕")
        self.remove_button.setToolTip("remove this link")
        for b in (self.left_button, self.right_button, self.remove_button):
            b.setFixedWidth(30)
            row.addWidget(b)
        col.addLayout(row)
        self.combo = QComboBox()
        for p in LINK_PRESETS:
            self.combo.addItem(p.label, p.source)
        self.combo.addItem(CUSTOM, None)
        col.addWidget(self.combo)
        self.field = QtExpressionField(compiled, "a function of x, e.g. x**3")
        col.addWidget(self.field)
        self.left_button.clicked.connect(lambda: panel.move_link(self.index, -1))
        self.right_button.clicked.connect(lambda: panel.move_link(self.index, +1))
        self.remove_button.clicked.connect(lambda: panel.remove_link(self.index))
        self.combo.activated.connect(self._on_combo)
        self.field.accepted.connect(lambda text: panel.replace_link(self.index, text))

    def show_link(self, source: str, count: int) -> None:
        i = self.combo.findData(source)
        self.combo.setCurrentIndex(i if i >= 0 else self.combo.count() - 1)
        self.field.show_source(source)
        self.field.setVisible(i < 0 or self.field.edit.hasFocus())
        self.left_button.setEnabled(self.index > 0)
        self.right_button.setEnabled(self.index < count - 1)
        self.remove_button.setEnabled(count > MIN_LINKS)

    def _on_combo(self, index: int) -> None:
        source = self.combo.itemData(index)
        if source is None:
            self.field.show()
            self.field.edit.setFocus()
            self.field.edit.selectAll()
            return
        self.panel.replace_link(self.index, source)


class QtChainPanel(QtPanel):
    """Compose 2–4 links, slide x, and compare the product of local derivatives with autograd."""

    panel_name = "chain"
    title = "Chain rule"
    explainer = ("A composition's slope is the product of each link's own slope, taken at the "
                 "value that reaches it. The boxes compute forward to the right; the product "
                 "flows back to the left, exactly as backward() does.")
    try_this = ("slide x and watch which local derivative changes most; then put ReLU first and "
                "move x below 0: one zero factor stops the whole gradient.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.cm: ChainModel = ctx.model["chain"]
        self._theme: Theme = ctx.theme() if callable(ctx.theme) else LIGHT
        self._syncing = False
        self.result: ChainResult | None = None
        self._shown_links: list[str] | None = None
        self._composed = ""
        self._build()
        # The listing follows at most a few times a second: repainting it on every slider step
        # would double the cost of a frame.
        self._code_timer = QTimer(self)
        self._code_timer.setSingleShot(True)
        self._code_timer.setInterval(150)
        self._code_timer.timeout.connect(self._refresh_code)
        self.listen(self.cm.events.links, self._on_model_changed)
        self.listen(self.cm.events.x, self._on_model_changed)
        self._refresh()
        self._refresh_code()
        self.apply_theme(self._theme)

    def teardown(self) -> None:
        self._code_timer.stop()
        super().teardown()

    def _build(self) -> None:
        self.links_row = QHBoxLayout()
        self.editors: list[QtLinkEditor] = []
        for i in range(MAX_LINKS):
            ed = QtLinkEditor(self, i)
            self.editors.append(ed)
            self.links_row.addWidget(ed, 1)
        self.add_button = QPushButton("+ add link")
        self.add_button.setToolTip(f"a chain has {MIN_LINKS} to {MAX_LINKS} links")
        self.add_button.clicked.connect(self.add_link)
        self.links_row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        self.body_layout.addLayout(self.links_row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.hide()
        self.body_layout.addWidget(self.message)

        self.formula = QLabel("")
        self.formula.setObjectName("chain-formula")
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.body_layout.addWidget(self.formula)
        self.diagram = QtChainDiagram()
        self.body_layout.addWidget(self.diagram, 2)

        self.product = QLabel("")
        self.product.setObjectName("chain-product")
        self.product.setTextFormat(Qt.TextFormat.RichText)
        self.product.setWordWrap(True)
        font = self.product.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.product.setFont(font)
        self.body_layout.addWidget(self.product)

        xrow = QHBoxLayout()
        self.x_slider = QtFloatSlider("x", -3.0, 3.0, steps=600)
        self.x_slider.value_changed.connect(self._set_x)
        xrow.addWidget(self.x_slider, 1)
        self.x_spin = QDoubleSpinBox()
        self.x_spin.setRange(-100.0, 100.0)
        self.x_spin.setDecimals(4)
        self.x_spin.setSingleStep(0.1)
        self.x_spin.setKeyboardTracking(False)
        self.x_spin.valueChanged.connect(self._set_x)
        xrow.addWidget(self.x_spin)
        self.body_layout.addLayout(xrow)

        self.code_view = QtCodeView("The chain rule by hand, then the same with autograd: run it "
                                    "and compare with the diagram.")
        self.code_view.setMinimumHeight(160)
        self.body_layout.addWidget(self.code_view, 1)

    # ------------------------------------------------------------------ user → model
    def _set_x(self, value: float) -> None:
        if self._syncing or float(value) == self.cm.x:
            return
        self.ctx.push(SetFieldCommand(self.cm, "x", float(value)))

    def _push_links(self, make, label: str) -> bool:
        try:
            links = make()
        except (StateError, ValueError, IndexError) as exc:
            self._say(str(exc))
            return False
        self.message.hide()
        if links == list(self.cm.links):
            return False
        return self.ctx.push(SetFieldCommand(self.cm, "links", links, label=label, merge=False))

    def add_link(self) -> bool:
        return self._push_links(lambda: self.cm.with_link_added("x**2"), "Add link x²")

    def remove_link(self, index: int) -> bool:
        return self._push_links(lambda: self.cm.with_link_removed(index),
                                f"Remove link {index + 1}")

    def move_link(self, index: int, offset: int) -> bool:
        return self._push_links(lambda: self.cm.with_link_moved(index, offset),
                                f"Move link {index + 1}")

    def replace_link(self, index: int, source: str) -> bool:
        return self._push_links(lambda: self.cm.with_link_replaced(index, source),
                                f"Set link {index + 1} = {link_label(source)}")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {self._theme.error};")
        self.message.show()

    # ------------------------------------------------------------------ model → view
    def _on_model_changed(self, *_args) -> None:
        try:
            self._refresh()
        except Exception:
            log.exception("chain panel refresh failed")

    def _refresh(self) -> None:
        cm = self.cm
        links = list(cm.links)
        self._syncing = True
        try:
            if links != self._shown_links:
                # The editors only change with the links, not on every slider step.
                self._shown_links = links
                for i, ed in enumerate(self.editors):
                    ed.setVisible(i < len(links))
                    if i < len(links):
                        ed.show_link(links[i], len(links))
                self.add_button.setEnabled(len(links) < MAX_LINKS)
                self._composed = composed_text(links)
            self.x_slider.set_value(cm.x)
            if self.x_spin.value() != round(cm.x, 4):
                self.x_spin.setValue(cm.x)
        finally:
            self._syncing = False
        r = evaluate_chain(links, cm.x)
        self.result = r
        self.diagram.set_result(r)
        self.formula.setText(f"y = <b>{self._composed}</b> &nbsp; at x = {fmt(cm.x)} "
                             f"&nbsp; → y = {fmt(r.y)}")
        self._refresh_product()
        self._code_timer.start()

    def _refresh_code(self) -> None:
        try:
            self.code_view.set_code(chain_code(list(self.cm.links), self.cm.x))
        except Exception:
            log.exception("chain code refresh failed")

    def product_text(self) -> str:
        """"2 × 0.540302 × 3 = 3.24181": the locals in diagram order, and their product."""
        r = self.result
        return " × ".join(fmt(v) for v in r.locals_) + f" = {fmt(r.by_hand)}"

    def _refresh_product(self) -> None:
        r, th = self.result, self._theme
        ok = r.agree(1e-6)
        mark = (f"<span style='color:{th.neutral}'>✓ they agree</span>" if ok else
                f"<span style='color:{th.error}'>✗ they differ</span>")
        self.product.setText(
            f"dy/dx by hand = {self.product_text()} &nbsp;&nbsp; autograd: x.grad = "
            f"<b>{fmt(r.autograd)}</b> &nbsp; {mark}")
        self.product.setToolTip(f"by hand: {full_text(r.by_hand, 'float64')}\n"
                                f"autograd: {full_text(r.autograd, 'float64')}")

    # ------------------------------------------------------------------ theme
    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.diagram.set_theme(theme)
        for ed in self.editors:
            ed.field.set_theme(theme)
        if self.result is not None:
            self._refresh_product()
