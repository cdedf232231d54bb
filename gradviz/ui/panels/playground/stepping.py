"""The Playground's stepping controls (Play/Pause, Step, Rewind, backprop mode) and the
backprop section that shows one walked iteration with the numbers plugged in."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPlainTextEdit, QPushButton, QWidget

from gradviz.ui.widgets.panel_section import QtSection, wrapped_label


class QtSteppingSection(QtSection):
    """Play/Pause, Step, Rewind (to the same initial weights) and the backprop-mode switch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("stepping", parent)
        row = QHBoxLayout()
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setAccessibleName("play or pause training")
        self.play_button.setToolTip("Train continuously; the views redraw as it learns.")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("One update (in backprop mode: one phase of it). "
                                    "Clicker: PageDown.")
        self.rewind_button = QPushButton("Rewind")
        self.rewind_button.setToolTip("Back to step 0 with the same initial weights; the run's "
                                      "loss curves stay as a ghost to compare with.")
        self.backprop_check = QCheckBox("Backprop mode")
        self.backprop_check.setToolTip("Step walks one iteration phase by phase: forward, loss, "
                                       "backward, optimizer step.")
        for w in (self.play_button, self.step_button, self.rewind_button, self.backprop_check):
            row.addWidget(w)
        row.addStretch(1)
        self.box.addLayout(row)

    def show_playing(self, playing: bool) -> None:
        self.play_button.setChecked(playing)
        self.play_button.setText("Pause" if playing else "Play")


class QtBackpropSection(QtSection):
    """Which phase ran, and the formula of the clicked weight with its numbers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("backprop", parent)
        self.phase_label = wrapped_label("Backprop mode is off: Step makes whole updates.")
        self.box.addWidget(self.phase_label)
        self.formula = QPlainTextEdit()
        self.formula.setReadOnly(True)
        self.formula.setAccessibleName("the clicked weight's gradient and update")
        self.formula.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.formula.setPlaceholderText("Click a weight in the network for ∂L/∂w and its update.")
        self.formula.setMaximumHeight(150)
        self.box.addWidget(self.formula)

    def show_text(self, phase: str, formula: str | None = None) -> None:
        self.phase_label.setText(phase)
        if formula is not None:
            self.formula.setPlainText(formula)
