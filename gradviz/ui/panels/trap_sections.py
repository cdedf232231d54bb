"""The sections of the zero_grad trap's first tab: how a press works, the press itself, what it
left in ``.grad``, the code it ran, and zeroing by hand. They only show; the panel binds them to
the model and routes clicks."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from gradviz.core.numbers import full_text
from gradviz.core.trap import (
    MODE_TITLES,
    MODES,
    ZERO_FORM_TITLES,
    ZERO_FORMS,
    HistoryView,
    TorchError,
    TrapSession,
)
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.grad_bars import QtGradBars
from gradviz.ui.widgets.panel_section import QtChoiceButtons, QtSection
from gradviz.ui.widgets.plot_setup import make_plot
from gradviz.ui.widgets.torch_error_box import QtTorchErrorBox

#: The ``loss.backward()`` button's type relative to the text around it (on the desktop).
PRESS_TYPE = 1.8


def monospace(scale: float = 1.0, bold: bool = False, base: QFont | None = None) -> QFont:
    """A monospace font ``scale`` times the size of ``base`` (at least 9 pt)."""
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    if base is not None:
        font.setPointSizeF(max(base.pointSizeF(), 9) * scale)
    font.setBold(bold)
    return font


class QtTrapSettingsSection(QtSection):
    """The press mode (radio buttons), the zeroing form and ``retain_graph``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("trap-settings", parent)
        modes = QtChoiceButtons({mode: MODE_TITLES[mode] for mode in MODES})
        self.mode_group, self.mode_buttons = modes.group, modes.buttons
        self.box.addWidget(modes)
        options = QHBoxLayout()
        self.zero_form_label = QLabel("zero with:")
        self.zero_form_combo = QComboBox()
        self.retain_check = QCheckBox("retain_graph=True")
        options.addWidget(self.zero_form_label)
        options.addWidget(self.zero_form_combo)
        options.addSpacing(16)
        options.addWidget(self.retain_check)
        options.addStretch(1)
        self.box.addLayout(options)

    def show_mode(self, mode: str) -> None:
        """Check the mode's button; only the options that mode uses are enabled."""
        self.mode_buttons[mode].setChecked(True)
        self.zero_form_combo.setEnabled(mode == "with")
        self.zero_form_label.setEnabled(mode == "with")
        self.retain_check.setEnabled(mode == "reuse")


class QtPressSection(QtSection):
    """The big ``loss.backward()`` button, Start over, and what the presses did so far."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("stepping", parent)
        row = QHBoxLayout()
        self.backward_button = QPushButton("loss.backward()")
        self.backward_button.setFont(monospace(PRESS_TYPE, bold=True, base=self.font()))
        self.backward_button.setMinimumHeight(54)
        # Fixed height means the size hint's, which grows with the font when presenting.
        self.backward_button.setSizePolicy(QSizePolicy.Policy.Expanding,
                                           QSizePolicy.Policy.Fixed)
        self.backward_button.setToolTip("Run the forward pass (unless reusing the graph) and "
                                        "call the real loss.backward(). Clicker: PageDown.")
        self.restart_button = QPushButton("Start over")
        self.restart_button.setToolTip("Fresh tensors: .grad back to None, history cleared.")
        row.addWidget(self.backward_button, 3)
        row.addWidget(self.restart_button, 1)
        self.box.addLayout(row)
        self.press_label = QLabel()
        self.press_label.setObjectName("trap-press-status")
        self.press_label.setWordWrap(True)
        self.box.addWidget(self.press_label)


class QtTrapPlotSection(QtSection):
    """The ``.grad`` bars beside the press history, and PyTorch's error when a press failed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("plot", parent)
        middle = QHBoxLayout()
        self.bars = QtGradBars()
        middle.addWidget(self.bars, 1, Qt.AlignmentFlag.AlignTop)
        self.history_plot = make_plot("press", ".grad", grid=0.25, min_height=170,
                                      si_prefix=False)
        self.history_plot.setMouseEnabled(x=False, y=False)
        legend = self.history_plot.addLegend(offset=(8, 8))
        legend.setLabelTextSize("9pt")
        self.true_line = self.history_plot.plot([], [], name="one press (true gradient)")
        self.w_curve = self.history_plot.plot([], [], name="w.grad", symbol="o", symbolSize=10)
        self.b_curve = self.history_plot.plot([], [], name="b.grad", symbol="t", symbolSize=7)
        self.w_curve.setZValue(2)  # w.grad is the story; b.grad often equals it (x = 1)
        self.b_curve.setZValue(3)
        self.error_marks = pg.ScatterPlotItem(symbol="x", size=14)
        self.history_plot.addItem(self.error_marks)
        middle.addWidget(self.history_plot, 1)
        self.box.addLayout(middle, 1)
        self.error_box = QtTorchErrorBox()
        self.box.addWidget(self.error_box)

    def show_session(self, session: TrapSession, grads: tuple[float | None, float | None],
                     view: HistoryView, error: TorchError | None) -> None:
        self.bars.set_values([("w.grad", grads[0]), ("b.grad", grads[1])],
                             reference=session.true_w_grad,
                             reference_label="one press's gradient")
        xs = np.asarray(view.presses, dtype=float)
        self.w_curve.setData(xs, np.asarray(view.w_grads, dtype=float), connect="finite")
        self.b_curve.setData(xs, np.asarray(view.b_grads, dtype=float), connect="finite")
        self.true_line.setData(*view.true_line)
        self.error_marks.setData(*view.errors)
        self.history_plot.setXRange(*view.x_range, padding=0)
        self.history_plot.getAxis("bottom").setTickSpacing(view.tick, view.tick)
        self.history_plot.setYRange(*view.y_range, padding=0)
        self.error_box.show_error(error)

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.history_plot, theme)
        self.w_curve.setPen(pg.mkPen(theme.positive, width=2.5))
        self.w_curve.setSymbolBrush(theme.positive)
        self.w_curve.setSymbolPen(theme.positive)
        self.b_curve.setPen(pg.mkPen(theme.accent, width=1.2, style=Qt.PenStyle.DotLine))
        self.b_curve.setSymbolBrush(theme.accent)
        self.b_curve.setSymbolPen(theme.accent)
        self.true_line.setPen(pg.mkPen(theme.text, width=2, style=Qt.PenStyle.DashLine))
        self.error_marks.setPen(pg.mkPen(theme.error, width=3))
        self.error_marks.setBrush(pg.mkBrush(theme.error))
        self.bars.set_theme(theme)
        self.error_box.set_theme(theme)


class QtZeroSection(QtSection):
    """Zero ``.grad`` now, in either form, and what that left behind."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("zero", parent)
        row = QHBoxLayout()
        row.addWidget(QLabel("Zero now:"))
        self.zero_buttons: dict[str, QPushButton] = {}
        for form in ZERO_FORMS:
            btn = QPushButton(ZERO_FORM_TITLES[form])
            btn.setFont(monospace())
            self.zero_buttons[form] = btn
            row.addWidget(btn)
        self.zero_result = QLabel()
        self.zero_result.setWordWrap(True)
        row.addWidget(self.zero_result, 1)
        self.box.addLayout(row)

    def show_result(self, text: str, value: float | None = None) -> None:
        self.zero_result.setText(text)
        self.zero_result.setToolTip(full_text(value) if text else "")
