"""The sections of the zero_grad trap's other tabs: what ``.grad`` predicts for a nudge of w, one
gradient-descent update, and ``backward()`` on a loss that is not a scalar."""

from __future__ import annotations

import pyqtgraph as pg
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from gradviz.core.numbers import fmt, full_text
from gradviz.core.trap_code import CodeListing
from gradviz.core.trap_reading import (
    NonScalarDemo,
    Nudge,
    Update,
    non_scalar_summary,
    nudge_verdict,
    update_summary,
)
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.code_view import QtCodeView
from gradviz.ui.widgets.panel_section import QtSection, wrapped_label
from gradviz.ui.widgets.plot_setup import make_plot
from gradviz.ui.widgets.tick_sliders import QtStepSlider
from gradviz.ui.widgets.torch_error_box import QtTorchErrorBox

#: The nudge plot's δ axis: the whole range of the δ setting, 161 samples.
NUDGE_SAMPLES = 161
READ_ROWS = (("loss", "loss at w"), ("loss_nudged", "loss at w + δ"),
             ("predicted", "predicted change  w.grad · δ"),
             ("actual", "actual change  L(w+δ) − L(w)"), ("gap", "gap (what first order misses)"))


class QtNudgeSection(QtSection):
    """Nudge w by δ: predicted against actual change, in numbers and as two curves."""

    def __init__(self, step: float, parent: QWidget | None = None) -> None:
        super().__init__("nudge", parent)
        self.box.addWidget(wrapped_label(
            "w.grad = 0.4 says: near the current w, the loss changes about 0.4 times as fast as "
            "w. Nudge w by δ and compare that prediction with what the loss really does."))
        self.delta_control = QtStepSlider("δ", step=step)
        self.box.addWidget(self.delta_control)
        grid = QGridLayout()
        self.read_labels: dict[str, QLabel] = {}
        big = QFont(self.font())
        big.setPointSizeF(max(self.font().pointSizeF(), 9) * 1.4)
        for i, (key, text) in enumerate(READ_ROWS):
            grid.addWidget(QLabel(text), i, 0)
            value = QLabel()
            value.setFont(big)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, i, 1)
            self.read_labels[key] = value
        self.box.addLayout(grid)
        self.read_verdict = wrapped_label("")
        self.box.addWidget(self.read_verdict)
        self.nudge_plot = make_plot("δ", "change in loss", grid=0.25, min_height=150,
                                    si_prefix=False)
        self.nudge_plot.setMouseEnabled(x=False, y=False)
        self.nudge_plot.addLegend(offset=(8, 8))
        self.actual_curve = self.nudge_plot.plot([], [], name="actual")
        self.predicted_curve = self.nudge_plot.plot([], [], name="predicted (tangent)")
        self.nudge_marker = pg.ScatterPlotItem(size=11)
        self.nudge_plot.addItem(self.nudge_marker)
        self.box.addWidget(self.nudge_plot, 1)

    def show_nudge(self, n: Nudge, deltas: torch.Tensor, curves: tuple[torch.Tensor, torch.Tensor],
                   theme: Theme) -> None:
        for key, _text in READ_ROWS:
            value = getattr(n, key)
            self.read_labels[key].setText(fmt(value))
            self.read_labels[key].setToolTip(full_text(value))
        self.read_verdict.setText(nudge_verdict(n))
        actual, predicted = curves
        self.actual_curve.setData(deltas.numpy(), actual.numpy())
        self.predicted_curve.setData(deltas.numpy(), predicted.numpy())
        self.nudge_marker.setData([n.delta, n.delta], [n.predicted, n.actual],
                                  brush=[pg.mkBrush(theme.negative), pg.mkBrush(theme.positive)])

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.nudge_plot, theme)
        self.actual_curve.setPen(pg.mkPen(theme.positive, width=2.5))
        self.predicted_curve.setPen(pg.mkPen(theme.negative, width=2, style=Qt.PenStyle.DashLine))


class QtUpdateSection(QtSection):
    """One update ``w -= lr * w.grad``: its learning rate, its result, applying it for real."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("update", parent)
        row = QHBoxLayout()
        row.addWidget(QLabel("learning rate"))
        self.lr_spin = QDoubleSpinBox()
        row.addWidget(self.lr_spin)
        self.apply_update_button = QPushButton("Apply the update to w and b")
        self.apply_update_button.setToolTip("Changes the shared mini network (undo with Ctrl+Z).")
        row.addWidget(self.apply_update_button)
        row.addStretch(1)
        self.box.addLayout(row)
        self.update_label = wrapped_label("")
        self.box.addWidget(self.update_label)
        self.update_code = QtCodeView(max_lines=6)
        self.update_code.setAccessibleName("code of the update")
        self.box.addWidget(self.update_code)

    def show_update(self, upd: Update, listing: CodeListing) -> None:
        self.update_label.setText(update_summary(upd))
        self.update_code.set_code(listing.lines, listing.highlight)


class QtNonScalarSection(QtSection):
    """``losses.backward()`` on a vector: PyTorch's real error and the two fixes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("non-scalar", parent)
        self.box.addWidget(wrapped_label(
            "backward() needs one number to start from. With a loss per example (a vector), "
            "PyTorch refuses; reduce it to one number first."))
        self.scalar_code = QtCodeView(max_lines=8)
        self.scalar_code.setAccessibleName("code of the non-scalar loss")
        self.scalar_code.set_code((
            "xs, ys = data[:3]                       # three examples",
            "losses = (w * xs + b - ys) ** 2         # one loss per example: shape (3,)",
            "losses.backward()                       # RuntimeError",
            "",
            "losses.mean().backward()                # the fix: one number",
        ), (2, 4))
        self.box.addWidget(self.scalar_code)
        self.scalar_button = QPushButton("Run losses.backward() for real")
        self.box.addWidget(self.scalar_button)
        self.scalar_error = QtTorchErrorBox()
        self.box.addWidget(self.scalar_error)
        self.scalar_result = wrapped_label("")
        self.scalar_result.setTextFormat(Qt.TextFormat.RichText)
        self.box.addWidget(self.scalar_result)
        self.box.addStretch(1)

    def show_demo(self, demo: NonScalarDemo) -> None:
        self.scalar_error.show_error(demo.error)
        self.scalar_result.setText(non_scalar_summary(demo))
