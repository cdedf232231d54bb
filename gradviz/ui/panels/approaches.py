"""Three approaches to a derivative — symbolic, numerical, autograd — live for one f and x.

A view of :class:`gradviz.core.approaches.ApproachesModel`, built from the sections in
:mod:`gradviz.ui.panels.approaches_sections`: the side-by-side table, the log–log
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
from PySide6.QtWidgets import QSplitter, QTableWidgetItem

from gradviz.core.approaches import (
    ApproachesModel,
    Comparison,
    CostRun,
    compare_approaches,
    error_vs_h,
)
from gradviz.core.commands import SetFieldCommand, SetFieldsCommand
from gradviz.core.derivative_code import approaches_code
from gradviz.core.numbers import fmt, full_text
from gradviz.ui.panels.approaches_sections import (
    ComparisonSection,
    CostSection,
    FunctionSection,
    VPlotSection,
    h_slider,
)
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import LIGHT, Theme, style_plot

log = logging.getLogger(__name__)

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
        self.comparison: Comparison | None = None
        self.cost_run: CostRun | None = None
        self._build()
        self._cost_timer = QTimer(self)
        self._cost_timer.setInterval(TICK_MS)
        self._cost_timer.timeout.connect(self._on_cost_tick)
        self.pause_when_hidden(self._cost_timer)  # the CPU goes to what is on screen
        for name in ("source", "x", "h"):
            self.listen(getattr(self.am.events, name), self._on_model_changed, when_shown=True)
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
        self.function_section = FunctionSection()
        self.comparison_section = ComparisonSection()
        self.h_section = self.h_slider = h_slider()
        self.plot_section = VPlotSection()
        self.cost_section = CostSection()
        # The sections' widgets keep their old names (panel.table, panel.v_plot …).
        for section in (self.function_section, self.comparison_section, self.plot_section,
                        self.cost_section):
            self.__dict__.update({k: v for k, v in vars(section).items() if not k.startswith("_")})
        for section in (self.function_section, self.comparison_section, self.h_section):
            self.body_layout.addWidget(section)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plot_section)
        split.addWidget(self.cost_section)
        split.setSizes([600, 500])
        self.body_layout.addWidget(split, 1)
        self.bind(self.x_spin, self.am, "x")
        self.bind(self.h_slider, self.am, "h")
        self.preset_combo.activated.connect(self._on_preset_chosen)
        self.expr_field.accepted.connect(self._on_expression_accepted)
        self.from_tangent.clicked.connect(self.use_tangent_point)
        self.from_tangent.setEnabled("tangent" in self.model)
        self.h_line.sigPositionChangeFinished.connect(self._on_h_line_moved)
        self.measure_button.clicked.connect(self.start_cost_run)

    # ------------------------------------------------------------------ user → model
    def _on_preset_chosen(self, index: int) -> None:
        data = self.preset_combo.itemData(index)
        if data is None:
            self.expr_field.start_custom()
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
        lo, hi = self.am.setting("x").lo, self.am.setting("x").hi
        x = min(max(float(tm.x), lo), hi)
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
            lo, hi = self.am.setting("h").lo, self.am.setting("h").hi
            h = min(max(h, lo), hi)
            if h != self.am.h:
                self.ctx.push(SetFieldCommand(self.am, "h", h))
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
        # The picker and the field listen to activated/accepted only, so showing is no echo.
        i = next((k for k in range(self.preset_combo.count())
                  if self.preset_combo.itemData(k) == (am.source, am.x)), -1)
        self.preset_combo.setCurrentIndex(i if i >= 0 else self.preset_combo.count() - 1)
        self.expr_field.show_source(am.source)
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
        # No echo: the panel listens to sigPositionChangeFinished (a mouse release) only.
        self.h_line.setValue(math.log10(self.am.h))

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
