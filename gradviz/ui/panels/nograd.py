"""no_grad() and detach() made visible.

The memory tab measures, for real, what an MLP's forward pass saves for backward with grad
tracking on and inside ``torch.no_grad()`` (:mod:`gradviz.core.memory`); the detach tab runs the
two-path graph with one path detached (:mod:`gradviz.core.detach_demo`) and shows where the
gradient stops.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.commands import SetFieldCommand
from gradviz.core.detach_demo import CHOICES, run_detach_demo
from gradviz.core.memory import MemoryReport, NoGradModel, measure, no_grad_code, sweep_widths
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.detach_graph_view import QtDetachGraphView
from gradviz.ui.widgets.grad_bars import QtGradBars
from gradviz.ui.widgets.highlighted_code import QtHighlightedCode
from gradviz.ui.widgets.plot_setup import adopt_plot_menus

SWEEP_WIDTHS = [4, 8, 16, 32, 64, 128, 256, 512, 1024]
#: Slider changes are coalesced: a drag measures once it pauses for this long.
DEBOUNCE_MS = 40
#: How often the GUI thread looks for a finished background measurement.
POLL_MS = 20
DETACH_TITLES = {"none": "nothing detached", "a": "detach a = x * y", "b": "detach b = x ** 2"}
ROWS = (
    ("activation_bytes", "activations saved for backward"),
    ("parameter_bytes", "parameters saved for backward"),
    ("saved_bytes", "total saved for backward"),
    ("saved_tensors", "tensors saved (times PyTorch saved one)"),
    ("unique_storages", "distinct storages"),
    ("graph_nodes", "graph nodes (grad_fn + AccumulateGrad)"),
    ("model_bytes", "model parameters (kept either way)"),
)


def measure_job(width: int, depth: int, batch: int,
                sweep: bool) -> tuple[dict[bool, MemoryReport], list[MemoryReport] | None]:
    """The panel's measurements for one setting; runs on a worker thread (the largest sliders
    take about a second of matmuls, which must not freeze the window)."""
    reports = {ng: measure(width, depth, batch, ng) for ng in (False, True)}
    return reports, (sweep_widths(SWEEP_WIDTHS, depth, batch) if sweep else None)


def human_bytes(n: int) -> str:
    """``18432`` → ``'18.0 KiB (18,432 B)'``."""
    if n < 1024:
        return f"{n:,} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit} ({n:,} B)"
    raise AssertionError("unreachable")


class QtNoGradPanel(QtPanel):
    """Memory saved for backward (grad on vs no_grad) and a detached path in a small graph."""

    panel_name = "nograd"
    title = "no_grad & detach"
    explainer = ("Recording a graph costs memory: every operation keeps the tensors its backward "
                 "needs. Inside torch.no_grad() nothing is kept. detach() cuts one tensor out of "
                 "the graph, so no gradient flows back through it.")
    try_this = ("drag the width slider and watch the saved bytes grow while no_grad stays at 0; "
                "then, on the detach tab, detach a and see y.grad stay None.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.settings: NoGradModel = self.model["nograd"]
        self._theme = ctx.theme()
        self.reports: dict[bool, MemoryReport] = {}
        self._sweep_key: tuple[int, int] | None = None
        self._measure_timer = QTimer(self)
        self._measure_timer.setSingleShot(True)
        self._measure_timer.setInterval(DEBOUNCE_MS)
        self._measure_timer.timeout.connect(self._measure_now)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradviz-nograd")
        self._future: Future | None = None
        self._future_key: tuple[int, int, int] | None = None
        self._pending = False
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._collect)
        self.tabs = QTabWidget()
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body_layout.addWidget(self.tabs)
        self.tabs.addTab(self._build_memory_tab(), "no_grad(): memory")
        self.tabs.addTab(self._build_detach_tab(), "detach(): where the flow stops")
        for name in ("width", "depth", "batch"):
            self.listen(getattr(self.settings.events, name), self._on_size_changed)
        self.listen(self.settings.events.detach, self._on_detach_changed)
        self._sync_sliders()
        # The first measurement (default sliders: a few ms) runs here, so the panel never opens
        # empty; later ones run on the worker thread.
        st = self.settings
        self._apply((st.width, st.depth, st.batch), *measure_job(st.width, st.depth, st.batch, True))
        self._refresh_detach()
        self.apply_theme(self._theme)

    # ------------------------------------------------------------------ memory tab
    def _build_memory_tab(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(6, 6, 6, 6)
        grid = QGridLayout()
        self.sliders: dict[str, QSlider] = {}
        self.slider_labels: dict[str, QLabel] = {}
        for row, (name, title) in enumerate((("width", "hidden width"), ("depth", "hidden layers"),
                                             ("batch", "batch size"))):
            setting = NoGradModel.SETTINGS[name]
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(int(setting.lo), int(setting.hi))
            slider.valueChanged.connect(lambda v, n=name: self._on_slider(n, v))
            label = QLabel()
            label.setMinimumWidth(50)
            grid.addWidget(QLabel(title), row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(label, row, 2)
            self.sliders[name] = slider
            self.slider_labels[name] = label
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)

        table = QGridLayout()
        table.addWidget(QLabel("<b>measured with saved_tensors_hooks</b>"), 0, 0)
        table.addWidget(QLabel("<b>grad tracking on</b>"), 0, 1)
        table.addWidget(QLabel("<b>inside torch.no_grad()</b>"), 0, 2)
        self.cells: dict[tuple[str, bool], QLabel] = {}
        for i, (key, title) in enumerate(ROWS, start=1):
            table.addWidget(QLabel(title), i, 0)
            for col, no_grad in ((1, False), (2, True)):
                cell = QLabel()
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                table.addWidget(cell, i, col)
                self.cells[(key, no_grad)] = cell
        table.setColumnStretch(0, 1)
        lay.addLayout(table)
        self.saving_label = QLabel()
        self.saving_label.setWordWrap(True)
        lay.addWidget(self.saving_label)
        self.busy_label = QLabel()
        lay.addWidget(self.busy_label)

        self.memory_plot = pg.PlotWidget()
        self.memory_plot.setMenuEnabled(False)
        adopt_plot_menus(self.memory_plot)  # parented menus: no leaked top-level widgets
        self.memory_plot.setMinimumHeight(170)
        self.memory_plot.setLogMode(x=True, y=False)
        self.memory_plot.setLabel("bottom", "hidden width (log scale)")
        self.memory_plot.setLabel("left", "KiB saved for backward")
        self.memory_plot.getAxis("left").enableAutoSIPrefix(False)
        # Ticks at the measured widths only: pyqtgraph's log ticks label every minor line.
        self.memory_plot.getAxis("bottom").setTicks(
            [[(float(np.log10(w)), str(w)) for w in SWEEP_WIDTHS], []])
        self.memory_plot.showGrid(x=True, y=True, alpha=0.25)
        self.memory_plot.setMouseEnabled(x=False, y=False)
        self.memory_plot.hideButtons()
        self.memory_legend = self.memory_plot.addLegend(offset=(8, 8))
        self.activation_curve = self.memory_plot.plot([], [], name="activations (grad on)",
                                                      symbol="o", symbolSize=6)
        self.parameter_curve = self.memory_plot.plot([], [], name="parameters (grad on)",
                                                     symbol="s", symbolSize=6)
        self.nograd_curve = self.memory_plot.plot([], [], name="inside no_grad()",
                                                  symbol="t", symbolSize=6)
        self.current_line = pg.InfiniteLine(angle=90, movable=False)
        self.memory_plot.addItem(self.current_line)
        lay.addWidget(self.memory_plot, 1)
        self.memory_code = QtHighlightedCode(max_lines=9)
        lay.addWidget(self.memory_code)
        return page

    # ------------------------------------------------------------------ detach tab
    def _build_detach_tab(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(6, 6, 6, 6)
        intro = QLabel("z = a + b with a = x·y and b = x². Without detach, x gets 3 + 4 = 7 "
                       "(both paths add up). Cut one path and see what reaches the leaves.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        row = QHBoxLayout()
        self.detach_group = QButtonGroup(page)
        self.detach_buttons: dict[str, QRadioButton] = {}
        for i, choice in enumerate(CHOICES):
            btn = QRadioButton(DETACH_TITLES[choice])
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.detach_group.addButton(btn, i)
            self.detach_buttons[choice] = btn
            row.addWidget(btn)
        row.addStretch(1)
        self.detach_group.idClicked.connect(self._on_detach_clicked)
        lay.addLayout(row)
        self.graph_view = QtDetachGraphView()
        lay.addWidget(self.graph_view, 1)
        self.leaf_bars = QtGradBars()
        lay.addWidget(self.leaf_bars)
        self.detach_note = QLabel()
        self.detach_note.setWordWrap(True)
        lay.addWidget(self.detach_note)
        self.detach_code = QtHighlightedCode(max_lines=8)
        lay.addWidget(self.detach_code)
        return page

    # ------------------------------------------------------------------ model → view
    def _sync_sliders(self) -> None:
        for name, slider in self.sliders.items():
            slider.blockSignals(True)
            slider.setValue(int(getattr(self.settings, name)))
            slider.blockSignals(False)
            self.slider_labels[name].setText(str(getattr(self.settings, name)))
        self.detach_buttons[self.settings.detach].setChecked(True)

    def _measure_now(self) -> None:
        """Start measuring the current settings on the worker thread (latest request wins)."""
        if self._future is not None and not self._future.done():
            self._pending = True
            return
        s = self.settings
        key = (s.width, s.depth, s.batch)
        sweep = (s.depth, s.batch) != self._sweep_key
        self._future = self._pool.submit(measure_job, *key, sweep)
        self._future_key = key
        self.busy_label.setText(f"measuring width {s.width}, {s.depth} layers, batch {s.batch}…")
        self._poll_timer.start()

    @property
    def measuring(self) -> bool:
        return self._future is not None or self._pending

    def _collect(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._poll_timer.stop()
        self._future = None
        try:
            reports, sweep = future.result()
        except Exception as exc:  # shown in the panel; never raised into the event loop
            self.busy_label.setText(f"Could not measure: {exc}")
        else:
            assert self._future_key is not None
            self._apply(self._future_key, reports, sweep)
        if self._pending:
            self._pending = False
            self._measure_now()

    def _apply(self, key: tuple[int, int, int], reports: dict[bool, MemoryReport],
               sweep: list[MemoryReport] | None) -> None:
        width, depth, batch = key
        self.reports = reports
        self.busy_label.setText("")
        if sweep is not None:
            self._sweep_key = (depth, batch)
            widths = np.array(SWEEP_WIDTHS, dtype=float)
            self.activation_curve.setData(
                widths, np.array([r.activation_bytes for r in sweep]) / 1024)
            self.parameter_curve.setData(widths, np.array([r.parameter_bytes for r in sweep]) / 1024)
            self.nograd_curve.setData(widths, np.zeros(len(widths)))
        on, off = reports[False], reports[True]
        for row_key, _title in ROWS:
            for no_grad, report in ((False, on), (True, off)):
                value = getattr(report, row_key)
                text = human_bytes(value) if row_key.endswith("bytes") else f"{value:,}"
                self.cells[(row_key, no_grad)].setText(text)
        self.cells[("graph_nodes", False)].setToolTip(
            "\n".join(sorted(set(on.node_names))) or "no nodes")
        self.saving_label.setText(
            f"Grad tracking keeps {human_bytes(on.saved_bytes)} alive until backward() runs "
            f"({on.graph_nodes} graph nodes); inside torch.no_grad() the same forward pass keeps "
            f"{human_bytes(off.saved_bytes)} and builds {off.graph_nodes} nodes.")
        self.current_line.setValue(np.log10(width))
        self.memory_code.set_code(no_grad_code(width, depth, batch), (4, 5, 7, 8))

    def _refresh_detach(self) -> None:
        try:
            r = run_detach_demo(self.settings.detach)
        except Exception as exc:
            self.detach_note.setText(f"Could not run the graph: {exc}")
            return
        self.graph_view.set_result(r)
        self.leaf_bars.set_values([("x.grad", r.grads["x"]), ("y.grad", r.grads["y"])])
        if r.detached == "a":
            note = ("a was detached, so nothing flows back through x·y: x gets only b's share "
                    "(2x = 4), and y — reachable only through a — keeps .grad = None. None, not "
                    "0: PyTorch never visited it.")
        elif r.detached == "b":
            note = ("b was detached: x gets only a's share (y = 3); y still gets x = 2 through a. "
                    "b's value (4) still counts in z; only its gradient path is gone.")
        else:
            note = ("Both paths carry gradient: x.grad = 3 (through a) + 4 (through b) = 7.")
        self.detach_note.setText(note)
        code = r.code()
        self.detach_code.set_code(code, tuple(i for i, line in enumerate(code) if "detach" in line))
        self.detach_buttons[r.detached].setChecked(True)

    # ------------------------------------------------------------------ events
    def _on_size_changed(self, *_) -> None:
        self._sync_sliders()
        self._measure_timer.start()

    def _on_detach_changed(self, *_) -> None:
        self._refresh_detach()

    def _on_slider(self, name: str, value: int) -> None:
        self.slider_labels[name].setText(str(value))
        if getattr(self.settings, name) != value:
            self.ctx.push(SetFieldCommand(self.settings, name, int(value),
                                          label=f"Set {name} = {value}"))

    def _on_detach_clicked(self, index: int) -> None:
        choice = CHOICES[index]
        if choice != self.settings.detach:
            self.ctx.push(SetFieldCommand(self.settings, "detach", choice, merge=False,
                                          label=f"detach: {DETACH_TITLES[choice]}"))

    def teardown(self) -> None:
        self._measure_timer.stop()
        self._poll_timer.stop()
        # A measurement still running finishes on its own; its result is dropped.
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().teardown()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        style_plot(self.memory_plot, theme)
        self.activation_curve.setPen(pg.mkPen(theme.positive, width=2.5))
        self.activation_curve.setSymbolBrush(theme.positive)
        self.parameter_curve.setPen(pg.mkPen(theme.accent, width=2))
        self.parameter_curve.setSymbolBrush(theme.accent)
        self.nograd_curve.setPen(pg.mkPen(theme.neutral, width=2.5))
        self.nograd_curve.setSymbolBrush(theme.neutral)
        self.current_line.setPen(pg.mkPen(theme.text, width=1.5, style=Qt.PenStyle.DashLine))
        backdrop = pg.mkColor(theme.plot_bg)
        backdrop.setAlpha(215)
        self.memory_legend.setBrush(pg.mkBrush(backdrop))
        self.memory_legend.setLabelTextColor(theme.plot_fg)
        self.graph_view.set_theme(theme)
        self.leaf_bars.set_theme(theme)
        for code in (self.memory_code, self.detach_code):
            code.set_theme(theme)
