"""Three approaches to a derivative — symbolic, numerical, autograd — live for one f and x.

A view of :class:`gradviz.core.approaches.ApproachesModel`: the side-by-side table, the log–log
V of |error| against h (truncation on the right, rounding on the left), and the measured cost of
all n partial derivatives (n + 1 evaluations versus one backward), timed in short timer slices so
the window never freezes.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.approaches import (
    PRESETS,
    ApproachesModel,
    Comparison,
    CostRun,
    compare_approaches,
    error_vs_h,
)
from gradviz.core.commands import SetFieldCommand, SetFieldsCommand
from gradviz.core.derivative_code import approaches_code, cost_code
from gradviz.core.functions1d import compiled
from gradviz.core.numbers import fmt, full_text
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import LIGHT, Theme, style_plot
from gradviz.ui.widgets.code_view import QtCodeView
from gradviz.ui.widgets.expression_field import QtExpressionField
from gradviz.ui.widgets.float_slider import QtFloatSlider
from gradviz.ui.widgets.plot_setup import adopt_plot_menus

log = logging.getLogger(__name__)

CUSTOM = "Custom expression…"
ROW_TITLES = {
    "symbolic": ("symbolic", "rules of calculus (sympy)"),
    "forward": ("numerical: forward", "[f(x+h) − f(x)] / h"),
    "central": ("numerical: central", "[f(x+h) − f(x−h)] / 2h"),
    "autograd": ("autograd", "y.backward(); x.grad"),
}
#: Strengths and weaknesses, in our words (tooltips on the approach names).
ROW_NOTES = {
    "symbolic": "Exact, and you get a formula. But the formula can grow huge for long chains of "
                "operations, so it does not scale to a network with millions of them.",
    "forward": "Works for any function you can evaluate. But it needs one extra evaluation per "
               "parameter, and h trades truncation error against rounding error.",
    "central": "Same idea, error shrinks like h² instead of h. Two evaluations per parameter, and "
               "rounding still wins for tiny h.",
    "autograd": "Exact up to rounding, and all partial derivatives from one backward pass. Needs "
                "a framework that records the operations (PyTorch, JAX, …).",
}
#: Timer slices for the cost measurement: work ``SLICE_MS`` out of every ``TICK_MS``.
SLICE_MS = 8
TICK_MS = 16


class QtApproachesPanel(QtPanel):
    """Symbolic, numerical and autograd derivatives side by side, with their errors and costs."""

    panel_name = "approaches"
    title = "Three approaches"
    explainer = ("Three ways to the same slope: the calculus rules give a formula, finite "
                 "differences nudge x by h and measure, autograd replays the recorded operations "
                 "backwards. Compare their numbers, their errors and what they cost.")
    try_this = ("slide h down towards 1e-16 and watch the forward difference get better, then "
                "much worse: the bottom of the V is the best h your float type allows.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.am: ApproachesModel = ctx.model["approaches"]
        self._theme: Theme = ctx.theme() if callable(ctx.theme) else LIGHT
        self._curves_key: tuple | None = None
        self._syncing = False
        self.comparison: Comparison | None = None
        self.cost_run: CostRun | None = None
        self._build()
        self._cost_timer = QTimer(self)
        self._cost_timer.setInterval(TICK_MS)
        self._cost_timer.timeout.connect(self._on_cost_tick)
        for name in ("source", "x", "h"):
            self.listen(getattr(self.am.events, name), self._on_model_changed)
        self._refresh()
        self.apply_theme(self._theme)
        # Measure once on start; the run is sliced, so the panel stays responsive meanwhile.
        # (A timer owned by the panel dies with it; a bare singleShot could fire after.)
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.timeout.connect(self._start_if_idle)
        self._start_timer.start(300)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("f(x) ="))
        self.preset_combo = QComboBox()
        for p in PRESETS:
            self.preset_combo.addItem(p.label, (p.source, p.x))
        self.preset_combo.addItem(CUSTOM, None)
        self.preset_combo.activated.connect(self._on_preset_chosen)
        top.addWidget(self.preset_combo)
        self.expr_field = QtExpressionField(compiled, "type a function of x, then Enter")
        self.expr_field.accepted.connect(self._on_expression_accepted)
        top.addWidget(self.expr_field, 1)
        top.addWidget(QLabel("at x ="))
        self.x_spin = QDoubleSpinBox()
        self.x_spin.setRange(-1e4, 1e4)
        self.x_spin.setDecimals(4)
        self.x_spin.setSingleStep(0.1)
        self.x_spin.setKeyboardTracking(False)
        self.x_spin.valueChanged.connect(lambda v: self._push("x", float(v)))
        top.addWidget(self.x_spin, 0, Qt.AlignmentFlag.AlignTop)
        self.from_tangent = QPushButton("Use the tangent's f and x")
        self.from_tangent.setToolTip("Copy the function and the point from the Tangent slope panel")
        self.from_tangent.clicked.connect(self.use_tangent_point)
        self.from_tangent.setEnabled("tangent" in self.model)
        top.addWidget(self.from_tangent, 0, Qt.AlignmentFlag.AlignTop)
        self.body_layout.addLayout(top)

        self.formula_label = QLabel("")
        self.formula_label.setObjectName("symbolic-formula")
        self.formula_label.setTextFormat(Qt.TextFormat.RichText)
        self.body_layout.addWidget(self.formula_label)

        self.table = QTableWidget(4, 6)
        self.table.setHorizontalHeaderLabels(
            ["approach", "how", "f′(x) float32", "|error| float32", "f′(x) float64",
             "|error| float64"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + 4 * self.table.verticalHeader().defaultSectionSize() + 6)
        self.body_layout.addWidget(self.table)

        self.h_slider = QtFloatSlider("step h", 1e-16, 1.0, steps=160, log=True)
        self.h_slider.value_changed.connect(lambda v: self._push("h", v))
        self.body_layout.addWidget(self.h_slider)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.v_plot = pg.PlotWidget()
        self.v_plot.setMenuEnabled(False)
        adopt_plot_menus(self.v_plot)
        self.v_plot.hideButtons()
        self.v_plot.setLogMode(x=True, y=True)
        self.v_plot.showGrid(x=True, y=True, alpha=0.25)
        self.v_plot.setLabel("bottom", "step h")
        self.v_plot.setLabel("left", "|error| of the finite difference")
        self.v_plot.setTitle("Truncation vs rounding: the V")
        # Bottom left: small h and small errors never meet there, so the legend hides no curve.
        self.v_legend = self.v_plot.addLegend(offset=(10, -10))
        self.v_curves = {}
        for key, name in ((("forward", "float32"), "forward, float32"),
                          (("central", "float32"), "central, float32"),
                          (("forward", "float64"), "forward, float64"),
                          (("central", "float64"), "central, float64")):
            self.v_curves[key] = self.v_plot.plot([], [], name=name, connect="finite")
        self.best_dots = pg.ScatterPlotItem(size=11, symbol="star")
        self.v_plot.addItem(self.best_dots)
        self.h_line = pg.InfiniteLine(angle=90, movable=True)
        self.h_line.setToolTip("the current h: drag it")
        self.h_line.sigPositionChangeFinished.connect(self._on_h_line_moved)
        self.v_plot.addItem(self.h_line, ignoreBounds=True)
        self.v_message = pg.TextItem("", anchor=(0.5, 0.5))
        self.v_plot.addItem(self.v_message, ignoreBounds=True)
        split.addWidget(self.v_plot)

        right = QTabWidget()
        cost_box = QWidget()
        cost_col = QVBoxLayout(cost_box)
        cost_col.setContentsMargins(0, 0, 0, 0)
        self.cost_plot = pg.PlotWidget()
        self.cost_plot.setMenuEnabled(False)
        adopt_plot_menus(self.cost_plot)
        self.cost_plot.hideButtons()
        self.cost_plot.setLogMode(x=True, y=True)
        self.cost_plot.showGrid(x=True, y=True, alpha=0.25)
        self.cost_plot.setLabel("bottom", "number of parameters n")
        self.cost_plot.setLabel("left", "time for all n partials (ms)")
        self.cost_plot.getAxis("bottom").setTicks(
            [[(k, f"{10**k:,}") for k in range(5)], []])
        self.cost_plot.setXRange(0, 4, padding=0.06)
        self.cost_plot.enableAutoRange(x=False, y=True)
        self.cost_legend = self.cost_plot.addLegend(offset=(10, 10))
        self.cost_num = self.cost_plot.plot([], [], name="numerical: n + 1 evaluations",
                                            symbol="o", symbolSize=7)
        self.cost_auto = self.cost_plot.plot([], [], name="autograd: one backward",
                                             symbol="s", symbolSize=7)
        cost_col.addWidget(self.cost_plot, 1)
        row = QHBoxLayout()
        self.measure_button = QPushButton("Measure again")
        self.measure_button.clicked.connect(self.start_cost_run)
        self.cost_label = QLabel("")
        self.cost_label.setObjectName("cost-status")
        self.cost_label.setWordWrap(True)
        row.addWidget(self.measure_button)
        row.addWidget(self.cost_label, 1)
        cost_col.addLayout(row)
        right.addTab(cost_box, "Cost of n partials")
        self.code_view = QtCodeView("Numerical, autograd and symbolic derivatives of f at x: "
                                    "run it and compare with the table.")
        right.addTab(self.code_view, "Code")
        self.cost_code_view = QtCodeView("The cost experiment for n = 1000.")
        self.cost_code_view.set_code(cost_code(1000))
        right.addTab(self.cost_code_view, "Code (cost)")
        split.addWidget(right)
        split.setSizes([600, 500])
        self.body_layout.addWidget(split, 1)

    # ------------------------------------------------------------------ user → model
    def _push(self, name: str, value) -> None:
        if self._syncing or getattr(self.am, name) == value:
            return
        self.ctx.push(SetFieldCommand(self.am, name, value))

    def _on_preset_chosen(self, index: int) -> None:
        data = self.preset_combo.itemData(index)
        if data is None:
            self.expr_field.edit.setFocus()
            self.expr_field.edit.selectAll()
            return
        source, x = data
        values = {k: v for k, v in (("source", source), ("x", x)) if getattr(self.am, k) != v}
        if values:
            self.ctx.push(SetFieldsCommand(self.am, values, f"Set f(x) = {source} at x = {x:g}"))

    def use_tangent_point(self) -> bool:
        """Take f and x from the tangent sub-model (shared state lives in the model)."""
        tm = self.model.get("tangent")
        if tm is None:
            return False
        x = min(max(float(tm.x), -1e4), 1e4)
        values = {k: v for k, v in (("source", tm.source), ("x", x)) if getattr(self.am, k) != v}
        if not values:
            return False
        return self.ctx.push(SetFieldsCommand(self.am, values,
                                              f"Use f(x) = {tm.source} at x = {x:g}"))

    def _on_expression_accepted(self, text: str) -> None:
        if text != self.am.source:
            self.ctx.push(SetFieldCommand(self.am, "source", text, label=f"Set f(x) = {text}"))

    def _on_h_line_moved(self, line) -> None:
        try:
            h = float(10 ** line.value())
            self._push("h", min(max(h, 1e-16), 1.0))
            self._place_h_line()
        except Exception:
            log.exception("h line move failed")

    # ------------------------------------------------------------------ model → view
    def _on_model_changed(self, *_args) -> None:
        try:
            self._refresh()
        except Exception:
            log.exception("approaches panel refresh failed")

    def _refresh(self) -> None:
        am = self.am
        self._syncing = True
        try:
            i = next((k for k in range(self.preset_combo.count())
                      if self.preset_combo.itemData(k) == (am.source, am.x)), -1)
            self.preset_combo.setCurrentIndex(i if i >= 0 else self.preset_combo.count() - 1)
            self.expr_field.show_source(am.source)
            if self.x_spin.value() != round(am.x, 4):
                self.x_spin.setValue(am.x)
            self.h_slider.set_value(am.h)
        finally:
            self._syncing = False
        self.comparison = compare_approaches(am.source, am.x, am.h)
        self._fill_table()
        self._refresh_v_plot()
        self._place_h_line()
        self.code_view.set_code(approaches_code(am.source, am.x, am.h))

    def _fill_table(self) -> None:
        c = self.comparison
        th = self._theme
        exact_ok = math.isfinite(c.exact)
        self.formula_label.setText(
            f"symbolic: f′(x) = <b>{c.formula}</b>" + (
                f" &nbsp; → f′({fmt(c.x)}) = <b>{fmt(c.exact)}</b>" if exact_ok else
                f" &nbsp; → <span style='color:{th.error}'>f′ has no finite value at "
                f"x = {fmt(c.x)}</span> (PyTorch gives {fmt(c.row('autograd').value64)})"))
        for r, row in enumerate(c.rows):
            name, how = ROW_TITLES[row.name]
            if row.name in ("forward", "central"):
                how += f", h = {fmt(c.h, 3)}"
            cells = [name, how, fmt(row.value32), _err(row.error32), fmt(row.value64),
                     _err(row.error64)]
            tips = ["", "", full_text(row.value32), "", full_text(row.value64, "float64"), ""]
            for col, (text, tip) in enumerate(zip(cells, tips, strict=True)):
                item = QTableWidgetItem(text)
                if col == 0:
                    tip = ROW_NOTES[row.name]
                if tip:
                    item.setToolTip(tip)
                if col in (3, 5) and exact_ok:
                    err = row.error32 if col == 3 else row.error64
                    rel = err / max(abs(c.exact), 1e-30) if math.isfinite(err) else math.inf
                    colour = th.neutral if rel < 1e-6 else th.warning if rel < 1e-3 else th.error
                    item.setForeground(pg.mkColor(colour))
                self.table.setItem(r, col, item)

    def _refresh_v_plot(self) -> None:
        key = (self.am.source, self.am.x)
        if key == self._curves_key:
            return
        self._curves_key = key
        try:
            curves = error_vs_h(self.am.source, self.am.x)
        except ValueError as exc:
            for item in self.v_curves.values():
                item.setData([], [])
            self.best_dots.setData([], [])
            self.v_message.setText(f"No V here: {exc}.")
            self.v_message.setPos(-8, 0)
            self.best_points = []
            return
        self.v_message.setText("")
        best = []
        for c in curves:
            err = np.where(c.error > 0, c.error, np.nan)  # exact zeros have no place on a log axis
            self.v_curves[(c.scheme, c.dtype)].setData(c.h, err)
            if math.isfinite(c.best_h) and c.best_error > 0:
                best.append((c.best_h, c.best_error, c))
        self.best_points = best
        th = self._theme
        self.best_dots.setData(
            [np.log10(b[0]) for b in best], [np.log10(b[1]) for b in best],
            brush=[pg.mkBrush(self._curve_colour(b[2].scheme, b[2].dtype)) for b in best],
            pen=pg.mkPen(th.plot_fg))
        self.best_dots.setToolTip("\n".join(
            f"best h for {b[2].scheme}, {b[2].dtype}: {fmt(b[0], 2)} (|error| {fmt(b[1], 2)})"
            for b in best))

    def _place_h_line(self) -> None:
        blocked = self.h_line.blockSignals(True)
        self.h_line.setValue(math.log10(self.am.h))
        self.h_line.blockSignals(blocked)

    # ------------------------------------------------------------------ cost run
    def _start_if_idle(self) -> None:
        if self.cost_run is None:
            self.start_cost_run()

    def start_cost_run(self) -> None:
        self.cost_run = CostRun()
        self.cost_num.setData([], [])
        self.cost_auto.setData([], [])
        self.measure_button.setEnabled(False)
        self.cost_label.setText("Measuring…")
        self._cost_timer.start()

    def _on_cost_tick(self) -> None:
        run = self.cost_run
        if run is None:
            self._cost_timer.stop()
            return
        try:
            done = run.advance(SLICE_MS / 1000)
        except Exception as exc:
            log.exception("cost run failed")
            self._cost_timer.stop()
            self.measure_button.setEnabled(True)
            self.cost_label.setText(f"The measurement stopped: {exc}")
            return
        res = run.results
        if res:
            ns = [r.n for r in res]
            self.cost_num.setData(ns, [r.numerical_ms for r in res])
            self.cost_auto.setData(ns, [r.autograd_ms for r in res])
        if done:
            self._cost_timer.stop()
            self.measure_button.setEnabled(True)
            last = res[-1]
            self.cost_label.setText(
                f"n = {last.n:,}: numerical {fmt(last.numerical_ms, 3)} ms "
                f"({last.n + 1:,} evaluations), autograd {fmt(last.autograd_ms, 3)} ms "
                f"(one backward): {last.numerical_ms / last.autograd_ms:,.0f}× faster. "
                f"The two gradients differ by at most {fmt(last.max_abs_diff, 2)}.")
        else:
            self.cost_label.setText(f"Measuring… {run.progress:.0%} (n = "
                                    f"{run.sizes[min(len(res), len(run.sizes) - 1)]:,})")

    # ------------------------------------------------------------------ theme, teardown
    def _curve_colour(self, scheme: str, dtype: str) -> str:
        # One colour per scheme; the precision is told by the line style (float32 dashed).
        return self._theme.negative if scheme == "forward" else self._theme.positive

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for plot in (self.v_plot, self.cost_plot):
            style_plot(plot, theme)
        for (scheme, dtype), item in self.v_curves.items():
            style = Qt.PenStyle.SolidLine if dtype == "float64" else Qt.PenStyle.DashLine
            item.setPen(pg.mkPen(self._curve_colour(scheme, dtype), width=2, style=style))
        self.h_line.setPen(pg.mkPen(theme.muted, width=2, style=Qt.PenStyle.DotLine))
        self.v_message.setColor(theme.error)
        self.cost_num.setPen(pg.mkPen(theme.positive, width=2))
        self.cost_num.setSymbolBrush(pg.mkBrush(theme.positive))
        self.cost_auto.setPen(pg.mkPen(theme.negative, width=2))
        self.cost_auto.setSymbolBrush(pg.mkBrush(theme.negative))
        for legend in (self.v_legend, self.cost_legend):
            legend.setLabelTextColor(theme.plot_fg)
            for _sample, label in legend.items:
                label.setText(label.text, color=theme.plot_fg)
        self.expr_field.set_theme(theme)
        self._curves_key = None
        self._refresh()

    def teardown(self) -> None:
        self._start_timer.stop()
        self._cost_timer.stop()
        self.cost_run = None
        super().teardown()


def _err(v: float) -> str:
    if math.isnan(v):
        return "—"
    return "0 (exact)" if v == 0 else fmt(v, 2)
