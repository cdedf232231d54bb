"""The tangent panel's sections: the function picker, the plot, the point's readout and x
controls, the overlays, the descent's stepping controls and the steps/code tabs.

Each section only builds and lays out its widgets (``section-<name>`` object names, so a
presenter layout can show or fold whole sections); the panel binds and wires them.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGraphicsItem,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.functions1d import PRESETS, compiled
from gradviz.ui.widgets.code_view import QtCodeView
from gradviz.ui.widgets.expression_field import QtExpressionField
from gradviz.ui.widgets.fitting_table import QtFittingTable
from gradviz.ui.widgets.float_slider import QtFloatSlider
from gradviz.ui.widgets.page_sized_tabs import size_to_current_page
from gradviz.ui.widgets.plot_setup import make_plot

CUSTOM = "Custom expression…"


def _section(widget: QWidget, name: str, layout_type=QVBoxLayout):
    widget.setObjectName(f"section-{name}")
    layout = layout_type(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    return layout


def _bigger(label: QLabel, bold: bool = False) -> QLabel:
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(bold)
    label.setFont(font)
    return label


class FunctionSection(QWidget):
    """``f(x) = [preset ▾] [expression]``, the parser's message under the expression."""

    def __init__(self) -> None:
        super().__init__()
        col = _section(self, "function")
        top = QHBoxLayout()
        top.addWidget(QLabel("f(x) ="))
        self.preset_combo = QComboBox()
        self.preset_combo.setAccessibleName("preset function")
        for p in PRESETS:
            self.preset_combo.addItem(p.label, p.source)
        self.preset_combo.addItem(CUSTOM, None)
        top.addWidget(self.preset_combo)
        self.expr_field = QtExpressionField(
            compiled, "type a function of x, e.g. x**2 - 2*x, then Enter",
            refusal="Cannot plot this", keeps="The last good function stays on the plot.")
        self.expr_edit, self.expr_error = self.expr_field.edit, self.expr_field.error
        self.expr_edit.setAccessibleName("f(x)")
        self.expr_edit.setToolTip("Python syntax: x**2, sin(x), exp(-x), relu(x) … "
                                  "Press Enter to plot it.")
        top.addWidget(self.expr_field, 1)
        col.addLayout(top)


class TangentPlotSection(QWidget):
    """The curve, f′, the secant, the descent trail, the tangent and the draggable point."""

    def __init__(self) -> None:
        super().__init__()
        _section(self, "plot").addWidget(self._make_plot())

    def _make_plot(self) -> pg.PlotWidget:
        self.plot = plot = make_plot("x", "f(x)", grid=0.25, major_ticks_only=True,
                                     name="plot of f(x), its tangent and the point")
        plot.setMouseEnabled(x=False, y=False)
        self.legend = plot.addLegend(offset=(10, 10))
        self.curve_item = plot.plot([], [], name="f(x)", connect="finite")
        self.deriv_item = plot.plot([], [], connect="finite")
        self.secant_item = plot.plot([], [])
        self.secant_dot = pg.ScatterPlotItem(size=8)
        plot.addItem(self.secant_dot)
        self.trail_lines = pg.PlotDataItem([], [])
        plot.addItem(self.trail_lines)
        self.trail_dots = pg.ScatterPlotItem(size=7)
        plot.addItem(self.trail_dots)
        self.tangent_item = plot.plot([], [], name="tangent at x")
        self.point_item = pg.TargetItem(pos=(0, 0), size=14, symbol="o", movable=True)
        self.point_item.setToolTip("Drag me along the curve")
        plot.addItem(self.point_item)
        self.offscreen_label = pg.TextItem("", anchor=(0, 0))
        plot.addItem(self.offscreen_label, ignoreBounds=True)
        # A drag moves only the point and its lines: the 1,000-point curves and the axes with
        # their grid keep a rendered copy (redrawn when their data, range or size change), so a
        # frame does not rasterize them again. It took a quarter off the time of a drag frame.
        for item in (self.curve_item.curve, self.deriv_item.curve, plot.getAxis("left"),
                     plot.getAxis("bottom")):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        return plot


class PointSection(QWidget):
    """What the point shows (x, f(x), f′(x), the verdict, a note) and the x slider and box."""

    def __init__(self) -> None:
        super().__init__()
        col = _section(self, "point")
        self.readout = _bigger(QLabel(""))
        self.readout.setObjectName("tangent-readout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.readout)
        self.verdict_label = _bigger(QLabel(""), bold=True)
        self.verdict_label.setObjectName("tangent-verdict")
        self.verdict_label.setWordWrap(True)
        col.addWidget(self.verdict_label)
        self.note_label = QLabel("")
        self.note_label.setObjectName("tangent-note")
        self.note_label.setWordWrap(True)
        col.addWidget(self.note_label)
        xrow = QHBoxLayout()
        self.x_slider = QtFloatSlider("x", steps=1000)
        xrow.addWidget(self.x_slider, 1)
        self.x_spin = QDoubleSpinBox()
        self.x_spin.setKeyboardTracking(False)
        xrow.addWidget(self.x_spin)
        col.addLayout(xrow)


class OverlaySection(QWidget):
    """The plotted range, and the f′ and secant overlays with the secant's h."""

    def __init__(self) -> None:
        super().__init__()
        col = _section(self, "overlays")
        rrow = QHBoxLayout()
        rrow.addWidget(QLabel("plot x from"))
        self.lo_spin = QDoubleSpinBox()
        self.hi_spin = QDoubleSpinBox()
        for spin in (self.lo_spin, self.hi_spin):
            spin.setKeyboardTracking(False)
        rrow.addWidget(self.lo_spin)
        rrow.addWidget(QLabel("to"))
        rrow.addWidget(self.hi_spin)
        rrow.addStretch(1)
        col.addLayout(rrow)
        self.deriv_check = QCheckBox("show f′(x) over the whole range")
        self.secant_check = QCheckBox("show the secant through x and x + h")
        self.h_slider = QtFloatSlider("h", steps=400)
        self.secant_label = QLabel("")
        self.secant_label.setWordWrap(True)
        for w in (self.deriv_check, self.secant_check, self.h_slider, self.secant_label):
            col.addWidget(w)


class DescentSection(QGroupBox):
    """The stepping controls: the learning rate, Step / Run / Reset, and what the run does."""

    TITLE = "Gradient descent: x ← x − lr·f′(x)"

    def __init__(self) -> None:
        super().__init__(self.TITLE)
        self.setObjectName("section-stepping")
        self.grid = QGridLayout(self)
        self.lr_label = QLabel("learning rate lr")
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setKeyboardTracking(False)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("One step downhill (clicker: PageDown; PageUp goes back)")
        self.run_button = QPushButton("Run")
        self.run_button.setCheckable(True)
        self.reset_button = QPushButton("Reset")
        self.descent_label = QLabel("")
        self.descent_label.setObjectName("descent-status")
        self.descent_label.setWordWrap(True)
        self.grid.addWidget(self.descent_label, 2, 0, 1, 3)
        self.set_compact(False)

    def set_compact(self, on: bool) -> None:
        """One row (presenting: the row under the plot must stay low) or the desktop's grid of
        learning rate, buttons and status. The title says the update rule on the desktop; in
        one row the spin box's tooltip does, and the row keeps its height for the plot."""
        parts = (self.lr_label, self.lr_spin, self.step_button, self.run_button,
                 self.reset_button)
        for w in parts:
            self.grid.removeWidget(w)
        if on:
            for i, w in enumerate(parts):
                self.grid.addWidget(w, 0, i)
        else:
            self.grid.addWidget(self.lr_label, 0, 0)
            self.grid.addWidget(self.lr_spin, 0, 1, 1, 2)
            for i, w in enumerate(parts[2:]):
                self.grid.addWidget(w, 1, i)
        self.lr_spin.setToolTip(self.TITLE)
        self.setTitle("" if on else self.TITLE)
        self.setFlat(on)
        margin = 0 if on else -1  # -1: the style's margins again
        self.grid.setContentsMargins(margin, margin, margin, margin)


class StepsSection(QTabWidget):
    """The table of descent steps and the code listing that reproduces the panel's numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("section-code")
        self.setAccessibleName("descent steps and code")
        self.table = QtFittingTable(0, 4)  # while presenting, no number is elided
        self.table.setHorizontalHeaderLabels(["step", "x", "f(x)", "f′(x)"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("descent steps")
        self.addTab(self.table, "Steps")
        self.code_view = QtCodeView("The slope at the point with autograd, then the descent "
                                    "loop: run it and compare with the panel.")
        self.code_view.setAccessibleName("code listing")
        self.addTab(self.code_view, "Code")
        size_to_current_page(self)
