"""The training-loop pattern: two real SGD runs side by side, one with ``zero_grad()`` and one
without, advanced in timer slices so the window never freezes.

The loop diagram highlights the phase that just ran; the loss plot (log scale) shows the correct
run settling and the buggy one swinging or blowing up. A run whose loss overflows stops and says
"diverged (loss → inf)"; the other keeps going.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.commands import SetFieldCommand
from gradviz.core.numbers import fmt, full_text
from gradviz.core.training import PHASE_CODE, PHASES, TrainingModel, training_code
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.highlighted_code import QtHighlightedCode
from gradviz.ui.widgets.loop_diagram import QtLoopDiagram
from gradviz.ui.widgets.plot_setup import adopt_plot_menus

#: Log sliders: ``TICKS_PER_DECADE`` integer steps per factor of ten.
TICKS_PER_DECADE = 100
LR_RANGE = (1e-4, 10.0)
SPS_RANGE = (0.5, 1000.0)
#: Timer period, and the most time one slice may spend training before it hands back to Qt.
TICK_MS = 30
SLICE_BUDGET_S = 0.010
#: While running, the loss curves are redrawn at most this often (status lines every tick).
CURVE_PERIOD_S = 0.1
CAPTIONS = {"zero_grad": "clear old gradients", "forward": "forward pass: compute the loss",
            "backward": "backward pass: gradients", "step": "update the parameters"}
RUN_TITLES = {"correct": "with zero_grad()", "buggy": "without zero_grad() (the bug)"}


def _to_slider(value: float, lo: float) -> int:
    return round(math.log10(value / lo) * TICKS_PER_DECADE)


def _from_slider(tick: int, lo: float) -> float:
    return float(f"{lo * 10 ** (tick / TICKS_PER_DECADE):.3g}")


class QtTrainingPanel(QtPanel):
    """Run, pause, step and reset two training runs; the phase diagram follows along."""

    panel_name = "training"
    title = "Training loop"
    explainer = ("Every training loop repeats four lines: clear the gradients, compute the loss, "
                 "backward(), step. Two real runs fit the same line to the same data — one of "
                 "them forgot the first line.")
    try_this = ("press Run and watch the orange curve swing; raise the learning rate until a run "
                "diverges; use Next phase to walk the loop one line at a time.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.training: TrainingModel = self.model["training"]
        self._theme = ctx.theme()
        self._running = False
        self._debt = 0.0
        self._last_tick = 0.0
        self._dirty = True
        self._last_curve_draw = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self._build()
        self.listen(self.training.events.stepped, self._on_stepped)
        self.listen(self.training.events.restarted, self._on_restarted)
        self.listen(self.training.events.lr, self._on_lr_changed)
        self.listen(self.training.events.steps_per_second, self._on_sps_changed)
        self._sync_settings()
        self._redraw()
        self.apply_theme(self._theme)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        controls = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.toggled.connect(self._on_run_toggled)
        self.phase_button = QPushButton("Next phase")
        self.phase_button.setToolTip("Run one of the four lines in both runs (clicker: PageDown).")
        self.phase_button.clicked.connect(lambda: self.advance_phase())
        self.step_button = QPushButton("One step")
        self.step_button.setToolTip("Finish the current training step in both runs.")
        self.step_button.clicked.connect(self._on_step_clicked)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start both runs again from w = 0.5, b = 0.")
        self.reset_button.clicked.connect(self._on_reset_clicked)
        for b in (self.run_button, self.phase_button, self.step_button, self.reset_button):
            b.setMinimumHeight(34)
            controls.addWidget(b)
        controls.addStretch(1)
        self.body_layout.addLayout(controls)

        sliders = QGridLayout()
        sliders.addWidget(QLabel("learning rate (log scale)"), 0, 0)
        self.lr_slider = QSlider(Qt.Orientation.Horizontal)
        self.lr_slider.setRange(0, _to_slider(LR_RANGE[1], LR_RANGE[0]))
        self.lr_slider.valueChanged.connect(self._on_lr_slider)
        sliders.addWidget(self.lr_slider, 0, 1)
        self.lr_label = QLabel()
        self.lr_label.setMinimumWidth(90)
        sliders.addWidget(self.lr_label, 0, 2)
        sliders.addWidget(QLabel("steps per second"), 1, 0)
        self.sps_slider = QSlider(Qt.Orientation.Horizontal)
        self.sps_slider.setRange(0, _to_slider(SPS_RANGE[1], SPS_RANGE[0]))
        self.sps_slider.valueChanged.connect(self._on_sps_slider)
        sliders.addWidget(self.sps_slider, 1, 1)
        self.sps_label = QLabel()
        sliders.addWidget(self.sps_label, 1, 2)
        sliders.setColumnStretch(1, 1)
        self.body_layout.addLayout(sliders)

        middle = QHBoxLayout()
        self.diagram = QtLoopDiagram([(k, PHASE_CODE[k] if k != "forward" else "loss = f(w, b)",
                                       CAPTIONS[k]) for k in PHASES])
        self.diagram.set_skipped("zero_grad", "skipped by the buggy run")
        middle.addWidget(self.diagram, 2)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        adopt_plot_menus(self.plot)  # parented menus: no leaked top-level widgets
        self.plot.setMinimumSize(320, 240)
        self.plot.setLogMode(x=False, y=True)
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", "loss (MSE, log scale)")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        # No grid: on a log axis it draws every minor line and costs more than the curves.
        self.legend = self.plot.addLegend(offset=(-8, 8))
        self.curves = {name: self.plot.plot([], [], name=RUN_TITLES[name]) for name in RUN_TITLES}
        self.diverged_marks = pg.ScatterPlotItem(symbol="x", size=16)
        self.plot.addItem(self.diverged_marks)
        middle.addWidget(self.plot, 3)
        self.body_layout.addLayout(middle, 1)

        self.status_labels: dict[str, QLabel] = {}
        for name in RUN_TITLES:
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.RichText)
            self.status_labels[name] = label
            self.body_layout.addWidget(label)

        codes = QHBoxLayout()
        self.codes: dict[str, QtHighlightedCode] = {}
        for name in RUN_TITLES:
            col = QVBoxLayout()
            col.addWidget(QLabel(f"<b>{RUN_TITLES[name]}</b>"))
            code = QtHighlightedCode(max_lines=9)
            self.codes[name] = code
            col.addWidget(code)
            holder = QWidget()
            holder.setLayout(col)
            codes.addWidget(holder)
        self.body_layout.addLayout(codes)

    # ------------------------------------------------------------------ model → view
    def _sync_settings(self) -> None:
        tr = self.training
        for slider, value, lo in ((self.lr_slider, tr.lr, LR_RANGE[0]),
                                  (self.sps_slider, tr.steps_per_second, SPS_RANGE[0])):
            slider.blockSignals(True)
            slider.setValue(_to_slider(value, lo))
            slider.blockSignals(False)
        self.lr_label.setText(f"lr = {fmt(tr.lr)}")
        self.sps_label.setText(f"{fmt(tr.steps_per_second)} / s")
        for name, code in self.codes.items():
            listing = training_code(name == "correct", tr.lr)
            code.set_code(listing.lines, listing.highlight)

    def _redraw(self, curves: bool = True) -> None:
        """Status lines and the diagram; the loss curves too unless ``curves`` is False."""
        if curves:
            self._redraw_curves()
        for name, run in self.training.runs.items():
            last_loss = run.losses[-1] if run.losses else None
            grad = run.w.grad
            g = None if grad is None else float(grad.item())
            colour = self._run_colour(name)
            state = run.status
            if run.diverged:
                state = f"<b style='color:{self._theme.error}'>{state}</b> — this run is paused"
            self.status_labels[name].setText(
                f"<span style='color:{colour}'>■</span> <b>{RUN_TITLES[name]}</b>: "
                f"step {run.steps}, loss {'—' if last_loss is None else fmt(last_loss)}, "
                f"w = {fmt(run.w.item())}, "
                f"w.grad = {fmt(g)} — {state}")
            self.status_labels[name].setToolTip(f"loss\n{full_text(last_loss)}")
        self.diagram.set_active(self.training.last_phase)
        self.diagram.set_centre_text(self._centre_text())

    def _redraw_curves(self) -> None:
        self._dirty = False
        self._last_curve_draw = time.perf_counter()
        marks_x, marks_y = [], []
        for name, run in self.training.runs.items():
            losses = np.asarray(run.losses, dtype=float)
            steps = np.arange(len(losses), dtype=float)
            ok = np.isfinite(losses) & (losses > 0)
            # Peak downsampling to ~800 points keeps swings visible and the redraw cheap.
            self.curves[name].setDownsampling(ds=max(1, len(losses) // 800), auto=False,
                                              method="peak")
            self.curves[name].setData(steps[ok], losses[ok])
            if run.diverged and ok.any():
                last = int(np.nonzero(ok)[0][-1])
                marks_x.append(steps[last])
                marks_y.append(math.log10(losses[last]))
        self.diverged_marks.setData(marks_x, marks_y)
        self._set_log_ticks()

    def _set_log_ticks(self) -> None:
        """Label 1, 2 and 5 × 10^k only: pyqtgraph's own log ticks label every minor line."""
        finite = [v for run in self.training.runs.values() for v in run.losses
                  if math.isfinite(v) and v > 0]
        if not finite:
            self.plot.getAxis("left").setTicks(None)
            return
        lo, hi = math.floor(math.log10(min(finite))), math.ceil(math.log10(max(finite)))
        decades = range(lo, hi + 1)
        steps = (1,) if hi - lo > 4 else (1, 2, 5)
        if hi - lo > 12:  # a diverging run spans dozens of decades: every few is enough
            decades = range(lo, hi + 1, math.ceil((hi - lo) / 8))
        major = [(k + math.log10(m), fmt(m * 10.0 ** k)) for k in decades for m in steps]
        self.plot.getAxis("left").setTicks([major, []])

    def _centre_text(self) -> str:
        phase = self.training.last_phase
        if phase is None:
            return "press Run or Next phase"
        return f"repeat — step {self.training.runs['correct'].steps}"

    def _run_colour(self, name: str) -> str:
        return self._theme.neutral if name == "correct" else self._theme.positive

    # ------------------------------------------------------------------ model events
    def _on_stepped(self, _results) -> None:
        self._dirty = True
        if not self._running:
            self._redraw()

    def _on_restarted(self) -> None:
        self._redraw()

    def _on_lr_changed(self, *_) -> None:
        self._sync_settings()

    def _on_sps_changed(self, *_) -> None:
        self._sync_settings()

    # ------------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        return self._running

    def set_running(self, on: bool) -> None:
        on = bool(on) and not self.training.finished
        self._running = on
        self.run_button.blockSignals(True)
        self.run_button.setChecked(on)
        self.run_button.setText("Pause" if on else "Run")
        self.run_button.blockSignals(False)
        if on:
            self._debt = 0.0
            self._last_tick = time.perf_counter()
            self.timer.start()
        else:
            self.timer.stop()
            self._redraw()

    def _on_run_toggled(self, on: bool) -> None:
        self.set_running(on)

    def _on_tick(self) -> None:
        """One timer slice: run the phases that are due, within a time budget, then redraw."""
        try:
            now = time.perf_counter()
            self._debt += (now - self._last_tick) * self.training.steps_per_second * len(PHASES)
            self._last_tick = now
            due = int(self._debt)
            self._debt -= due
            deadline = now + SLICE_BUDGET_S
            while due > 0 and time.perf_counter() < deadline and not self.training.finished:
                chunk = min(due, 16)
                self.training.advance(chunk)
                due -= chunk
            if due > 0:
                self._debt = 0.0  # too fast for this machine: drop the backlog, never freeze
            if self._dirty:
                # Status and diagram every tick; the curves (the costly part with thousands of
                # points) at most every CURVE_PERIOD_S while running.
                due = time.perf_counter() - self._last_curve_draw >= CURVE_PERIOD_S
                self._redraw(curves=due)
            if self.training.finished:
                self.set_running(False)
        except Exception as exc:  # never let a timer slot raise into the event loop
            self.set_running(False)
            self.ctx.status(f"training stopped: {exc}")

    def advance_phase(self) -> bool:
        """Run the next phase in both runs (pauses a running loop first)."""
        if self._running:
            self.set_running(False)
        try:
            return bool(self.training.advance(1))
        except Exception as exc:
            self.ctx.status(f"training step failed: {exc}")
            return False

    def _on_step_clicked(self) -> None:
        if self._running:
            self.set_running(False)
        try:
            self.training.step()
        except Exception as exc:
            self.ctx.status(f"training step failed: {exc}")

    def _on_reset_clicked(self) -> None:
        self.set_running(False)
        self.training.restart()

    # ------------------------------------------------------------------ sliders
    def _on_lr_slider(self, tick: int) -> None:
        value = _from_slider(tick, LR_RANGE[0])
        value = min(max(value, LR_RANGE[0]), LR_RANGE[1])
        if value != self.training.lr:
            self.ctx.push(SetFieldCommand(self.training, "lr", value, label=f"Set lr = {value:g}"))

    def _on_sps_slider(self, tick: int) -> None:
        value = _from_slider(tick, SPS_RANGE[0])
        value = min(max(value, SPS_RANGE[0]), SPS_RANGE[1])
        if value != self.training.steps_per_second:
            self.ctx.push(SetFieldCommand(self.training, "steps_per_second", value,
                                          label=f"Set steps per second = {value:g}"))

    # ------------------------------------------------------------------ protocol
    def can_step(self) -> bool:
        return not self.training.finished

    def step(self, direction: int) -> bool:
        if direction > 0:
            return self.advance_phase()
        return False

    def teardown(self) -> None:
        self.timer.stop()
        self._running = False
        super().teardown()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        style_plot(self.plot, theme)
        for name, curve in self.curves.items():
            curve.setPen(pg.mkPen(self._run_colour(name), width=2.5))
        self.diverged_marks.setPen(pg.mkPen(theme.error, width=3))
        backdrop = pg.mkColor(theme.plot_bg)
        backdrop.setAlpha(215)
        self.legend.setBrush(pg.mkBrush(backdrop))
        self.legend.setLabelTextColor(theme.plot_fg)
        self.diagram.set_theme(theme)
        for code in self.codes.values():
            code.set_theme(theme)
        self._redraw()
