"""The training-loop pattern: two real SGD runs side by side, one with ``zero_grad()`` and one
without, advanced in timer slices so the window never freezes.

The loop diagram highlights the phase that just ran; the loss plot (log scale) shows the correct
run settling and the buggy one swinging or blowing up. A run whose loss overflows stops and says
"diverged (loss → inf)"; the other keeps going. The sections live in
:mod:`~gradviz.ui.panels.training_sections`.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer

from gradviz.core.numbers import fmt
from gradviz.core.training import PHASES, TrainingModel, centre_text, log_ticks, training_code
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.training_sections import (
    TICKS_PER_DECADE,
    QtLoopPlotSection,
    QtRunControlsSection,
    QtRunStatusSection,
    QtTrainingCodeSection,
    QtTrainingSettingsSection,
)
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme, style_plot

#: The learning rate's bounds, as the model declares them.
LR_RANGE = (TrainingModel.setting("lr").lo, TrainingModel.setting("lr").hi)
#: Timer period, and the most time one slice may spend training before it hands back to Qt.
TICK_MS = 30
SLICE_BUDGET_S = 0.010
#: While running, the loss curves are redrawn at most this often (status lines every tick).
CURVE_PERIOD_S = 0.1


def _to_slider(value: float, lo: float) -> int:
    """The log slider's position for ``value`` when its low bound is ``lo``."""
    return round(math.log10(value / lo) * TICKS_PER_DECADE)


class QtTrainingPanel(QtPanel):
    """Run, pause, step and reset two training runs; the phase diagram follows along."""

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
        self._connect()
        self._show_settings()
        self._redraw()
        self.apply_theme(self._theme)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.controls_section = QtRunControlsSection()
        self.settings_section = QtTrainingSettingsSection()
        self.plot_section = QtLoopPlotSection()
        self.status_section = QtRunStatusSection()
        self.code_section = QtTrainingCodeSection()
        for section in (self.controls_section, self.settings_section, self.plot_section,
                        self.status_section, self.code_section):
            self.body_layout.addWidget(section, 1 if section is self.plot_section else 0)
        # The names tests, benchmarks and the clicker have always used.
        c, s, pl = self.controls_section, self.settings_section, self.plot_section
        self.run_button, self.phase_button = c.run_button, c.phase_button
        self.step_button, self.reset_button = c.step_button, c.reset_button
        self.lr_slider, self.sps_slider = s.lr_control.slider, s.sps_control.slider
        self.lr_label, self.sps_label = s.lr_label, s.sps_label
        self.diagram, self.plot = pl.diagram, pl.plot
        self.curves, self.diverged_marks = pl.curves, pl.diverged_marks
        self.status_labels = self.status_section.status_labels
        self.codes = self.code_section.codes

    def _connect(self) -> None:
        self.bind(self.settings_section.lr_control, self.training, "lr")
        self.bind(self.settings_section.sps_control, self.training, "steps_per_second")
        self.run_button.clicked.connect(self._on_run_clicked)
        self.phase_button.clicked.connect(lambda: self.advance_phase())
        self.step_button.clicked.connect(self._on_step_clicked)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        events = self.training.events
        self.listen(events.stepped, self._on_stepped)
        self.listen(events.restarted, self._on_restarted)
        self.listen(events.lr, self._on_settings_changed)
        self.listen(events.steps_per_second, self._on_settings_changed)

    # ------------------------------------------------------------------ model → view
    def _show_settings(self) -> None:
        tr = self.training
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
            self.status_section.show_run(name, run, self._run_colour(name), self._theme.error)
        self.diagram.set_active(self.training.last_phase)
        self.diagram.set_centre_text(centre_text(self.training))

    def _redraw_curves(self) -> None:
        self._dirty = False
        self._last_curve_draw = time.perf_counter()
        runs = self.training.runs
        losses = [v for run in runs.values() for v in run.losses]
        self.plot_section.show_runs(runs, log_ticks(losses))

    def _run_colour(self, name: str) -> str:
        return self._theme.neutral if name == "correct" else self._theme.positive

    # ------------------------------------------------------------------ model events
    def _on_stepped(self, _results) -> None:
        self._dirty = True
        if not self._running:
            self._redraw()

    def _on_restarted(self) -> None:
        self._redraw()

    def _on_settings_changed(self, *_) -> None:
        self._show_settings()

    # ------------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        return self._running

    def set_running(self, on: bool) -> None:
        on = bool(on) and not self.training.finished
        self._running = on
        self.controls_section.show_running(on)
        if on:
            self._debt = 0.0
            self._last_tick = time.perf_counter()
            self.timer.start()
        else:
            self.timer.stop()
            self._redraw()

    def _on_run_clicked(self, on: bool) -> None:
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
        self.plot_section.apply_theme(theme, {n: self._run_colour(n) for n in self.curves})
        for code in self.codes.values():
            code.set_theme(theme)
        self._redraw()
