"""The control sections of the surface panel: the surface chooser (surface, presets, custom
expression, grid), the stepping controls and the learning-rate row.

Plain fields are bound to the model with ``bind`` (bounds, steps, names and tooltips come from
the model's settings); the few controls that are not one field (a preset, an expression that must
compile, the ball the slider edits) hand their input to the panel's handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.loss_surface import PRESETS, LossSurface
from gradviz.core.numbers import fmt
from gradviz.core.optim_race import OPTIMIZERS, USES_BETAS, USES_MOMENTUM
from gradviz.core.surface_view import LogScale
from gradviz.ui.widgets.wrap_row import QtWrapRow

Bind = Callable[[QWidget, Any, str], Any]


def _row(owner: QWidget, name: str) -> QHBoxLayout:
    owner.setObjectName(f"section-{name}")
    row = QHBoxLayout(owner)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)  # as the controls' column around it
    return row


def _group(*widgets: QWidget) -> QWidget:
    """Widgets that stay together on one line of a wrapping row."""
    group = QWidget()
    row = QHBoxLayout(group)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    for w in widgets:
        row.addWidget(w)
    return group


def set_label_text(label: QLabel, text: str) -> None:
    """Labels change every step while playing; skip the relayout when nothing changed."""
    if label.text() != text:
        label.setText(text)


class SurfaceChooser(QWidget):
    """Surface menu, presets, the custom expression with its error line, and the grid size."""

    def __init__(self, state: LossSurface, bind: Bind, on_surface: Callable[[str], None],
                 on_preset: Callable[[str], None], on_expression: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("section-surface")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        row = QHBoxLayout()
        outer.addLayout(row)
        row.addWidget(QLabel("Surface:"))
        setting = state.setting("surface")
        self.surface_combo = QComboBox()
        self.surface_combo.setObjectName("surface-choice")
        self.surface_combo.setAccessibleName(setting.label)
        self.surface_combo.setToolTip(setting.doc)
        for key, title in zip(setting.choices, setting.choice_labels, strict=True):
            self.surface_combo.addItem(title, key)
        self.surface_combo.activated.connect(
            lambda i: on_surface(self.surface_combo.itemData(i)))
        row.addWidget(self.surface_combo)
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("surface-preset")
        self.preset_combo.setAccessibleName("presets")
        self.preset_combo.addItem("Presets…", None)
        for key, preset in PRESETS.items():
            self.preset_combo.addItem(preset.title, key)
        self.preset_combo.activated.connect(self._on_preset_chosen)
        self._on_preset = on_preset
        row.addWidget(self.preset_combo)
        self._build_expression(row, state, on_expression)
        row.addStretch(0)
        row.addWidget(QLabel("grid:"))
        self.grid_spin = QSpinBox()
        self.grid_spin.setObjectName("surface-grid")
        self.grid_spin.setKeyboardTracking(False)
        bind(self.grid_spin, state, "grid")
        row.addWidget(self.grid_spin)
        # The error gets its own line under the row, so a long message never squeezes the
        # field being edited.
        self.expression_error = QLabel()
        self.expression_error.setObjectName("surface-expression-error")
        self.expression_error.setWordWrap(True)
        self.expression_error.hide()
        outer.addWidget(self.expression_error)

    def _build_expression(self, row: QHBoxLayout, state: LossSurface,
                          on_expression: Callable[[str], None]) -> None:
        setting = state.setting("expression")
        self.expression_label = QLabel(f"{setting.label} =")
        row.addWidget(self.expression_label)
        self.expression = QLineEdit()
        self.expression.setObjectName("surface-expression")
        self.expression.setAccessibleName(setting.label)
        self.expression.setToolTip(setting.doc)
        self.expression.setMaxLength(setting.max_len)
        self.expression.setPlaceholderText("e.g. sin(x)*cos(y) + 0.1*(x**2 + y**2)")
        self.expression.returnPressed.connect(lambda: on_expression(self.expression.text()))
        row.addWidget(self.expression, 1)
        self.expression_apply = QPushButton("Apply")
        self.expression_apply.clicked.connect(lambda: on_expression(self.expression.text()))
        row.addWidget(self.expression_apply)

    def _on_preset_chosen(self, index: int) -> None:
        key = self.preset_combo.itemData(index)
        # ``activated`` fires only for the user's choice, so showing the prompt again is silent.
        self.preset_combo.setCurrentIndex(0)
        if key is not None:
            self._on_preset(key)

    def show_state(self, state: LossSurface) -> None:
        """Surface menu and expression as the model holds them (the field being edited and a
        refused expression with its error stay as the user left them)."""
        self.surface_combo.setCurrentIndex(self.surface_combo.findData(state.surface))
        custom = state.surface == "custom"
        for w in (self.expression_label, self.expression, self.expression_apply):
            w.setVisible(custom)
        if not custom:
            self.expression_error.hide()
        if not self.expression.hasFocus() and not self.expression_error.isVisible():
            self.expression.setText(state.expression)

    def show_error(self, text: str, detail: str, colour: str) -> None:
        self.expression_error.setText(text)
        self.expression_error.setStyleSheet(f"color: {colour};")
        self.expression_error.setToolTip(detail)
        self.expression_error.show()


class SteppingControls(QWidget):
    """Play / Step / Back / Reset, the speed, and the step count."""

    def __init__(self, state: LossSurface, bind: Bind) -> None:
        super().__init__()
        self.setObjectName("section-stepping")
        # Three groups that wrap onto a second line where the dock is narrow (presentation
        # scale, or beside the graph): the buttons, the speed, the step count.
        wrap = QtWrapRow(self, spacing=12)
        self.play_button = QPushButton("▶ Play")
        self.play_button.setObjectName("surface-play")
        self.play_button.setCheckable(True)
        self.step_button = QPushButton("Step ▸")
        self.step_button.setToolTip("One optimizer step for every ball (PageDown on a clicker)")
        self.back_button = QPushButton("◂ Back")
        self.back_button.setToolTip("Undo one step (PageUp on a clicker)")
        self.reset_button = QPushButton("⟲ Reset")
        self.reset_button.setToolTip("Every ball back to its start")
        wrap.add(_group(self.play_button, self.step_button, self.back_button,
                        self.reset_button))
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setMinimumWidth(100)
        self.speed_slider.setMaximumWidth(160)
        bind(self.speed_slider, state, "speed")
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(70)
        wrap.add(_group(QLabel("speed:"), self.speed_slider, self.speed_label))
        self.step_label = QLabel()
        self.step_label.setObjectName("surface-step")
        self.step_label.setMinimumWidth(
            self.step_label.fontMetrics().horizontalAdvance("step 00000"))
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        wrap.add(self.step_label)

    def show_speed(self, speed: float) -> None:
        self.speed_label.setText(f"{speed:g} steps/s")

    def show_steps(self, steps: int) -> None:
        set_label_text(self.step_label, f"step {steps}")

    def show_playing(self, playing: bool) -> None:
        self.play_button.setText("⏸ Pause" if playing else "▶ Play")


class LearningRateRow(QWidget):
    """The chosen ball's learning rate (log slider and field) and the shared hyper-parameters.

    The slider and field edit whichever ball ``lr_ball`` names, so they are not bound to one
    field: ``on_lr(number, lr)`` and ``on_lr_text(number, text)`` receive the user's input.
    """

    def __init__(self, state: LossSurface, bind: Bind, on_ball: Callable[[int], None],
                 on_lr: Callable[[int, float], None], on_lr_text: Callable[[int, str], None]
                 ) -> None:
        super().__init__()
        row = _row(self, "learning-rate")
        lr = state.setting("lr1")
        self.scale = LogScale(lr.lo, lr.hi)
        self.selected = 1
        self.lr_caption = QLabel("learning rate")
        row.addWidget(self.lr_caption)
        self.lr_ball = QComboBox()
        self.lr_ball.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.lr_ball.setAccessibleName("ball whose learning rate the slider sets")
        self.lr_ball.setToolTip("Which ball's learning rate the slider sets")
        self.lr_ball.activated.connect(lambda i: on_ball(int(self.lr_ball.itemData(i))))
        row.addWidget(self.lr_ball)
        self.lr_slider = QSlider(Qt.Orientation.Horizontal)
        self.lr_slider.setObjectName("surface-lr-slider")
        self.lr_slider.setRange(0, self.scale.steps)
        self.lr_slider.setAccessibleName("learning rate")
        self.lr_slider.setToolTip(f"Log scale: {fmt(lr.lo)} … {fmt(lr.hi)}")
        self.lr_slider.valueChanged.connect(
            lambda v: on_lr(self.selected, self.scale.value(v)))
        row.addWidget(self.lr_slider, 2)
        self.lr_field = QLineEdit()
        self.lr_field.setObjectName("surface-lr-field")
        self.lr_field.setAccessibleName("learning rate")
        self.lr_field.setToolTip(lr.doc)
        self.lr_field.setMaximumWidth(90)
        self.lr_field.setValidator(QDoubleValidator(0.0, lr.hi, 8))
        self.lr_field.editingFinished.connect(
            lambda: on_lr_text(self.selected, self.lr_field.text()))
        row.addWidget(self.lr_field)
        row.addSpacing(10)
        self.spins: dict[str, QDoubleSpinBox] = {}
        for name, text in (("momentum", "momentum"), ("beta1", "β₁"), ("beta2", "β₂")):
            spin = QDoubleSpinBox()
            spin.setObjectName(f"surface-{name}")
            spin.setKeyboardTracking(False)
            bind(spin, state, name)
            row.addWidget(QLabel(text))
            row.addWidget(spin)
            self.spins[name] = spin

    def show_state(self, state: LossSurface) -> None:
        """The ball menu, the chosen ball's learning rate, and which hyper-parameters apply."""
        numbers = state.ball_numbers()
        if self.selected not in numbers:
            self.selected = numbers[0]
        self.lr_ball.clear()
        for n in numbers:
            self.lr_ball.addItem(f"of ball {n} ({OPTIMIZERS[getattr(state, f'ball{n}')]})", n)
        self.lr_ball.setCurrentIndex(numbers.index(self.selected))
        lr = getattr(state, f"lr{self.selected}")
        # The slider's position rounds the rate; showing it must not write the rounded value.
        with QSignalBlocker(self.lr_slider):
            self.lr_slider.setValue(self.scale.position(lr))
        if not self.lr_field.hasFocus():
            self.lr_field.setText(fmt(lr))
        kinds = {getattr(state, f"ball{n}") for n in numbers}
        self.spins["momentum"].setEnabled(bool(kinds & USES_MOMENTUM))
        self.spins["beta1"].setEnabled(bool(kinds & USES_BETAS))
        self.spins["beta2"].setEnabled(bool(kinds & USES_BETAS))
