"""The sections of the no_grad/detach panel: the MLP's size, the measured table, the growth plot;
the detach choice, the graph with its leaves' gradients."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QSlider,
    QWidget,
)

from gradviz.core.detach_demo import CHOICES, TITLES, DetachResult
from gradviz.core.memory import (
    ROWS,
    SWEEP_WIDTHS,
    MemoryReport,
    cell_text,
    readout_rows,
    saving_text,
    width_ticks,
)
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.detach_graph_view import QtDetachGraphView
from gradviz.ui.widgets.grad_bars import QtGradBars
from gradviz.ui.widgets.panel_section import QtChoiceButtons, QtSection, wrapped_label
from gradviz.ui.widgets.plot_setup import make_plot

#: The MLP's size settings, in the order the sliders are shown.
SIZE_FIELDS = ("width", "depth", "batch")


class QtMlpSizeSection(QtSection):
    """Three sliders (width, depth, batch) with their values; the panel binds them."""

    def __init__(self, titles: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__("memory-settings", parent)
        grid = QGridLayout()
        self.sliders: dict[str, QSlider] = {}
        self.slider_labels: dict[str, QLabel] = {}
        for row, name in enumerate(SIZE_FIELDS):
            self.sliders[name] = QSlider(Qt.Orientation.Horizontal)
            self.slider_labels[name] = QLabel()
            self.slider_labels[name].setMinimumWidth(50)
            grid.addWidget(QLabel(titles[name]), row, 0)
            grid.addWidget(self.sliders[name], row, 1)
            grid.addWidget(self.slider_labels[name], row, 2)
        grid.setColumnStretch(1, 1)
        self.box.addLayout(grid)


class QtMemoryTableSection(QtSection):
    """What the forward pass saved, grad tracking on against inside ``torch.no_grad()``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("table", parent)
        table = QGridLayout()
        for col, title in enumerate(("measured with saved_tensors_hooks", "grad tracking on",
                                     "inside torch.no_grad()")):
            table.addWidget(QLabel(f"<b>{title}</b>"), 0, col)
        self.cells: dict[tuple[str, bool], QLabel] = {}
        for i, (key, title) in enumerate(ROWS, start=1):
            table.addWidget(QLabel(title), i, 0)
            for col, no_grad in ((1, False), (2, True)):
                cell = QLabel()
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                table.addWidget(cell, i, col)
                self.cells[(key, no_grad)] = cell
        table.setColumnStretch(0, 1)
        self.box.addLayout(table)
        self.saving_label = wrapped_label()
        self.box.addWidget(self.saving_label)
        self.busy_label = QLabel()
        self.box.addWidget(self.busy_label)

    def show_reports(self, on: MemoryReport, off: MemoryReport) -> None:
        for row_key, _title in ROWS:
            for no_grad, report in ((False, on), (True, off)):
                self.cells[(row_key, no_grad)].setText(cell_text(report, row_key))
        self.cells[("graph_nodes", False)].setToolTip(
            "\n".join(sorted(set(on.node_names))) or "no nodes")
        self.saving_label.setText(saving_text(on, off))


#: The readout's figures, relative to the panel's font: read from the back row.
READOUT_SIZE = 1.3
#: The left axis' title; while presenting a short one, which a plot of 300 px holds at ×3.
LEFT_LABEL = "KiB saved for backward"
LEFT_LABEL_PRESENTING = "KiB saved"


class QtMemoryReadout(QWidget):
    """The table's key rows at the marked width, over the plot while presenting (the full
    table folds into the presenter strip): saved for backward and graph nodes, grad tracking
    on against inside ``torch.no_grad()``, in the curves' colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memory-readout")
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 0, 4, 4)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(0)
        self.corner = QLabel()
        self.heads = {False: QLabel("grad tracking on"), True: QLabel("inside torch.no_grad()")}
        grid.addWidget(self.corner, 0, 0)
        for col, no_grad in ((1, False), (2, True)):
            grid.addWidget(self.heads[no_grad], 0, col)
        self.titles: list[QLabel] = []
        self.cells: list[dict[bool, QLabel]] = []
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * READOUT_SIZE)
        big.setBold(True)
        for row in range(1, 3):
            title = QLabel()
            self.titles.append(title)
            grid.addWidget(title, row, 0)
            cells = {}
            for col, no_grad in ((1, False), (2, True)):
                cells[no_grad] = QLabel()
                cells[no_grad].setFont(big)
                grid.addWidget(cells[no_grad], row, col)
            self.cells.append(cells)
        grid.setColumnStretch(3, 1)

    def show_reports(self, on: MemoryReport, off: MemoryReport) -> None:
        self.corner.setText(f"at width {on.width} (dashed line)")
        for (title, on_text, off_text), label, cells in zip(readout_rows(on, off), self.titles,
                                                           self.cells, strict=True):
            label.setText(title)
            cells[False].setText(on_text)
            cells[True].setText(off_text)

    def apply_theme(self, theme: Theme) -> None:
        for no_grad, colour in ((False, theme.positive), (True, theme.neutral)):
            for label in (self.heads[no_grad], *(cells[no_grad] for cells in self.cells)):
                label.setStyleSheet(f"color: {colour};")


class QtMemoryPlotSection(QtSection):
    """Saved bytes against the hidden width (log scale), with the current width marked; while
    presenting, the measured figures at that width over it (:class:`QtMemoryReadout`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("plot", parent)
        self.readout = QtMemoryReadout()
        self.readout.setVisible(False)
        self.box.addWidget(self.readout)
        self.memory_plot = make_plot("hidden width (log scale)", LEFT_LABEL,
                                     log_x=True, grid=0.25, min_height=170, si_prefix=False)
        self.memory_plot.setMouseEnabled(x=False, y=False)
        self.memory_plot.getAxis("bottom").setTicks(width_ticks())
        self.memory_legend = self.memory_plot.addLegend(offset=(8, 8))
        self.activation_curve = self.memory_plot.plot([], [], name="activations (grad on)",
                                                      symbol="o", symbolSize=6)
        self.parameter_curve = self.memory_plot.plot([], [], name="parameters (grad on)",
                                                     symbol="s", symbolSize=6)
        self.nograd_curve = self.memory_plot.plot([], [], name="inside no_grad()",
                                                  symbol="t", symbolSize=6)
        self.current_line = pg.InfiniteLine(angle=90, movable=False)
        self.memory_plot.addItem(self.current_line)
        self.box.addWidget(self.memory_plot)

    def show_sweep(self, sweep: list[MemoryReport]) -> None:
        widths = np.array(SWEEP_WIDTHS, dtype=float)
        self.activation_curve.setData(widths, np.array([r.activation_bytes for r in sweep]) / 1024)
        self.parameter_curve.setData(widths, np.array([r.parameter_bytes for r in sweep]) / 1024)
        self.nograd_curve.setData(widths, np.zeros(len(widths)))

    def show_width(self, width: int) -> None:
        self.current_line.setValue(np.log10(width))

    def set_presenting(self, on: bool, scale: float) -> None:
        """Show the readout while presenting; the axis' title shortens (the readout says what
        is saved), so large type still fits (the legend scales with every plot's, in
        :meth:`QtPanel.set_presenting`)."""
        self.readout.setVisible(on)
        self.memory_plot.setLabel("left", LEFT_LABEL_PRESENTING if on else LEFT_LABEL)

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.memory_plot, theme)
        self.readout.apply_theme(theme)
        for curve, colour, width in ((self.activation_curve, theme.positive, 2.5),
                                     (self.parameter_curve, theme.accent, 2),
                                     (self.nograd_curve, theme.neutral, 2.5)):
            curve.setPen(pg.mkPen(colour, width=width))
            curve.setSymbolBrush(colour)
        self.current_line.setPen(pg.mkPen(theme.text, width=1.5, style=Qt.PenStyle.DashLine))
        self._style_legend(theme)

    def _style_legend(self, theme: Theme) -> None:
        backdrop = pg.mkColor(theme.plot_bg)
        backdrop.setAlpha(215)
        self.memory_legend.setBrush(pg.mkBrush(backdrop))
        self.memory_legend.setLabelTextColor(theme.plot_fg)


class QtDetachChoiceSection(QtSection):
    """Which path of ``z = a + b`` to cut (radio buttons), under a sentence on what to try (a
    section of its own, ``detach-intro``, that presenting folds: the caption says it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("detach-settings", parent)
        self.intro = QtSection("detach-intro")
        self.intro.box.addWidget(wrapped_label(
            "z = a + b with a = x·y and b = x². Without detach, x gets 3 + 4 = 7 (both paths add "
            "up). Cut one path and see what reaches the leaves."))
        self.box.addWidget(self.intro)
        choices = QtChoiceButtons({choice: TITLES[choice] for choice in CHOICES})
        self.detach_group, self.detach_buttons = choices.group, choices.buttons
        self.box.addWidget(choices)


class QtDetachGraphSection(QtSection):
    """The graph ``z = a + b`` with the cut drawn and the gradient on every edge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("graph", parent)
        self.graph_view = QtDetachGraphView()
        self.box.addWidget(self.graph_view)


class QtLeafGradsSection(QtSection):
    """The leaves' ``.grad`` as big numbers with bars, and what the cut did to them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("leaf-grads", parent)
        self.leaf_bars = QtGradBars()
        self.detach_note = wrapped_label()
        self.box.addStretch(1)
        self.box.addWidget(self.leaf_bars)
        self.box.addWidget(self.detach_note)
        self.box.addStretch(1)


class QtDetachView(QWidget):
    """The graph and its leaves' gradients: one under the other, or side by side while
    presenting (where height is what runs out); ``show_result`` fills both."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph_section = QtDetachGraphSection()
        self.leaves_section = QtLeafGradsSection()
        self.graph_view = self.graph_section.graph_view
        self.leaf_bars = self.leaves_section.leaf_bars
        self.detach_note = self.leaves_section.detach_note
        self.row = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.graph_section, 1)
        self.row.addWidget(self.leaves_section, 0)

    def set_presenting(self, on: bool) -> None:
        self.row.setDirection(QBoxLayout.Direction.LeftToRight if on
                              else QBoxLayout.Direction.TopToBottom)
        # Side by side the graph keeps the larger share: its labels need the width.
        self.row.setStretchFactor(self.graph_section, 2 if on else 1)
        self.row.setStretchFactor(self.leaves_section, 1 if on else 0)

    def show_result(self, r: DetachResult) -> None:
        self.graph_view.set_result(r)
        self.leaf_bars.set_values([("x.grad", r.grads["x"]), ("y.grad", r.grads["y"])])
        self.detach_note.setText(r.note)

    def apply_theme(self, theme: Theme) -> None:
        self.graph_view.set_theme(theme)
        self.leaf_bars.set_theme(theme)
