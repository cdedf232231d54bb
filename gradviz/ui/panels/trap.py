"""The zero_grad trap: press ``loss.backward()`` and watch ``.grad`` pile up (or not).

Three tabs: the accumulation trap itself (modes, zeroing forms, graph reuse), reading the
gradient (nudge w by δ; one update step) and the non-scalar-loss trap. Every number comes from
:mod:`gradviz.core.trap`, which runs real tensors; this module only shows them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.commands import SetFieldCommand
from gradviz.core.numbers import fmt, full_text
from gradviz.core.trap import (
    MODE_TITLES,
    MODES,
    ZERO_FORM_TITLES,
    ZERO_FORMS,
    ApplyUpdateCommand,
    PressRecord,
    TrapModel,
    ZeroRecord,
    gradient_update,
    non_scalar_backward,
    nudge,
    nudge_curve,
    update_code,
)
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.grad_bars import QtGradBars
from gradviz.ui.widgets.highlighted_code import QtHighlightedCode
from gradviz.ui.widgets.plot_setup import adopt_plot_menus
from gradviz.ui.widgets.torch_error_box import QtTorchErrorBox

#: δ slider: integer steps of 0.01 in [-2, 2].
DELTA_STEPS = 100


class QtTrapPanel(QtPanel):
    """Press ``loss.backward()`` in three modes on the shared mini network."""

    panel_name = "trap"
    title = "zero_grad trap"
    explainer = ("backward() adds its result into .grad; it never replaces it. Press it a few "
                 "times without zeroing and the gradient grows 0.4, 0.8, 1.2, … although one "
                 "press's true gradient is still 0.4.")
    try_this = ("press loss.backward() five times, switch to With zero_grad() and press again; "
                "then try Reuse the same graph.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.trap: TrapModel = self.model["trap"]
        self.net = self.trap.net
        self._theme = ctx.theme()
        self.tabs = QTabWidget()
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body_layout.addWidget(self.tabs)
        self.tabs.addTab(self._build_trap_tab(), "backward() again and again")
        self.tabs.addTab(self._build_read_tab(), "What .grad tells you")
        self.tabs.addTab(self._build_scalar_tab(), "Non-scalar loss")

        t = self.trap.events
        self.listen(t.pressed, self._on_pressed)
        self.listen(t.zeroed, self._on_zeroed)
        self.listen(t.restarted, self._on_restarted)
        self.listen(t.mode, self._on_settings_changed)
        self.listen(t.zero_form, self._on_settings_changed)
        self.listen(t.retain_graph, self._on_settings_changed)
        self.listen(t.delta, self._on_delta_changed)
        self.listen(t.lr, self._on_lr_changed)
        for name in ("x", "y", "w", "b"):
            self.listen(getattr(self.net.events, name), self._on_net_changed)
        self._sync_settings()
        self._refresh_trap(None)
        self._refresh_read()
        self.apply_theme(self._theme)

    # ------------------------------------------------------------------ building: trap tab
    def _build_trap_tab(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(6, 6, 6, 6)

        modes = QHBoxLayout()
        self.mode_group = QButtonGroup(page)
        self.mode_buttons: dict[str, QRadioButton] = {}
        for i, mode in enumerate(MODES):
            btn = QRadioButton(MODE_TITLES[mode])
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.mode_group.addButton(btn, i)
            self.mode_buttons[mode] = btn
            modes.addWidget(btn)
        modes.addStretch(1)
        self.mode_group.idClicked.connect(self._on_mode_clicked)
        lay.addLayout(modes)

        options = QHBoxLayout()
        self.zero_form_label = QLabel("zero with:")
        self.zero_form_combo = QComboBox()
        for form in ZERO_FORMS:
            self.zero_form_combo.addItem(ZERO_FORM_TITLES[form], form)
        self.zero_form_combo.setToolTip(
            "optimizer.zero_grad() sets .grad to None (PyTorch's default since 2.0);\n"
            "w.grad.zero_() fills the existing tensor with 0 (it needs one to exist).")
        self.zero_form_combo.activated.connect(self._on_zero_form_chosen)
        self.retain_check = QCheckBox("retain_graph=True")
        self.retain_check.setToolTip("Keep the graph's saved values after backward(), so the "
                                     "same graph can be walked again.")
        self.retain_check.toggled.connect(self._on_retain_toggled)
        options.addWidget(self.zero_form_label)
        options.addWidget(self.zero_form_combo)
        options.addSpacing(16)
        options.addWidget(self.retain_check)
        options.addStretch(1)
        lay.addLayout(options)

        press_row = QHBoxLayout()
        self.backward_button = QPushButton("loss.backward()")
        big = QFont("monospace")
        big.setStyleHint(QFont.StyleHint.Monospace)
        big.setPointSizeF(max(self.font().pointSizeF(), 9) * 1.8)
        big.setBold(True)
        self.backward_button.setFont(big)
        self.backward_button.setMinimumHeight(54)
        self.backward_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.backward_button.setToolTip("Run the forward pass (unless reusing the graph) and "
                                         "call the real loss.backward(). Clicker: PageDown.")
        self.backward_button.clicked.connect(self._on_backward_clicked)
        self.restart_button = QPushButton("Start over")
        self.restart_button.setToolTip("Fresh tensors: .grad back to None, history cleared.")
        self.restart_button.clicked.connect(self._on_restart_clicked)
        press_row.addWidget(self.backward_button, 3)
        press_row.addWidget(self.restart_button, 1)
        lay.addLayout(press_row)

        self.press_label = QLabel()
        lay.addWidget(self.press_label)

        middle = QHBoxLayout()
        self.bars = QtGradBars()
        middle.addWidget(self.bars, 1, Qt.AlignmentFlag.AlignTop)
        self.history_plot = pg.PlotWidget()
        self.history_plot.setMenuEnabled(False)
        adopt_plot_menus(self.history_plot)  # parented menus: no leaked top-level widgets
        self.history_plot.setMinimumHeight(170)
        self.history_plot.setLabel("bottom", "press")
        self.history_plot.setLabel("left", ".grad")
        self.history_plot.getAxis("left").enableAutoSIPrefix(False)
        self.history_plot.showGrid(x=True, y=True, alpha=0.25)
        self.history_plot.setMouseEnabled(x=False, y=False)
        self.history_plot.hideButtons()
        legend = self.history_plot.addLegend(offset=(8, 8))
        legend.setLabelTextSize("9pt")
        self.true_line = self.history_plot.plot([], [], name="one press (true gradient)")
        self.w_curve = self.history_plot.plot([], [], name="w.grad", symbol="o", symbolSize=10)
        self.b_curve = self.history_plot.plot([], [], name="b.grad", symbol="t", symbolSize=7)
        self.w_curve.setZValue(2)  # w.grad is the story; b.grad often equals it (x = 1)
        self.b_curve.setZValue(3)
        self.error_marks = pg.ScatterPlotItem(symbol="x", size=14)
        self.history_plot.addItem(self.error_marks)
        middle.addWidget(self.history_plot, 1)
        lay.addLayout(middle)

        self.error_box = QtTorchErrorBox()
        lay.addWidget(self.error_box)

        lay.addWidget(QLabel("The code each press runs (highlighted: the line that matters):"))
        self.code = QtHighlightedCode(max_lines=13)
        lay.addWidget(self.code)

        zero_row = QHBoxLayout()
        zero_row.addWidget(QLabel("Zero now:"))
        self.zero_buttons: dict[str, QPushButton] = {}
        for form in ZERO_FORMS:
            btn = QPushButton(ZERO_FORM_TITLES[form])
            btn.setFont(QFont("monospace"))
            btn.clicked.connect(lambda _=False, f=form: self._on_zero_clicked(f))
            self.zero_buttons[form] = btn
            zero_row.addWidget(btn)
        self.zero_result = QLabel()
        self.zero_result.setWordWrap(True)
        zero_row.addWidget(self.zero_result, 1)
        lay.addLayout(zero_row)
        lay.addStretch(1)
        return page

    # ------------------------------------------------------------------ building: read tab
    def _build_read_tab(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(6, 6, 6, 6)
        intro = QLabel("w.grad = 0.4 says: near the current w, the loss changes about 0.4 times "
                       "as fast as w. Nudge w by δ and compare that prediction with what the "
                       "loss really does.")
        intro.setWordWrap(True)
        lay.addWidget(intro)

        row = QHBoxLayout()
        row.addWidget(QLabel("δ"))
        self.delta_slider = QSlider(Qt.Orientation.Horizontal)
        self.delta_slider.setRange(-2 * DELTA_STEPS, 2 * DELTA_STEPS)
        self.delta_slider.valueChanged.connect(self._on_delta_slider)
        row.addWidget(self.delta_slider, 1)
        self.delta_label = QLabel()
        self.delta_label.setMinimumWidth(70)
        row.addWidget(self.delta_label)
        lay.addLayout(row)

        grid = QGridLayout()
        self.read_labels: dict[str, QLabel] = {}
        rows = [("loss", "loss at w"), ("loss_nudged", "loss at w + δ"),
                ("predicted", "predicted change  w.grad · δ"),
                ("actual", "actual change  L(w+δ) − L(w)"), ("gap", "gap (what first order misses)")]
        big = QFont(self.font())
        big.setPointSizeF(max(self.font().pointSizeF(), 9) * 1.4)
        for i, (key, text) in enumerate(rows):
            grid.addWidget(QLabel(text), i, 0)
            value = QLabel()
            value.setFont(big)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, i, 1)
            self.read_labels[key] = value
        lay.addLayout(grid)
        self.read_verdict = QLabel()
        self.read_verdict.setWordWrap(True)
        lay.addWidget(self.read_verdict)

        self.nudge_plot = pg.PlotWidget()
        self.nudge_plot.setMenuEnabled(False)
        adopt_plot_menus(self.nudge_plot)  # parented menus: no leaked top-level widgets
        self.nudge_plot.setMinimumHeight(150)
        self.nudge_plot.setLabel("bottom", "δ")
        self.nudge_plot.setLabel("left", "change in loss")
        self.nudge_plot.getAxis("left").enableAutoSIPrefix(False)
        self.nudge_plot.showGrid(x=True, y=True, alpha=0.25)
        self.nudge_plot.setMouseEnabled(x=False, y=False)
        self.nudge_plot.hideButtons()
        self.nudge_plot.addLegend(offset=(8, 8))
        self.actual_curve = self.nudge_plot.plot([], [], name="actual")
        self.predicted_curve = self.nudge_plot.plot([], [], name="predicted (tangent)")
        self.nudge_marker = pg.ScatterPlotItem(size=11)
        self.nudge_plot.addItem(self.nudge_marker)
        lay.addWidget(self.nudge_plot, 1)

        upd = QHBoxLayout()
        upd.addWidget(QLabel("learning rate"))
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(3)
        self.lr_spin.setRange(0.0, 10.0)
        self.lr_spin.setSingleStep(0.05)
        self.lr_spin.valueChanged.connect(self._on_lr_spin)
        upd.addWidget(self.lr_spin)
        self.apply_update_button = QPushButton("Apply the update to w and b")
        self.apply_update_button.setToolTip("Changes the shared mini network (undo with Ctrl+Z).")
        self.apply_update_button.clicked.connect(self._on_apply_update)
        upd.addWidget(self.apply_update_button)
        upd.addStretch(1)
        lay.addLayout(upd)
        self.update_label = QLabel()
        self.update_label.setWordWrap(True)
        lay.addWidget(self.update_label)
        self.update_code = QtHighlightedCode(max_lines=6)
        lay.addWidget(self.update_code)
        return page

    # ------------------------------------------------------------------ building: scalar tab
    def _build_scalar_tab(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(6, 6, 6, 6)
        intro = QLabel("backward() needs one number to start from. With a loss per example "
                       "(a vector), PyTorch refuses; reduce it to one number first.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.scalar_code = QtHighlightedCode(max_lines=8)
        self.scalar_code.set_code((
            "xs, ys = data[:3]                       # three examples",
            "losses = (w * xs + b - ys) ** 2         # one loss per example: shape (3,)",
            "losses.backward()                       # RuntimeError",
            "",
            "losses.mean().backward()                # the fix: one number",
        ), (2, 4))
        lay.addWidget(self.scalar_code)
        self.scalar_button = QPushButton("Run losses.backward() for real")
        self.scalar_button.clicked.connect(self._on_scalar_clicked)
        lay.addWidget(self.scalar_button)
        self.scalar_error = QtTorchErrorBox()
        lay.addWidget(self.scalar_error)
        self.scalar_result = QLabel()
        self.scalar_result.setWordWrap(True)
        self.scalar_result.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.scalar_result)
        lay.addStretch(1)
        return page

    # ------------------------------------------------------------------ model → view
    def _sync_settings(self) -> None:
        tr = self.trap
        self.mode_buttons[tr.mode].setChecked(True)
        self.zero_form_combo.blockSignals(True)
        self.zero_form_combo.setCurrentIndex(ZERO_FORMS.index(tr.zero_form))
        self.zero_form_combo.blockSignals(False)
        self.retain_check.blockSignals(True)
        self.retain_check.setChecked(tr.retain_graph)
        self.retain_check.blockSignals(False)
        is_with, is_reuse = tr.mode == "with", tr.mode == "reuse"
        self.zero_form_combo.setEnabled(is_with)
        self.zero_form_label.setEnabled(is_with)
        self.retain_check.setEnabled(is_reuse)
        code = self.trap.code()
        self.code.set_code(code.lines, code.highlight)

    def _refresh_trap(self, error_source: PressRecord | ZeroRecord | None) -> None:
        """Redraw bars, history and press count from the model's session."""
        session = self.trap.session
        w_grad, b_grad = self.trap.current_grads()
        self.bars.set_values([("w.grad", w_grad), ("b.grad", b_grad)],
                             reference=session.true_w_grad,
                             reference_label="one press's gradient")
        history = session.history
        n = len(history)
        if n:
            last = history[-1]
            self.press_label.setText(
                f"{n} press{'es' if n != 1 else ''} in “{MODE_TITLES[last.mode]}”: "
                f"w.grad = {fmt(w_grad)}, that is {fmt(_ratio(w_grad, session.true_w_grad))} × "
                f"one press's gradient ({fmt(session.true_w_grad)}).")
        else:
            self.press_label.setText("Not pressed yet: .grad is None until the first backward().")
        self.press_label.setToolTip(full_text(w_grad))
        xs = np.arange(1, n + 1, dtype=float)
        ws = np.array([np.nan if r.w_grad is None else r.w_grad for r in history], dtype=float)
        bs = np.array([np.nan if r.b_grad is None else r.b_grad for r in history], dtype=float)
        self.w_curve.setData(xs, ws, connect="finite")
        self.b_curve.setData(xs, bs, connect="finite")
        span = max(n, 5) + 0.5
        self.true_line.setData([0.5, span], [session.true_w_grad] * 2)
        bad = [(r.index, r.w_grad) for r in history if not r.ok and r.w_grad is not None]
        self.error_marks.setData([p[0] for p in bad], [p[1] for p in bad])
        self.history_plot.setXRange(0.5, span, padding=0)
        tick = max(1, math.ceil(span / 10))
        self.history_plot.getAxis("bottom").setTickSpacing(tick, tick)
        finite = [v for v in (*ws, *bs, session.true_w_grad) if math.isfinite(v)]
        lo, hi = min(finite + [0.0]), max(finite + [0.0])
        pad = 0.1 * (hi - lo or 1.0)
        # Headroom at the top keeps the legend clear of a flat 0.4 line.
        self.history_plot.setYRange(lo - pad, hi + 4 * pad, padding=0)
        error = error_source.error if error_source is not None else None
        self.error_box.show_error(error)

    def _refresh_read(self) -> None:
        try:
            n = nudge(self.net, self.trap.delta)
            upd = gradient_update(self.net, self.trap.lr)
        except Exception as exc:  # never let a slot raise into the event loop
            self.read_verdict.setText(f"Could not compute: {exc}")
            return
        d = self.trap.delta
        self.delta_slider.blockSignals(True)
        self.delta_slider.setValue(round(d * DELTA_STEPS))
        self.delta_slider.blockSignals(False)
        self.delta_label.setText(f"δ = {fmt(d)}")
        for key in ("loss", "loss_nudged", "predicted", "actual", "gap"):
            value = getattr(n, key)
            label = self.read_labels[key]
            label.setText(fmt(value))
            label.setToolTip(full_text(value))
        if abs(n.gap) <= 0.05 * max(abs(n.actual), 1e-12) or abs(n.gap) < 1e-6:
            verdict = "Small δ: prediction and reality agree — the gradient is a good local guide."
        else:
            verdict = ("Large δ: they come apart. The gradient is a slope at one point (first "
                       "order only); the loss curves away from the tangent.")
        self.read_verdict.setText(verdict)
        actual, predicted = nudge_curve(self.net, torch.linspace(-2.0, 2.0, 161))
        ds = np.linspace(-2.0, 2.0, 161)
        self.actual_curve.setData(ds, actual.numpy())
        self.predicted_curve.setData(ds, predicted.numpy())
        self.nudge_marker.setData([d, d], [n.predicted, n.actual],
                                  brush=[pg.mkBrush(self._theme.negative),
                                         pg.mkBrush(self._theme.positive)])
        self.lr_spin.blockSignals(True)
        self.lr_spin.setValue(self.trap.lr)
        self.lr_spin.blockSignals(False)
        self.update_label.setText(
            f"One step with lr = {fmt(upd.lr)}: w {fmt(upd.w_before)} → {fmt(upd.w_after)}, "
            f"b {fmt(upd.b_before)} → {fmt(upd.b_after)}; loss {fmt(upd.loss_before)} → "
            f"{fmt(upd.loss_after)}.")
        code = update_code(self.trap.lr)
        self.update_code.set_code(code.lines, code.highlight)

    # ------------------------------------------------------------------ model events
    def _on_pressed(self, record: PressRecord) -> None:
        self.zero_result.setText("")  # it described the previous zeroing, not this press
        self._refresh_trap(record)

    def _on_zeroed(self, record: ZeroRecord) -> None:
        if record.error is not None:
            self.zero_result.setText("failed — PyTorch's message is in the red box")
        else:
            self.zero_result.setText(f"now w.grad = {fmt(record.w_grad)}, "
                                     f"b.grad = {fmt(record.b_grad)}")
        self.zero_result.setToolTip(full_text(record.w_grad))
        self._refresh_trap(record)

    def _on_restarted(self) -> None:
        self.zero_result.setText("")
        self._refresh_trap(None)

    def _on_settings_changed(self, *_) -> None:
        self._sync_settings()

    def _on_delta_changed(self, *_) -> None:
        self._refresh_read()

    def _on_lr_changed(self, *_) -> None:
        self._refresh_read()

    def _on_net_changed(self, *_) -> None:
        self._sync_settings()
        self._refresh_read()

    # ------------------------------------------------------------------ user actions
    def press(self) -> PressRecord | None:
        """One press of loss.backward() (the button, PageDown)."""
        try:
            return self.trap.press()
        except Exception as exc:  # never let a slot raise into the event loop
            self.ctx.status(f"backward() failed: {exc}")
            return None

    def _on_backward_clicked(self) -> None:
        self.press()

    def _on_restart_clicked(self) -> None:
        self.trap.restart()

    def _on_zero_clicked(self, form: str) -> None:
        try:
            self.trap.zero(form)
        except Exception as exc:
            self.ctx.status(f"zeroing failed: {exc}")

    def _set(self, field: str, value, label: str, merge: bool = False) -> None:
        """Undoable edit; slider drags merge into one step, choices (modes) never do."""
        if getattr(self.trap, field) != value:
            self.ctx.push(SetFieldCommand(self.trap, field, value, label=label, merge=merge))

    def _on_mode_clicked(self, index: int) -> None:
        mode = MODES[index]
        self._set("mode", mode, f"Trap mode: {MODE_TITLES[mode]}")
        self._sync_settings()

    def _on_zero_form_chosen(self, index: int) -> None:
        form = ZERO_FORMS[index]
        self._set("zero_form", form, f"Zero with {ZERO_FORM_TITLES[form]}")
        self._sync_settings()

    def _on_retain_toggled(self, on: bool) -> None:
        self._set("retain_graph", bool(on), f"retain_graph={on}")
        self._sync_settings()

    def _on_delta_slider(self, value: int) -> None:
        self._set("delta", value / DELTA_STEPS, f"Set δ = {value / DELTA_STEPS:g}", merge=True)

    def _on_lr_spin(self, value: float) -> None:
        self._set("lr", float(value), f"Set trap lr = {value:g}", merge=True)

    def _on_apply_update(self) -> None:
        try:
            command = ApplyUpdateCommand(self.net, gradient_update(self.net, self.trap.lr))
        except Exception as exc:  # out of range, or torch failed: say so, change nothing
            self.update_label.setText(f"Not applied: {exc}. Try a smaller learning rate.")
            return
        self.ctx.push(command)

    def _on_scalar_clicked(self) -> None:
        try:
            demo = non_scalar_backward(self.net)
        except Exception as exc:
            self.ctx.status(f"could not run the demo: {exc}")
            return
        self.scalar_error.show_error(demo.error)
        losses = ", ".join(fmt(v) for v in demo.losses)
        self.scalar_result.setText(
            f"losses = [{losses}] — three numbers, so backward() does not know where to start."
            f"<br><b>With the fix:</b> <code>losses.mean().backward()</code> → "
            f"w.grad = {fmt(demo.mean_w_grad)}; <code>losses.sum().backward()</code> → "
            f"w.grad = {fmt(demo.sum_w_grad)} (3 × larger: the sum does not divide by 3).")

    # ------------------------------------------------------------------ protocol
    def can_step(self) -> bool:
        return True

    def step(self, direction: int) -> bool:
        if direction > 0:
            return self.press() is not None
        return False

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for plot in (self.history_plot, self.nudge_plot):
            style_plot(plot, theme)
        self.w_curve.setPen(pg.mkPen(theme.positive, width=2.5))
        self.w_curve.setSymbolBrush(theme.positive)
        self.w_curve.setSymbolPen(theme.positive)
        self.b_curve.setPen(pg.mkPen(theme.accent, width=1.2, style=Qt.PenStyle.DotLine))
        self.b_curve.setSymbolBrush(theme.accent)
        self.b_curve.setSymbolPen(theme.accent)
        self.true_line.setPen(pg.mkPen(theme.text, width=2, style=Qt.PenStyle.DashLine))
        self.error_marks.setPen(pg.mkPen(theme.error, width=3))
        self.error_marks.setBrush(pg.mkBrush(theme.error))
        self.actual_curve.setPen(pg.mkPen(theme.positive, width=2.5))
        self.predicted_curve.setPen(pg.mkPen(theme.negative, width=2,
                                             style=Qt.PenStyle.DashLine))
        self._refresh_read()
        self.bars.set_theme(theme)
        for code in (self.code, self.update_code, self.scalar_code):
            code.set_theme(theme)
        self.error_box.set_theme(theme)
        self.scalar_error.set_theme(theme)


def _ratio(value: float | None, reference: float) -> float | None:
    if value is None or reference == 0:
        return None
    return value / reference
