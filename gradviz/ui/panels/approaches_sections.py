"""The three-approaches panel's sections: the function and point, the comparison table, the h
slider, the V plot, and the cost tabs (``section-<name>`` object names, so a presenter layout can
show or fold whole sections). Sections build and lay out; the panel binds and wires them."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.approaches import PRESETS
from gradviz.core.derivative_code import cost_code
from gradviz.core.functions1d import compiled
from gradviz.ui.widgets.code_view import QtCodeView
from gradviz.ui.widgets.expression_field import QtExpressionField
from gradviz.ui.widgets.fitting_table import QtFittingTable
from gradviz.ui.widgets.float_slider import QtFloatSlider
from gradviz.ui.widgets.page_sized_tabs import size_to_current_page
from gradviz.ui.widgets.plot_setup import make_plot

CUSTOM = "Custom expression…"
#: The four finite-difference curves of the V: (scheme, float type) → legend name.
V_CURVES = {("forward", "float32"): "forward, float32", ("central", "float32"): "central, float32",
            ("forward", "float64"): "forward, float64", ("central", "float64"): "central, float64"}
#: The comparison table's "how" column (the one presenting may drop).
HOW_COLUMN = 1


class FunctionSection(QWidget):
    """``f(x) = [preset ▾] [expression] at x = [ ] [Use the tangent's f and x]``."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("section-function")
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("f(x) ="))
        self.preset_combo = QComboBox()
        self.preset_combo.setAccessibleName("preset function and point")
        for p in PRESETS:
            self.preset_combo.addItem(p.label, (p.source, p.x))
        self.preset_combo.addItem(CUSTOM, None)
        top.addWidget(self.preset_combo)
        self.expr_field = QtExpressionField(compiled, "type a function of x, then Enter")
        self.expr_field.edit.setAccessibleName("f(x)")
        top.addWidget(self.expr_field, 1)
        top.addWidget(QLabel("at x ="))
        self.x_spin = QDoubleSpinBox()
        self.x_spin.setKeyboardTracking(False)
        top.addWidget(self.x_spin, 0, Qt.AlignmentFlag.AlignTop)
        self.from_tangent = QPushButton("Use the tangent's f and x")
        self.from_tangent.setToolTip("Copy the function and the point from the Tangent slope panel")
        top.addWidget(self.from_tangent, 0, Qt.AlignmentFlag.AlignTop)


class ComparisonSection(QWidget):
    """The symbolic formula and the table of the four values with their errors."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("section-table")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        self.formula_label = QLabel("")
        self.formula_label.setObjectName("symbolic-formula")
        self.formula_label.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.formula_label)
        # While presenting, "how" (explanatory) gives way before a number or a name is elided.
        self.table = table = QtFittingTable(4, 6, droppable=(HOW_COLUMN,))
        table.setHorizontalHeaderLabels(
            ["approach", "how", "f′(x) float32", "|error| float32", "f′(x) float64",
             "|error| float64"])
        table.setAccessibleName("the three approaches compared")
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setFixedHeight(table.horizontalHeader().sizeHint().height()
                             + 4 * table.verticalHeader().defaultSectionSize() + 6)
        col.addWidget(table)


class VPlotSection(QWidget):
    """|error| against h on log–log axes, the best h of each curve, and the current h."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("section-plot")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        self.v_plot = plot = make_plot("step h", "|error| of the finite difference",
                                       log_x=True, log_y=True, grid=0.25,
                                       name="error of the finite differences against h")
        plot.setTitle("Truncation vs rounding: the V")
        # Bottom left: small h and small errors never meet there, so the legend hides no curve.
        self.v_legend = plot.addLegend(offset=(10, -10))
        self.v_curves = {key: plot.plot([], [], name=name, connect="finite")
                         for key, name in V_CURVES.items()}
        self.best_dots = pg.ScatterPlotItem(size=11, symbol="star")
        plot.addItem(self.best_dots)
        self.h_line = pg.InfiniteLine(angle=90, movable=True)
        self.h_line.setToolTip("the current h: drag it")
        plot.addItem(self.h_line, ignoreBounds=True)
        self.v_message = pg.TextItem("", anchor=(0.5, 0.5))
        plot.addItem(self.v_message, ignoreBounds=True)
        col.addWidget(plot)


class CostSection(QTabWidget):
    """The measured cost of all n partials, and the two code listings."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("section-cost")
        self.setAccessibleName("cost and code")
        cost_box = QWidget()
        cost_col = QVBoxLayout(cost_box)
        cost_col.setContentsMargins(0, 0, 0, 0)
        self.cost_plot = plot = make_plot("number of parameters n", "time for all n partials (ms)",
                                          log_x=True, log_y=True, grid=0.25,
                                          left_tick_text="0.0001", name="cost of n partials")
        plot.getAxis("bottom").setTicks([[(k, f"{10**k:,}") for k in range(5)], []])
        plot.setXRange(0, 4, padding=0.06)
        plot.enableAutoRange(x=False, y=True)
        self.cost_legend = plot.addLegend(offset=(10, 10))
        self.cost_num = plot.plot([], [], name="numerical: n + 1 evaluations", symbol="o",
                                  symbolSize=7)
        self.cost_auto = plot.plot([], [], name="autograd: one backward", symbol="s",
                                   symbolSize=7)
        cost_col.addWidget(plot, 1)
        row = QHBoxLayout()
        self.measure_button = QPushButton("Measure again")
        self.cost_label = QLabel("")
        self.cost_label.setObjectName("cost-status")
        self.cost_label.setWordWrap(True)
        row.addWidget(self.measure_button)
        row.addWidget(self.cost_label, 1)
        cost_col.addLayout(row)
        self.addTab(cost_box, "Cost of n partials")
        self.code_view = QtCodeView("Numerical, autograd and symbolic derivatives of f at x: "
                                    "run it and compare with the table.")
        self.addTab(self.code_view, "Code")
        self.cost_code_view = QtCodeView("The cost experiment for n = 1000.")
        self.cost_code_view.set_code(cost_code(1000))
        self.code_view.setAccessibleName("code listing")
        self.cost_code_view.setAccessibleName("cost experiment code")
        self.addTab(self.cost_code_view, "Code (cost)")
        size_to_current_page(self)


def h_slider() -> QtFloatSlider:
    """The step-h slider (its log range comes from the model's setting when bound)."""
    slider = QtFloatSlider("step h", steps=160)
    slider.setObjectName("section-h")
    return slider
