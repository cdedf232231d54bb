"""The tangent-slope panel: drag a point along f, watch the tangent turn, and walk downhill with
1-D gradient descent.

A view of :class:`gradviz.core.tangent.TangentModel`. The point moves through the model only: the
mouse (throttled with ``SignalProxy``), the slider and the spin box all push ``SetFieldCommand``s,
and every widget follows the model's events.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.commands import SetFieldCommand, SetFieldsCommand
from gradviz.core.derivative_code import descent_code, tangent_code
from gradviz.core.descent import describe_run
from gradviz.core.expr import ExpressionError
from gradviz.core.functions1d import (
    PRESETS,
    compiled,
    corner_slopes,
    curve,
    explain_point,
    preset_for,
    probe,
)
from gradviz.core.functions1d import verdict as slope_verdict
from gradviz.core.numbers import fmt, full_text
from gradviz.core.tangent import TangentModel
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import LIGHT, Theme, style_plot
from gradviz.ui.widgets.code_view import QtCodeView
from gradviz.ui.widgets.float_slider import QtFloatSlider
from gradviz.ui.widgets.plot_setup import adopt_plot_menus

log = logging.getLogger(__name__)

CURVE_POINTS = 1000
CUSTOM = "Custom expression…"
RUN_INTERVAL_MS = 350
RUN_MAX_STEPS = 200


class QtTangentPanel(QtPanel):
    """The tangent line at a draggable point, its slope from autograd, and 1-D descent."""

    panel_name = "tangent"
    title = "Tangent slope"
    explainer = ("The derivative is the slope of the line that just touches the curve. Move the "
                 "point and read the slope PyTorch's backward() returns: its sign says which way "
                 "is uphill, its size how steep it is.")
    try_this = ("find where ½(x − 3)² is flat, then press Step a few times: each step moves x by "
                "−lr·f′(x), and the steps shrink near the bottom.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.tm: TangentModel = ctx.model["tangent"]
        self._theme: Theme = ctx.theme() if callable(ctx.theme) else LIGHT
        self._curve_key: tuple | None = None
        self._overlay_key: tuple | None = None
        self._xs = self._ys = self._gs = np.zeros(0)
        self._syncing = False
        self._build()
        self._run_timer = QTimer(self)
        self._run_timer.setInterval(RUN_INTERVAL_MS)
        self._run_timer.timeout.connect(self._on_run_tick)
        self._run_steps = 0
        # Text views (table, code) refresh at most a few times a second during a drag.
        self._slow_timer = QTimer(self)
        self._slow_timer.setSingleShot(True)
        self._slow_timer.setInterval(120)
        self._slow_timer.timeout.connect(self._refresh_slow)
        for name in ("source", "x", "x_lo", "x_hi", "show_derivative", "show_secant", "h", "lr",
                     "descent_x0", "descent_steps"):
            self.listen(getattr(self.tm.events, name), self._on_model_changed)
        self._trail_key: tuple | None = None
        self._refresh_all()
        self._refresh_slow()
        self.apply_theme(self._theme)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("f(x) ="))
        self.preset_combo = QComboBox()
        for p in PRESETS:
            self.preset_combo.addItem(p.label, p.source)
        self.preset_combo.addItem(CUSTOM, None)
        self.preset_combo.activated.connect(self._on_preset_chosen)
        top.addWidget(self.preset_combo)
        self.expr_edit = QLineEdit()
        self.expr_edit.setPlaceholderText("type a function of x, e.g. x**2 - 2*x, then Enter")
        self.expr_edit.setToolTip("Python syntax: x**2, sin(x), exp(-x), relu(x) … "
                                  "Press Enter to plot it.")
        self.expr_edit.returnPressed.connect(self._on_expression_entered)
        top.addWidget(self.expr_edit, 1)
        self.body_layout.addLayout(top)
        self.expr_error = QLabel("")
        self.expr_error.setObjectName("expression-error")
        self.expr_error.setWordWrap(True)
        self.expr_error.hide()
        self.body_layout.addWidget(self.expr_error)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        adopt_plot_menus(self.plot)
        self.plot.hideButtons()
        # Major grid lines only: the minor ones tripled the time to paint a frame under Xvfb.
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setStyle(maxTickLevel=0)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "f(x)")
        self.plot.setMouseEnabled(x=False, y=False)
        self.legend = self.plot.addLegend(offset=(10, 10))
        self.curve_item = self.plot.plot([], [], name="f(x)", connect="finite")
        self.deriv_item = self.plot.plot([], [], connect="finite")
        self.secant_item = self.plot.plot([], [])
        self.secant_dot = pg.ScatterPlotItem(size=8)
        self.plot.addItem(self.secant_dot)
        self.trail_lines = pg.PlotDataItem([], [])
        self.plot.addItem(self.trail_lines)
        self.trail_dots = pg.ScatterPlotItem(size=7)
        self.plot.addItem(self.trail_dots)
        self.tangent_item = self.plot.plot([], [], name="tangent at x")
        self.point_item = pg.TargetItem(pos=(0, 0), size=14, symbol="o", movable=True)
        self.point_item.setToolTip("Drag me along the curve")
        self.plot.addItem(self.point_item)
        self.offscreen_label = pg.TextItem("", anchor=(0, 0))
        self.plot.addItem(self.offscreen_label, ignoreBounds=True)
        # Mouse moves arrive far faster than frames: pass on at most one per frame (60 Hz).
        self._drag_proxy = pg.SignalProxy(self.point_item.sigPositionChanged, delay=1 / 60,
                                          rateLimit=60, slot=self._on_point_dragged)
        self.point_item.sigPositionChangeFinished.connect(self._on_drag_finished)
        split.addWidget(self.plot)

        side = QWidget()
        col = QVBoxLayout(side)
        col.setContentsMargins(4, 0, 0, 0)
        self.readout = QLabel("")
        self.readout.setObjectName("tangent-readout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        font = self.readout.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.readout.setFont(font)
        col.addWidget(self.readout)
        self.verdict_label = QLabel("")
        self.verdict_label.setObjectName("tangent-verdict")
        vfont = self.verdict_label.font()
        vfont.setPointSizeF(vfont.pointSizeF() * 1.25)
        vfont.setBold(True)
        self.verdict_label.setFont(vfont)
        self.verdict_label.setWordWrap(True)
        col.addWidget(self.verdict_label)
        self.note_label = QLabel("")
        self.note_label.setObjectName("tangent-note")
        self.note_label.setWordWrap(True)
        col.addWidget(self.note_label)

        xrow = QHBoxLayout()
        self.x_slider = QtFloatSlider("x", self.tm.x_lo, self.tm.x_hi, steps=1000)
        self.x_slider.value_changed.connect(self._set_x)
        xrow.addWidget(self.x_slider, 1)
        self.x_spin = QDoubleSpinBox()
        self.x_spin.setRange(-1e6, 1e6)
        self.x_spin.setDecimals(4)
        self.x_spin.setSingleStep(0.1)
        self.x_spin.setKeyboardTracking(False)
        self.x_spin.valueChanged.connect(self._set_x)
        xrow.addWidget(self.x_spin)
        col.addLayout(xrow)
        rrow = QHBoxLayout()
        rrow.addWidget(QLabel("plot x from"))
        self.lo_spin = QDoubleSpinBox()
        self.hi_spin = QDoubleSpinBox()
        for name, spin in (("x_lo", self.lo_spin), ("x_hi", self.hi_spin)):
            spin.setRange(-1e4, 1e4)
            spin.setDecimals(2)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v, n=name: self._on_range_edited(n, float(v)))
        rrow.addWidget(self.lo_spin)
        rrow.addWidget(QLabel("to"))
        rrow.addWidget(self.hi_spin)
        rrow.addStretch(1)
        col.addLayout(rrow)

        over = QGridLayout()
        self.deriv_check = QCheckBox("show f′(x) over the whole range")
        self.deriv_check.toggled.connect(lambda on: self._push_field("show_derivative", on))
        self.secant_check = QCheckBox("show the secant through x and x + h")
        self.secant_check.toggled.connect(lambda on: self._push_field("show_secant", on))
        self.h_slider = QtFloatSlider("h", 1e-3, 5.0, steps=400, log=True)
        self.h_slider.value_changed.connect(lambda v: self._push_field("h", v))
        self.secant_label = QLabel("")
        self.secant_label.setWordWrap(True)
        over.addWidget(self.deriv_check, 0, 0)
        over.addWidget(self.secant_check, 1, 0)
        over.addWidget(self.h_slider, 2, 0)
        over.addWidget(self.secant_label, 3, 0)
        col.addLayout(over)

        box = QGroupBox("Gradient descent: x ← x − lr·f′(x)")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("learning rate lr"), 0, 0)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setRange(0.0, 100.0)
        self.lr_spin.setDecimals(3)
        self.lr_spin.setSingleStep(0.05)
        self.lr_spin.setKeyboardTracking(False)
        self.lr_spin.valueChanged.connect(lambda v: self._push_field("lr", float(v)))
        grid.addWidget(self.lr_spin, 0, 1, 1, 2)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("One step downhill (clicker: PageDown; PageUp goes back)")
        self.step_button.clicked.connect(self.take_step)
        self.run_button = QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.toggled.connect(self._on_run_toggled)
        self.reset_button = QPushButton("Reset")
        self.reset_button.clicked.connect(self.reset_descent)
        grid.addWidget(self.step_button, 1, 0)
        grid.addWidget(self.run_button, 1, 1)
        grid.addWidget(self.reset_button, 1, 2)
        self.descent_label = QLabel("")
        self.descent_label.setObjectName("descent-status")
        self.descent_label.setWordWrap(True)
        grid.addWidget(self.descent_label, 2, 0, 1, 3)
        col.addWidget(box)

        self.tabs = QTabWidget()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["step", "x", "f(x)", "f′(x)"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.tabs.addTab(self.table, "Steps")
        self.code_view = QtCodeView("The slope at the point with autograd, then the descent "
                                    "loop: run it and compare with the panel.")
        self.tabs.addTab(self.code_view, "Code")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_slow())
        col.addWidget(self.tabs, 1)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 420])
        self.body_layout.addWidget(split, 1)

    # ------------------------------------------------------------------ user → model
    def _push_field(self, name: str, value) -> None:
        if self._syncing or getattr(self.tm, name) == value:
            return
        self.ctx.push(SetFieldCommand(self.tm, name, value))

    def _set_x(self, value: float) -> None:
        if self._syncing:
            return
        value = float(value)
        if not math.isfinite(value) or value == self.tm.x:
            return
        self.ctx.push(SetFieldCommand(self.tm, "x", value))

    def _on_range_edited(self, name: str, value: float) -> None:
        # Only the edited end changes: the other keeps its exact value (2π, not the shown 6.28).
        if self._syncing or getattr(self.tm, name) == value:
            return
        lo = value if name == "x_lo" else self.tm.x_lo
        hi = value if name == "x_hi" else self.tm.x_hi
        if not lo < hi:
            self.ctx.status("The plot range needs 'from' below 'to'.")
            self._syncing = True
            try:
                self.lo_spin.setValue(self.tm.x_lo)
                self.hi_spin.setValue(self.tm.x_hi)
            finally:
                self._syncing = False
            return
        self.ctx.push(SetFieldCommand(self.tm, name, value,
                                      label=f"Plot x from {lo:g} to {hi:g}", merge=False))

    def _on_point_dragged(self, _args) -> None:
        try:
            if self._syncing:
                return
            x = self.point_item.pos().x()
            x = min(max(x, self.tm.x_lo), self.tm.x_hi)
            if x != self.tm.x:
                self._set_x(x)
            else:
                self._place_point()  # snap back onto the curve
        except Exception:  # a slot must never raise into the event loop
            log.exception("drag failed")

    def _on_drag_finished(self, _item) -> None:
        self._drag_proxy.flush()
        self._place_point()

    def _on_preset_chosen(self, index: int) -> None:
        source = self.preset_combo.itemData(index)
        if source is None:  # "Custom…": type into the field
            self.expr_edit.setFocus()
            self.expr_edit.selectAll()
            return
        preset = preset_for(source)
        self._apply_source(source, (preset.x_lo, preset.x_hi) if preset else None)

    def _on_expression_entered(self) -> None:
        text = self.expr_edit.text()
        try:
            compiled(text.strip())
        except ExpressionError as exc:
            self._show_expr_error(exc)
            return
        preset = preset_for(text)
        self._apply_source(text.strip(), (preset.x_lo, preset.x_hi) if preset else None)

    def _show_expr_error(self, exc: ExpressionError) -> None:
        where = f" (column {exc.column})" if exc.column else ""
        self.expr_error.setText(f"Cannot plot this{where}: {exc.message}. "
                                "The last good function stays on the plot.")
        self.expr_error.show()

    def _apply_source(self, source: str, rng: tuple[float, float] | None) -> None:
        self.expr_error.hide()
        values: dict = {"source": source}
        lo, hi = rng if rng else (self.tm.x_lo, self.tm.x_hi)
        if rng:
            values.update(x_lo=lo, x_hi=hi)
        if not lo <= self.tm.x <= hi:
            values["x"] = min(max(0.0, lo), hi)
        values = {k: v for k, v in values.items() if getattr(self.tm, k) != v}
        if values:
            self.ctx.push(SetFieldsCommand(self.tm, values, f"Set f(x) = {source}"))

    # ------------------------------------------------------------------ descent
    def take_step(self) -> bool:
        """One descent step (also the clicker's PageDown); False when it would diverge."""
        try:
            values = self.tm.next_step()
        except Exception as exc:
            self.ctx.status(f"Step refused: {exc}")
            return False
        if values is None:
            self.run_button.setChecked(False)
            if not self._point.defined:
                self._descent_message("No step from here: f or f′ is not a number at this x. "
                                      "Move the point into f's domain first.", "error")
            else:
                self._descent_message("Diverged: the next step would fly off beyond any finite "
                                      "x. Lower the learning rate and press Reset.", "error")
            return False
        return self.ctx.push(SetFieldsCommand(self.tm, values, f"Step to x = {values['x']:.4g}"))

    def step_back(self) -> bool:
        values = self.tm.previous_step()
        if values is None:
            return False
        return self.ctx.push(SetFieldsCommand(self.tm, values, "Step back"))

    def reset_descent(self) -> None:
        self.run_button.setChecked(False)
        values = self.tm.reset_descent()
        if values is not None:
            self.ctx.push(SetFieldsCommand(self.tm, values, "Reset descent"))

    def _on_run_toggled(self, on: bool) -> None:
        self.run_button.setText("Pause" if on else "Run")
        self._run_steps = 0
        if on:
            self._run_timer.start()
        else:
            self._run_timer.stop()

    def _on_run_tick(self) -> None:
        try:
            rows = self.tm.trail()
            if rows and abs(rows[-1].grad) < 1e-4:
                self.run_button.setChecked(False)
                return
            self._run_steps += 1
            if not self.take_step() or self._run_steps >= RUN_MAX_STEPS:
                self.run_button.setChecked(False)
        except Exception:
            log.exception("descent run failed")
            self.run_button.setChecked(False)

    def can_step(self) -> bool:
        return True

    def step(self, direction: int) -> bool:
        return self.take_step() if direction > 0 else self.step_back()

    # ------------------------------------------------------------------ model → view
    def _on_model_changed(self, *_args) -> None:
        try:
            self._refresh_all()
            self._slow_timer.start()
        except Exception:
            log.exception("tangent panel refresh failed")

    def _refresh_all(self) -> None:
        self._syncing = True
        try:
            self._sync_widgets()
        finally:
            self._syncing = False
        self._refresh_curve()
        self._place_point()
        self._refresh_tangent()
        self._refresh_trail()

    def _sync_widgets(self) -> None:
        tm = self.tm
        i = self.preset_combo.findData(preset_source(tm.source))
        self.preset_combo.setCurrentIndex(i if i >= 0 else self.preset_combo.count() - 1)
        if not self.expr_edit.hasFocus() or self.expr_edit.text().strip() == tm.source:
            self.expr_edit.setText(tm.source)
        self.x_slider.set_range(tm.x_lo, tm.x_hi)
        self.x_slider.set_value(tm.x)
        if self.lo_spin.value() != round(tm.x_lo, 2):
            self.lo_spin.setValue(tm.x_lo)
        if self.hi_spin.value() != round(tm.x_hi, 2):
            self.hi_spin.setValue(tm.x_hi)
        if self.x_spin.value() != round(tm.x, 4):
            self.x_spin.setValue(tm.x)
        self.x_spin.setToolTip(full_text(tm.x))
        self.deriv_check.setChecked(tm.show_derivative)
        self.secant_check.setChecked(tm.show_secant)
        self.h_slider.set_value(tm.h)
        self.h_slider.setEnabled(tm.show_secant)
        if self.lr_spin.value() != round(tm.lr, 3):
            self.lr_spin.setValue(tm.lr)

    def _refresh_curve(self) -> None:
        tm = self.tm
        key = (tm.source, tm.x_lo, tm.x_hi)
        if key != self._curve_key:
            xs, ys, gs = curve(tm.source, tm.x_lo, tm.x_hi, CURVE_POINTS)
            self._xs, self._ys, self._gs = xs.numpy(), ys.numpy(), gs.numpy()
            self._curve_key = key
            self.curve_item.setData(self._xs, self._ys)
            self._set_view_range()
        overlays = (key, tm.show_derivative, tm.show_secant)
        if overlays == self._overlay_key:
            return  # nothing of the curve or its overlays changed (a drag, a step)
        self._overlay_key = overlays
        if tm.show_derivative:
            self.deriv_item.setData(self._xs, self._gs)
        else:
            self.deriv_item.setData([], [])
        self._show_in_legend(self.deriv_item, "f′(x)", tm.show_derivative)
        self._show_in_legend(self.secant_item, "secant", tm.show_secant)
        self._set_view_range()

    def _show_in_legend(self, item, name: str, shown: bool) -> None:
        listed = any(sample.item is item for sample, _label in self.legend.items)
        if shown and not listed:
            self.legend.addItem(item, name)
        elif not shown and listed:
            self.legend.removeItem(item)

    def _set_view_range(self) -> None:
        data = [self._ys]
        if self.tm.show_derivative:
            data.append(self._gs)
        finite = np.concatenate([d[np.isfinite(d)] for d in data]) if data else np.zeros(0)
        if finite.size == 0:
            lo, hi = -1.0, 1.0
        else:
            # Percentiles keep one steep end (eˣ, log near 0) from squashing the rest.
            # (by sorting: np.percentile's first call costs ~17 ms, felt at start-up)
            if finite.size > 50:
                ordered = np.sort(finite)
                lo, hi = ordered[(finite.size - 1) // 100], ordered[(finite.size - 1) * 99 // 100]
            else:
                lo, hi = finite.min(), finite.max()
            lo, hi = float(min(lo, 0.0) if lo > 0 and lo < 0.25 * hi else lo), float(hi)
        if hi - lo < 1e-9:
            lo, hi = lo - 1.0, hi + 1.0
        pad = 0.08 * (hi - lo)
        key = (self.tm.x_lo, self.tm.x_hi, lo - pad, hi + pad)
        if key != getattr(self, "_range_key", None):
            self._range_key = key
            self.plot.setXRange(self.tm.x_lo, self.tm.x_hi, padding=0.02)
            self.plot.setYRange(lo - pad, hi + pad, padding=0)

    def _place_point(self) -> None:
        tm = self.tm
        # One forward + one backward gives the point, the corner check and the secant's f(x + h).
        self._probe = probe(tm.source, tm.x, tm.h if tm.show_secant else None)
        p = self._probe.point
        self._point = p
        y = p.value if math.isfinite(p.value) else 0.0
        self._syncing = True
        try:
            self._drag_proxy.blockSignal = True
            self.point_item.setPos(p.x, y)
        finally:
            self._drag_proxy.blockSignal = False
            self._syncing = False
        self.point_item.setVisible(math.isfinite(p.value))
        inside = self.tm.x_lo <= p.x <= self.tm.x_hi
        if inside:
            self.offscreen_label.setText("")
        else:
            side = "right" if p.x > self.tm.x_hi else "left"
            self.offscreen_label.setText(f"→ the point left the view to the {side} (x = {fmt(p.x)})"
                                         if side == "right" else
                                         f"← the point left the view (x = {fmt(p.x)})")
            vr = self.plot.viewRange()
            self.offscreen_label.setPos(vr[0][0], vr[1][1])

    def _refresh_tangent(self) -> None:
        p, th, tm = self._point, self._theme, self.tm
        text, meaning = slope_verdict(p.slope)
        corner = p.defined and corner_slopes(self._probe) is not None
        colour = th.warning if corner else getattr(th, meaning)
        x0, x1 = tm.x_lo, tm.x_hi
        if p.defined:
            span = 0.35 * (x1 - x0)
            tx = np.array([p.x - span, p.x + span])
            self.tangent_item.setData(tx, p.value + p.slope * (tx - p.x))
            self.tangent_item.setPen(pg.mkPen(colour, width=3))
        else:
            self.tangent_item.setData([], [])
        self.point_item.setBrush(pg.mkBrush(colour))
        self.point_item.setPen(pg.mkPen(th.plot_fg, width=1.5))
        self.readout.setText(
            f"x = <b>{fmt(p.x)}</b> &nbsp; f(x) = <b>{fmt(p.value)}</b> &nbsp; "
            f"f′(x) = <b>{fmt(p.slope)}</b>")
        self.readout.setToolTip(f"f′(x) from x.grad after y.backward()\n{full_text(p.slope)}")
        if not p.defined:
            self.verdict_label.setText("No tangent here")
        elif corner:
            # Not "flat": a corner has no single slope, PyTorch merely reports one.
            self.verdict_label.setText(f"A corner: no single slope (PyTorch reports "
                                       f"f′ = {fmt(p.slope)})")
        else:
            self.verdict_label.setText(text[0].upper() + text[1:])
        self.verdict_label.setStyleSheet(f"color: {colour};")
        self.note_label.setText(explain_point(tm.source, tm.x, probed=self._probe))
        self._refresh_secant()

    def _refresh_secant(self) -> None:
        tm, p = self.tm, self._point
        if not tm.show_secant or not p.defined:
            self.secant_item.setData([], [])
            self.secant_dot.setData([], [])
            self.secant_label.setText("")
            return
        fxh = self._probe.secant_value
        if fxh is None or not math.isfinite(fxh):
            self.secant_item.setData([], [])
            self.secant_dot.setData([], [])
            self.secant_label.setText(f"f(x + h) is {fmt(fxh)}: no secant.")
            return
        s = (fxh - p.value) / tm.h
        span = 0.35 * (tm.x_hi - tm.x_lo) + tm.h
        sx = np.array([p.x - span, p.x + span])
        self.secant_item.setData(sx, p.value + s * (sx - p.x))
        self.secant_dot.setData([p.x + tm.h], [fxh])
        self.secant_label.setText(
            f"secant slope [f(x+h) − f(x)]/h = <b>{fmt(s)}</b> with h = {fmt(tm.h, 3)}; "
            f"tangent slope {fmt(p.slope)}. Shrink h and the secant turns into the tangent.")

    def _refresh_trail(self, force: bool = False) -> None:
        rows = self.tm.trail()
        key = (self.tm.source, self.tm.descent_x0, self.tm.lr, len(rows), self.tm.x_lo,
               self.tm.x_hi)
        if not force and key == self._trail_key:
            return  # a drag without descent: nothing of the trail changed
        self._trail_key = key
        self._rows = rows
        th = self._theme
        if not rows:
            self.trail_dots.setData([], [])
            self.trail_lines.setData([], [])
        else:
            xs = np.array([r.x for r in rows[:-1]])
            ys = np.array([r.loss for r in rows[:-1]])
            gs = np.array([r.grad for r in rows[:-1]])
            self.trail_dots.setData(xs, ys, brush=pg.mkBrush(th.warning), pen=pg.mkPen(th.plot_fg))
            # A short tangent at every visited point (pairs of points, drawn as separate segments).
            half = 0.04 * (self.tm.x_hi - self.tm.x_lo) / np.sqrt(1 + gs**2)
            lx = np.stack([xs - half, xs + half], axis=1).ravel()
            ly = np.stack([ys - half * gs, ys + half * gs], axis=1).ravel()
            self.trail_lines.setData(lx, ly, connect="pairs",
                                     pen=pg.mkPen(th.warning, width=1.5))
        text, meaning = describe_run(rows, self.tm.lr)
        self._descent_message(text, meaning)

    def _descent_message(self, text: str, meaning: str) -> None:
        self.descent_label.setText(text)
        colour = getattr(self._theme, meaning) if meaning != "neutral" else self._theme.text
        self.descent_label.setStyleSheet(f"color: {colour};")

    def _refresh_slow(self) -> None:
        """The steps table and the code listing (text views that need not follow every frame)."""
        try:
            rows = self._rows
            self.table.setRowCount(len(rows))
            for i, r in enumerate(rows):
                for j, v in enumerate((r.step, r.x, r.loss, r.grad)):
                    item = QTableWidgetItem(str(v) if j == 0 else fmt(v))
                    if j:
                        item.setToolTip(full_text(v))
                    self.table.setItem(i, j, item)
            if rows:
                self.table.scrollToBottom()
            tm = self.tm
            x0 = tm.descent_x0 if rows else tm.x
            steps = max(len(rows), 3)
            self.code_view.set_code(tangent_code(tm.source, tm.x)
                                    + "\n\n# ---- gradient descent from x0 ----\n"
                                    + descent_code(tm.source, x0, tm.lr, steps))
        except Exception:
            log.exception("tangent panel text refresh failed")

    # ------------------------------------------------------------------ theme, teardown
    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        style_plot(self.plot, theme)
        self.curve_item.setPen(pg.mkPen(theme.curve, width=2.5))
        self.deriv_item.setPen(pg.mkPen(theme.accent, width=2, style=Qt.PenStyle.DashLine))
        self.secant_item.setPen(pg.mkPen(theme.muted, width=2, style=Qt.PenStyle.DotLine))
        self.secant_dot.setBrush(pg.mkBrush(theme.muted))
        self.offscreen_label.setColor(theme.error)
        self.expr_error.setStyleSheet(f"color: {theme.error};")
        self.legend.setLabelTextColor(theme.plot_fg)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=theme.plot_fg)  # existing labels keep old colours
        self._refresh_tangent()
        self._refresh_trail(force=True)

    def teardown(self) -> None:
        self._run_timer.stop()
        self._slow_timer.stop()
        self._drag_proxy.disconnect()
        super().teardown()


def preset_source(source: str) -> str | None:
    p = preset_for(source)
    return p.source if p else None
