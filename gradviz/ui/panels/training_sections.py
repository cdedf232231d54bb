"""The sections of the training-loop panel: the stepping controls, the two settings, the loop
diagram beside the loss curves, each run's status line, and the code of both loops."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gradviz.core.numbers import full_text
from gradviz.core.training import PHASE_CODE, PHASES, TrainingRun, loss_curve, run_summary
from gradviz.ui.theme import Theme
from gradviz.ui.widgets.code_view import QtCodeView
from gradviz.ui.widgets.loop_diagram import QtLoopDiagram
from gradviz.ui.widgets.panel_section import QtSection
from gradviz.ui.widgets.plot_setup import make_plot
from gradviz.ui.widgets.tick_sliders import QtDecadeSlider

CAPTIONS = {"zero_grad": "clear old gradients", "forward": "forward pass: compute the loss",
            "backward": "backward pass: gradients", "step": "update the parameters"}
RUN_TITLES = {"correct": "with zero_grad()", "buggy": "without zero_grad() (the bug)"}
#: Log sliders: this many positions per factor of ten.
TICKS_PER_DECADE = 100


class QtRunControlsSection(QtSection):
    """Run/Pause, Next phase, One step, Reset: what a lecturer presses."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("stepping", parent)
        row = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.setToolTip("Train both runs continuously; press again to pause.")
        self.phase_button = QPushButton("Next phase")
        self.phase_button.setToolTip("Run one of the four lines in both runs (clicker: PageDown).")
        self.step_button = QPushButton("One step")
        self.step_button.setToolTip("Finish the current training step in both runs.")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Start both runs again from w = 0.5, b = 0.")
        for b in (self.run_button, self.phase_button, self.step_button, self.reset_button):
            b.setMinimumHeight(34)
            row.addWidget(b)
        row.addStretch(1)
        self.box.addLayout(row)

    def show_running(self, on: bool) -> None:
        """``setChecked`` does not emit ``clicked``, so showing the state never echoes back."""
        self.run_button.setChecked(on)
        self.run_button.setText("Pause" if on else "Run")


class QtTrainingSettingsSection(QtSection):
    """The learning rate and the speed, both on log sliders (bounds from the model)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("training-settings", parent)
        grid = QGridLayout()
        self.lr_control = QtDecadeSlider("", TICKS_PER_DECADE)
        self.sps_control = QtDecadeSlider("", TICKS_PER_DECADE)
        self.lr_label, self.sps_label = QLabel(), QLabel()
        self.lr_label.setMinimumWidth(90)
        rows = (("learning rate (log scale)", self.lr_control, self.lr_label),
                ("steps per second", self.sps_control, self.sps_label))
        for row, (title, control, value) in enumerate(rows):
            # The grid shows the title and the value in its own columns, so they line up.
            control.label.hide()
            control.value_label.hide()
            grid.addWidget(QLabel(title), row, 0)
            grid.addWidget(control, row, 1)
            grid.addWidget(value, row, 2)
        grid.setColumnStretch(1, 1)
        self.box.addLayout(grid)


class QtLoopPlotSection(QtSection):
    """The loop diagram (the phase that just ran) beside the loss curves (log scale)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("plot", parent)
        row = QHBoxLayout()
        self.diagram = QtLoopDiagram([(k, PHASE_CODE[k] if k != "forward" else "loss = f(w, b)",
                                       CAPTIONS[k]) for k in PHASES])
        self.diagram.set_skipped("zero_grad", "skipped by the buggy run")
        row.addWidget(self.diagram, 2)
        # No grid: on a log axis it draws every minor line and costs more than the curves.
        self.plot = make_plot("step", "loss (MSE, log scale)", log_y=True, si_prefix=False)
        self.plot.setMinimumSize(320, 240)
        self.legend = self.plot.addLegend(offset=(-8, 8))
        # Antialiasing a thick polyline of thousands of steps cost ~20× the aliased redraw
        # (340 ms against 14 ms measured) and adds little to a dense loss curve.
        self.curves = {name: self.plot.plot([], [], name=RUN_TITLES[name], antialias=False)
                       for name in RUN_TITLES}
        self.diverged_marks = pg.ScatterPlotItem(symbol="x", size=16)
        self.plot.addItem(self.diverged_marks)
        row.addWidget(self.plot, 3)
        self.box.addLayout(row)

    def show_runs(self, runs: dict[str, TrainingRun],
                  ticks: list[list[tuple[float, str]]] | None) -> None:
        marks_x, marks_y = [], []
        for name, run in runs.items():
            curve = loss_curve(run.losses)
            self.curves[name].setDownsampling(ds=curve.downsample, auto=False, method="peak")
            self.curves[name].setData(curve.steps, curve.losses)
            if run.diverged and curve.last is not None:
                marks_x.append(curve.last[0])
                marks_y.append(curve.last[1])
        self.diverged_marks.setData(marks_x, marks_y)
        self.plot.getAxis("left").setTicks(ticks)

    def apply_theme(self, theme: Theme, colours: dict[str, str]) -> None:
        for name, curve in self.curves.items():
            curve.setPen(pg.mkPen(colours[name], width=2.5))
        self.diverged_marks.setPen(pg.mkPen(theme.error, width=3))
        backdrop = pg.mkColor(theme.plot_bg)
        backdrop.setAlpha(215)
        self.legend.setBrush(pg.mkBrush(backdrop))
        self.legend.setLabelTextColor(theme.plot_fg)
        self.diagram.set_theme(theme)


class QtRunStatusSection(QtSection):
    """One line per run: step, loss, w, w.grad and whether it is still going."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("status", parent)
        self.status_labels: dict[str, QLabel] = {}
        for name in RUN_TITLES:
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            self.status_labels[name] = label
            self.box.addWidget(label)

    def show_run(self, name: str, run: TrainingRun, colour: str, error_colour: str) -> None:
        state = run.status
        if run.diverged:
            state = f"<b style='color:{error_colour}'>{state}</b> — this run is paused"
        label = self.status_labels[name]
        label.setText(f"<span style='color:{colour}'>■</span> <b>{RUN_TITLES[name]}</b>: "
                      f"{run_summary(run)} — {state}")
        label.setToolTip(f"loss\n{full_text(run.losses[-1] if run.losses else None)}")


class QtTrainingCodeSection(QtSection):
    """The two loops side by side; the line that differs is highlighted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("code", parent)
        row = QHBoxLayout()
        self.codes: dict[str, QtCodeView] = {}
        for name in RUN_TITLES:
            holder = QWidget()
            col = QVBoxLayout(holder)
            col.addWidget(QLabel(f"<b>{RUN_TITLES[name]}</b>"))
            self.codes[name] = QtCodeView(max_lines=9)
            self.codes[name].setAccessibleName(f"code of the loop {RUN_TITLES[name]}")
            col.addWidget(self.codes[name])
            row.addWidget(holder)
        self.box.addLayout(row)
