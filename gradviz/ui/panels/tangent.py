"""The tangent-slope panel: drag a point along f, watch the tangent turn, and walk downhill with
1-D gradient descent.

A view of :class:`gradviz.core.tangent.TangentModel`, built from the sections in
:mod:`gradviz.ui.panels.tangent_sections`. The point moves through the model only: the mouse
(throttled with ``SignalProxy``), the slider and the spin box all push ``SetFieldCommand``s, and
every widget follows the model's events. What is drawn is computed in
:mod:`gradviz.core.tangent_view`.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QSplitter, QTableWidgetItem, QVBoxLayout, QWidget

from gradviz.core.commands import SetFieldCommand, SetFieldsCommand
from gradviz.core.derivative_code import descent_code, tangent_code
from gradviz.core.descent import describe_run
from gradviz.core.functions1d import (
    corner_slopes,
    curve,
    explain_point,
    preset_for,
    probe,
)
from gradviz.core.functions1d import verdict as slope_verdict
from gradviz.core.model import StateError
from gradviz.core.numbers import fmt, full_text
from gradviz.core.tangent import TangentModel
from gradviz.core.tangent_view import (
    break_at_jumps,
    offscreen_text,
    secant,
    source_change,
    tangent_line,
    trail_marks,
    view_y_range,
)
from gradviz.ui.binding import bind
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.tangent_sections import (
    DescentSection,
    FunctionSection,
    OverlaySection,
    PointSection,
    StepsSection,
    TangentPlotSection,
)
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import LIGHT, Theme, style_plot

log = logging.getLogger(__name__)

CURVE_POINTS = 1000
RUN_INTERVAL_MS = 350
RUN_MAX_STEPS = 200
#: Controls that are plain model fields, bound with :func:`gradviz.ui.binding.bind`.
BOUND = (("x_slider", "x"), ("x_spin", "x"), ("lo_spin", "x_lo"), ("hi_spin", "x_hi"),
         ("deriv_check", "show_derivative"), ("secant_check", "show_secant"),
         ("h_slider", "h"), ("lr_spin", "lr"))


class QtTangentPanel(QtPanel):
    """The tangent line at a draggable point, its slope from autograd, and 1-D descent."""

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
        self._range_key: tuple | None = None
        self._trail_key: tuple | None = None
        self._shown_source: str | None = None
        self._xs = self._ys = self._gs = np.zeros(0)
        self._rows: list = []
        self._build()
        for attr, field in BOUND:
            bind(getattr(self, attr), self.tm, field, push=self._push, listen=self.listen)
        self._connect_controls()
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
            self.listen(getattr(self.tm.events, name), self._on_model_changed, when_shown=True)
        self._refresh_all()
        self._refresh_slow()
        self.apply_theme(self._theme)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.function_section = FunctionSection()
        self.plot_section = TangentPlotSection()
        self.point_section = PointSection()
        self.overlay_section = OverlaySection()
        self.descent_section = DescentSection()
        self.steps_section = self.tabs = StepsSection()
        sections = (self.function_section, self.plot_section, self.point_section,
                    self.overlay_section, self.descent_section, self.steps_section)
        # The sections' widgets are reached by their old names (panel.plot, panel.x_spin …),
        # which tests, benchmarks and the lesson tour use.
        for section in sections:
            self.__dict__.update({k: v for k, v in vars(section).items() if not k.startswith("_")})
        self.body_layout.addWidget(self.function_section)
        side = QWidget()
        col = QVBoxLayout(side)
        col.setContentsMargins(4, 0, 0, 0)
        for section in sections[2:]:
            col.addWidget(section, 1 if section is self.steps_section else 0)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plot_section)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 420])
        self.body_layout.addWidget(split, 1)

    def _connect_controls(self) -> None:
        self.preset_combo.activated.connect(self._on_preset_chosen)
        self.expr_field.accepted.connect(self._apply_source)
        self.step_button.clicked.connect(self.take_step)
        self.run_button.toggled.connect(self._on_run_toggled)
        self.reset_button.clicked.connect(self.reset_descent)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_slow())
        # Mouse moves arrive far faster than frames: pass on at most one per frame (60 Hz).
        self._drag_proxy = pg.SignalProxy(self.point_item.sigPositionChanged, delay=1 / 60,
                                          rateLimit=60, slot=self._on_point_dragged)
        self.point_item.sigPositionChangeFinished.connect(self._on_drag_finished)

    # ------------------------------------------------------------------ user → model
    def _push(self, command, target=None) -> bool:
        """The window's push. Without a window a refused value (a plot range whose ends would
        cross) is said in the status line rather than raised; the control then shows the model."""
        try:
            return self.ctx.push(command, target)
        except StateError as exc:
            self.ctx.status(str(exc))
            return False

    def _on_point_dragged(self, _args) -> None:
        try:
            x = self.point_item.pos().x()
            x = min(max(x, self.tm.x_lo), self.tm.x_hi)
            if x != self.tm.x and math.isfinite(x):
                self._push(SetFieldCommand(self.tm, "x", float(x)))
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
            self.expr_field.start_custom()
            return
        self._apply_source(source)

    def _apply_source(self, source: str) -> None:
        self.expr_error.hide()
        tm = self.tm
        preset = preset_for(source)
        values = source_change(source, tm.x, (tm.x_lo, tm.x_hi),
                               (preset.x_lo, preset.x_hi) if preset else None)
        values = {k: v for k, v in values.items() if getattr(tm, k) != v}
        if values:
            self._push(SetFieldsCommand(tm, values, f"Set f(x) = {source}"))

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
        tm = self.tm
        if tm.source != self._shown_source:
            # The picker and the text follow the function only, not every drag step.
            self._shown_source = tm.source
            preset = preset_for(tm.source)
            i = self.preset_combo.findData(preset.source) if preset else -1
            self.preset_combo.setCurrentIndex(i if i >= 0 else self.preset_combo.count() - 1)
            if not self.expr_edit.hasFocus() or self.expr_edit.text().strip() == tm.source:
                self.expr_edit.setText(tm.source)
        self.x_slider.set_range(tm.x_lo, tm.x_hi)
        self.h_slider.setEnabled(tm.show_secant)
        self._refresh_curve()
        self._place_point()
        self._refresh_tangent()
        self._refresh_trail()

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
            self.deriv_item.setData(*break_at_jumps(self._xs, self._gs))
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
        lo, hi = view_y_range([self._ys, self._gs] if self.tm.show_derivative else [self._ys])
        key = (self.tm.x_lo, self.tm.x_hi, lo, hi)
        if key != self._range_key:
            self._range_key = key
            self.plot.setXRange(self.tm.x_lo, self.tm.x_hi, padding=0.02)
            self.plot.setYRange(lo, hi, padding=0)

    def _place_point(self) -> None:
        tm = self.tm
        # One forward + one backward gives the point, the corner check and the secant's f(x + h).
        self._probe = probe(tm.source, tm.x, tm.h if tm.show_secant else None)
        p = self._point = self._probe.point
        try:
            self._drag_proxy.blockSignal = True  # our own move is not a drag
            self.point_item.setPos(p.x, p.value if math.isfinite(p.value) else 0.0)
        finally:
            self._drag_proxy.blockSignal = False
        self.point_item.setVisible(math.isfinite(p.value))
        text = offscreen_text(p.x, tm.x_lo, tm.x_hi)
        self.offscreen_label.setText(text)
        if text:
            vr = self.plot.viewRange()
            self.offscreen_label.setPos(vr[0][0], vr[1][1])

    def _refresh_tangent(self) -> None:
        p, th, tm = self._point, self._theme, self.tm
        text, meaning = slope_verdict(p.slope)
        corner = p.defined and corner_slopes(self._probe) is not None
        colour = th.warning if corner else getattr(th, meaning)
        self.tangent_item.setData(*tangent_line(p, tm.x_lo, tm.x_hi))
        if colour != getattr(self, "_point_colour", None):
            # New pens only when the colour changes: a drag mostly keeps its colour.
            self._point_colour = colour
            self.tangent_item.setPen(pg.mkPen(colour, width=3))
            self.point_item.setBrush(pg.mkBrush(colour))
            self.point_item.setPen(pg.mkPen(th.plot_fg, width=1.5))
            self.verdict_label.setStyleSheet(f"color: {colour};")
        self.readout.setText(
            f"x = <b>{fmt(p.x)}</b> &nbsp; f(x) = <b>{fmt(p.value)}</b> &nbsp; "
            f"f′(x) = <b>{fmt(p.slope)}</b>")
        self.readout.setToolTip(f"f′(x) from x.grad after y.backward()\n{full_text(p.slope)}")
        self.x_spin.setToolTip(full_text(tm.x))
        if not p.defined:
            self.verdict_label.setText("No tangent here")
        elif corner:
            # Not "flat": a corner has no single slope, PyTorch merely reports one.
            self.verdict_label.setText(f"A corner: no single slope (PyTorch reports "
                                       f"f′ = {fmt(p.slope)})")
        else:
            self.verdict_label.setText(text[0].upper() + text[1:])
        self.note_label.setText(explain_point(tm.source, tm.x, probed=self._probe))
        self._refresh_secant()

    def _refresh_secant(self) -> None:
        tm = self.tm
        if not tm.show_secant:
            s = secant(self._point, None, tm.h, tm.x_lo, tm.x_hi)
            text = ""
        else:
            s = secant(self._point, self._probe.secant_value, tm.h, tm.x_lo, tm.x_hi)
            text = s.text
        self.secant_item.setData(s.xs, s.ys)
        self.secant_dot.setData(*([[s.dot[0]], [s.dot[1]]] if s.dot else [[], []]))
        self.secant_label.setText(text)

    def _refresh_trail(self, force: bool = False) -> None:
        tm = self.tm
        rows = tm.trail()
        key = (tm.source, tm.descent_x0, tm.lr, len(rows), tm.x_lo, tm.x_hi)
        if not force and key == self._trail_key:
            return  # a drag without descent: nothing of the trail changed
        self._trail_key = key
        self._rows = rows
        th = self._theme
        if not rows:
            self.trail_dots.setData([], [])
            self.trail_lines.setData([], [])
        else:
            m = trail_marks(rows, tm.x_lo, tm.x_hi)
            self.trail_dots.setData(m.xs, m.ys, brush=pg.mkBrush(th.warning),
                                    pen=pg.mkPen(th.plot_fg))
            self.trail_lines.setData(m.tick_x, m.tick_y, connect="pairs",
                                     pen=pg.mkPen(th.warning, width=1.5))
        self._descent_message(*describe_run(rows, tm.lr))

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
        self._point_colour = None
        style_plot(self.plot, theme)
        self.curve_item.setPen(pg.mkPen(theme.curve, width=2.5))
        self.deriv_item.setPen(pg.mkPen(theme.accent, width=2, style=Qt.PenStyle.DashLine))
        self.secant_item.setPen(pg.mkPen(theme.muted, width=2, style=Qt.PenStyle.DotLine))
        self.secant_dot.setBrush(pg.mkBrush(theme.muted))
        self.offscreen_label.setColor(theme.error)
        self.expr_field.set_theme(theme)
        self.legend.setLabelTextColor(theme.plot_fg)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=theme.plot_fg)  # existing labels keep old colours
        self._refresh_tangent()
        self._refresh_trail(force=True)

    def set_presenting(self, on: bool, scale: float = 1.0) -> None:
        """Presenter layout (the declaration's), with the descent's controls in one row."""
        super().set_presenting(on, scale)
        self.descent_section.set_compact(on)
        # Squeezed tabs would hide behind scroll arrows: ask for their width, or fold.
        self.tabs.setUsesScrollButtons(not on)

    def teardown(self) -> None:
        self._run_timer.stop()
        self._slow_timer.stop()
        self._drag_proxy.disconnect()
        super().teardown()
