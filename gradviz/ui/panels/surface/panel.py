"""``QtSurfacePanel``: the loss surface in 3D (or, without OpenGL, as a contour map), balls
racing down it with real ``torch.optim`` optimizers, a loss-vs-step plot, a readout of f and
∇f at the ball, and the loop's code."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QDoubleValidator, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.commands import SetFieldCommand, SetFieldsCommand
from gradviz.core.expr import ExpressionError
from gradviz.core.loss_surface import (
    BALL_CHOICES,
    EXTRA_BALL_CHOICES,
    PRESETS,
    LossSurface,
)
from gradviz.core.numbers import fmt, full_text
from gradviz.core.optim_race import LR_MAX, LR_MIN, MAX_BALLS, OPTIMIZERS, USES_BETAS, USES_MOMENTUM
from gradviz.core.surfaces import (
    BALL_RADIUS,
    SURFACE_KEYS,
    SURFACE_TITLES,
    ball_pose,
    custom_surface,
    flat_arrow,
)
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.surface.contour import QtContourView, QtLossPlot
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme

#: Ball 1 is the chapter's red ball; the others stay distinguishable on the blue-green surface.
BALL_COLOURS = ("#E8231E", "#B05CE0", "#F08C00", "#F4F4F4")
#: Curves on the (white or dark) loss plot: the same colours, but the white ball's curve grey.
CURVE_COLOURS = ("#E8231E", "#B05CE0", "#F08C00", "#8A8A8A")
#: Environment switch that forces the 2D fallback (remote sessions with broken GL drivers).
NO_OPENGL_ENV = "GRADVIZ_NO_OPENGL"
_GRID_FIELDS = {"surface", "expression", "grid"}
_SLIDER_STEPS = 1000


def _log_to_slider(lr: float) -> int:
    t = (math.log10(lr) - math.log10(LR_MIN)) / (math.log10(LR_MAX) - math.log10(LR_MIN))
    return int(round(min(max(t, 0.0), 1.0) * _SLIDER_STEPS))


def _slider_to_log(v: int) -> float:
    t = v / _SLIDER_STEPS
    lr = 10 ** (math.log10(LR_MIN) + t * (math.log10(LR_MAX) - math.log10(LR_MIN)))
    return float(f"{lr:.3g}")


def opengl_unavailable_reason() -> str | None:
    """Why the 3D view cannot be shown here, or None when OpenGL works."""
    if os.environ.get(NO_OPENGL_ENV, "").strip() not in ("", "0"):
        return f"OpenGL is switched off ({NO_OPENGL_ENV} is set)"
    from PySide6.QtGui import QGuiApplication

    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal"):
        return f"the {platform!r} display has no OpenGL"
    from gradviz.ui.gl_info import gl_renderer

    renderer = gl_renderer()
    if renderer.startswith("unavailable"):
        return renderer.removeprefix("unavailable: ")
    return None


def _set_text(label: QLabel, text: str) -> None:
    """Labels change every step while playing; skip the relayout when nothing changed."""
    if label.text() != text:
        label.setText(text)


def _guarded(method: Callable) -> Callable:
    """A slot that reports errors in the panel instead of letting them reach Qt's event loop."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # never let a slot raise
            self._show_problem(f"{type(exc).__name__}: {exc}")
            return None

    return wrapper


class QtSurfacePanel(QtPanel):
    """The loss-surface panel (see the module docstring)."""

    panel_name = "surface"
    title = "Loss surface"
    explainer = ("With two parameters the loss becomes a landscape. The red ball moves by "
                 "gradient descent; the yellow arrow is −∇f at the ball — the steepest way "
                 "down, computed by autograd.")
    try_this = ("press ▶ Play, then raise the learning rate until the ball overshoots. Pick "
                "“The chapter's f = x² + 2xy” and watch the ball escape: a saddle has no bottom.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        state = self.model.get("surface")
        if state is None:  # a model built without the sub-model: work on a private one
            state = LossSurface.sharing(self.model.get("mininet"))
        self.state: LossSurface = state
        self._selected = 1  # the ball the big learning-rate slider edits
        self._shown_grid = None
        self._shown_flags: tuple = ()
        self._dirty_controls = True
        self.scene = None
        self.gl_reason: str | None = None
        self._play = QTimer(self)
        self._play.timeout.connect(self._tick)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._refresh)
        self._build()
        for name in self.state.events.signals:
            self.listen(getattr(self.state.events, name), functools.partial(self._on_field, name))
        self.listen(self.state.stepped, self._on_stepped)
        net = self.state.mininet
        for name in ("seed", "n_samples", "true_w", "true_b", "noise"):
            self.listen(getattr(net.events, name), functools.partial(self._on_field, "mininet"))
        self.apply_theme(ctx.theme())
        self._refresh()

    # ================================================================== building
    def _build(self) -> None:
        lay = self.body_layout
        lay.setSpacing(4)
        lay.addLayout(self._build_surface_row())
        lay.addWidget(self.expression_error)
        self.caption = QLabel()
        self.caption.setObjectName("surface-caption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.caption)
        self.message = QLabel()
        self.message.setObjectName("surface-message")
        self.message.setWordWrap(True)
        self.message.hide()
        lay.addWidget(self.message)

        self.contour = QtContourView(self._on_contour_click)
        self.loss_plot = QtLossPlot()
        self.gl_note = QLabel(self)
        self.gl_note.setObjectName("surface-gl-note")
        self.gl_note.setWordWrap(True)
        self.gl_note.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.gl_reason = opengl_unavailable_reason()
        if self.gl_reason is None:
            try:
                from gradviz.ui.panels.surface.scene3d import QtSurfaceScene

                self.scene = QtSurfaceScene(self.ctx.theme().plot_bg)
            except Exception as exc:  # a broken driver must not take the panel down
                self.scene = None
                self.gl_reason = f"the 3D view could not start ({type(exc).__name__}: {exc})"
        left = QWidget()
        self._left_layout = left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        if self.scene is not None:
            left_lay.addWidget(self.scene.view, 1)
            right.addWidget(self.contour)
            right.addWidget(self.loss_plot)
            self.splitter.addWidget(left)
            self.splitter.addWidget(right)
            self.splitter.setSizes([620, 380])
        else:
            self._show_gl_note()
            left_lay.addWidget(self.gl_note)
            left_lay.addWidget(self.contour, 1)
            right.addWidget(self.loss_plot)
            self.splitter.addWidget(left)
            self.splitter.addWidget(right)
            self.splitter.setSizes([560, 440])
        self.splitter.setMinimumHeight(200)

        controls = QWidget()
        controls.setObjectName("surface-controls")
        clay = QVBoxLayout(controls)
        clay.setContentsMargins(0, 0, 0, 0)
        clay.setSpacing(4)
        self.readout = QLabel()
        self.readout.setObjectName("surface-readout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        font = self.readout.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.readout.setFont(font)
        clay.addWidget(self.readout)
        clay.addLayout(self._build_transport_row())
        clay.addLayout(self._build_lr_row())
        tabs = QTabWidget()
        tabs.setObjectName("surface-tabs")
        tabs.addTab(self._build_balls_tab(), "Balls")
        tabs.addTab(self._build_view_tab(), "View")
        tabs.addTab(self._build_code_tab(), "Code")
        tabs.setMaximumHeight(200)
        clay.addWidget(tabs, 1)
        # Views above, controls below, with a handle between: a small laptop dock can give the
        # pictures more room by squeezing the controls.
        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.setChildrenCollapsible(False)
        self.vsplit.addWidget(self.splitter)
        self.vsplit.addWidget(controls)
        self.vsplit.setStretchFactor(0, 1)
        self.vsplit.setStretchFactor(1, 0)
        lay.addWidget(self.vsplit, 1)

    def _build_surface_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Surface:"))
        self.surface_combo = QComboBox()
        self.surface_combo.setObjectName("surface-choice")
        for key in SURFACE_KEYS:
            self.surface_combo.addItem(SURFACE_TITLES[key], key)
        self.surface_combo.activated.connect(self._on_surface_chosen)
        row.addWidget(self.surface_combo)
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("surface-preset")
        self.preset_combo.addItem("Presets…", None)
        for key, preset in PRESETS.items():
            self.preset_combo.addItem(preset.title, key)
        self.preset_combo.activated.connect(self._on_preset_chosen)
        row.addWidget(self.preset_combo)
        self.expression_label = QLabel("f(x, y) =")
        row.addWidget(self.expression_label)
        self.expression = QLineEdit()
        self.expression.setObjectName("surface-expression")
        self.expression.setPlaceholderText("e.g. sin(x)*cos(y) + 0.1*(x**2 + y**2)")
        self.expression.returnPressed.connect(self._on_expression_entered)
        row.addWidget(self.expression, 1)
        self.expression_apply = QPushButton("Apply")
        self.expression_apply.clicked.connect(self._on_expression_entered)
        row.addWidget(self.expression_apply)
        # The error gets its own line under the row (built in _build), so a long message never
        # squeezes the field being edited.
        self.expression_error = QLabel()
        self.expression_error.setObjectName("surface-expression-error")
        self.expression_error.setWordWrap(True)
        self.expression_error.hide()
        row.addStretch(0)
        row.addWidget(QLabel("grid:"))
        self.grid_spin = QSpinBox()
        self.grid_spin.setObjectName("surface-grid")
        self.grid_spin.setRange(50, 400)
        self.grid_spin.setSingleStep(10)
        self.grid_spin.setKeyboardTracking(False)
        self.grid_spin.setToolTip("Samples per side of the surface grid (50–400)")
        self.grid_spin.valueChanged.connect(self._on_grid_changed)
        row.addWidget(self.grid_spin)
        return row

    def _build_transport_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.play_button.setObjectName("surface-play")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._on_play_toggled)
        self.step_button = QPushButton("Step ▸")
        self.step_button.setToolTip("One optimizer step for every ball (PageDown on a clicker)")
        self.step_button.clicked.connect(lambda: self.step(+1))
        self.back_button = QPushButton("◂ Back")
        self.back_button.setToolTip("Undo one step (PageUp on a clicker)")
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.reset_button = QPushButton("⟲ Reset")
        self.reset_button.setToolTip("Every ball back to its start")
        self.reset_button.clicked.connect(self._on_reset)
        for b in (self.play_button, self.step_button, self.back_button, self.reset_button):
            row.addWidget(b)
        row.addSpacing(12)
        row.addWidget(QLabel("speed:"))
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setRange(1, 60)
        self.speed_slider.setMaximumWidth(160)
        self.speed_slider.valueChanged.connect(self._on_speed_changed)
        row.addWidget(self.speed_slider)
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(70)
        row.addWidget(self.speed_label)
        row.addStretch(1)
        self.step_label = QLabel()
        self.step_label.setObjectName("surface-step")
        self.step_label.setMinimumWidth(self.step_label.fontMetrics().horizontalAdvance("step 00000"))
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.step_label)
        return row

    def _build_lr_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.lr_caption = QLabel("learning rate")
        row.addWidget(self.lr_caption)
        self.lr_ball = QComboBox()
        self.lr_ball.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.lr_ball.setToolTip("Which ball's learning rate the slider sets")
        self.lr_ball.activated.connect(self._on_lr_ball_chosen)
        row.addWidget(self.lr_ball)
        self.lr_slider = QSlider(Qt.Orientation.Horizontal)
        self.lr_slider.setObjectName("surface-lr-slider")
        self.lr_slider.setRange(0, _SLIDER_STEPS)
        self.lr_slider.setToolTip("Log scale: 0.0001 … 10")
        self.lr_slider.valueChanged.connect(self._on_lr_slider)
        row.addWidget(self.lr_slider, 2)
        self.lr_field = QLineEdit()
        self.lr_field.setObjectName("surface-lr-field")
        self.lr_field.setMaximumWidth(90)
        self.lr_field.setValidator(QDoubleValidator(0.0, LR_MAX, 8))
        self.lr_field.editingFinished.connect(self._on_lr_field)
        row.addWidget(self.lr_field)
        row.addSpacing(10)
        self.momentum_spin = self._spin("momentum", 0.0, 0.999, 0.05)
        self.beta1_spin = self._spin("beta1", 0.0, 0.9999, 0.01)
        self.beta2_spin = self._spin("beta2", 0.0, 0.99999, 0.001)
        for label, spin in (("momentum", self.momentum_spin), ("β₁", self.beta1_spin),
                            ("β₂", self.beta2_spin)):
            row.addWidget(QLabel(label))
            row.addWidget(spin)
        return row

    def _spin(self, name: str, lo: float, hi: float, step: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setObjectName(f"surface-{name}")
        spin.setRange(lo, hi)
        spin.setDecimals(5 if name == "beta2" else 4 if name == "beta1" else 3)
        spin.setSingleStep(step)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(functools.partial(self._on_hyper_changed, name))
        return spin

    def _build_balls_tab(self) -> QWidget:
        tab = QWidget()
        grid = QGridLayout(tab)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(2)
        for col, text in enumerate(("ball", "optimizer", "learning rate", "state")):
            head = QLabel(f"<b>{text}</b>")
            grid.addWidget(head, 0, col)
        self.ball_swatches: list[QLabel] = []
        self.ball_combos: list[QComboBox] = []
        self.ball_lr_fields: list[QLineEdit] = []
        self.ball_states: list[QLabel] = []
        for i in range(MAX_BALLS):
            swatch = QLabel(f"● {i + 1}")
            swatch.setStyleSheet(f"color: {BALL_COLOURS[i]}; font-weight: bold;"
                                 + (" background: #555;" if i == 3 else ""))
            combo = QComboBox()
            combo.setObjectName(f"surface-ball{i + 1}")
            for kind in (BALL_CHOICES if i == 0 else EXTRA_BALL_CHOICES):
                combo.addItem("off" if kind == "off" else OPTIMIZERS[kind], kind)
            combo.activated.connect(functools.partial(self._on_ball_kind, i + 1))
            lr = QLineEdit()
            lr.setObjectName(f"surface-lr{i + 1}")
            lr.setMaximumWidth(90)
            lr.setValidator(QDoubleValidator(0.0, LR_MAX, 8))
            lr.editingFinished.connect(functools.partial(self._on_ball_lr, i + 1))
            state = QLabel()
            state.setWordWrap(True)
            state.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            for col, w in enumerate((swatch, combo, lr, state)):
                grid.addWidget(w, i + 1, col)
            self.ball_swatches.append(swatch)
            self.ball_combos.append(combo)
            self.ball_lr_fields.append(lr)
            self.ball_states.append(state)
        grid.setColumnStretch(3, 1)
        return tab

    def _build_view_tab(self) -> QWidget:
        tab = QWidget()
        lay = QGridLayout(tab)
        self.arrow_check = QCheckBox("yellow −∇f arrow at each ball")
        self.arrow_check.toggled.connect(functools.partial(self._on_flag, "show_arrow"))
        self.floor_check = QCheckBox("contours on the floor (3D)")
        self.floor_check.toggled.connect(functools.partial(self._on_flag, "floor_contour"))
        self.field_check = QCheckBox("−∇f arrows everywhere (map)")
        self.field_check.setObjectName("surface-field")
        self.field_check.toggled.connect(functools.partial(self._on_flag, "arrow_field"))
        reset_view = QPushButton("Reset 3D view")
        reset_view.setEnabled(self.scene is not None)
        reset_view.clicked.connect(self._on_reset_view)
        lay.addWidget(self.arrow_check, 0, 0)
        lay.addWidget(self.field_check, 0, 1)
        lay.addWidget(self.floor_check, 1, 0)
        lay.addWidget(reset_view, 1, 1)
        hint = QLabel("3D view: drag to orbit, wheel to zoom. Map: click to put the ball there.")
        hint.setWordWrap(True)
        lay.addWidget(hint, 2, 0, 1, 2)
        lay.setColumnStretch(2, 1)
        lay.setRowStretch(3, 1)
        return tab

    def _build_code_tab(self) -> QWidget:
        tab = QWidget()
        lay = QHBoxLayout(tab)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.code_manual = QPlainTextEdit()
        self.code_optim = QPlainTextEdit()
        for title, edit in (("by hand", self.code_manual), ("with torch.optim", self.code_optim)):
            box = QVBoxLayout()
            box.addWidget(QLabel(f"<b>Ball 1's loop, {title}</b>"))
            edit.setReadOnly(True)
            edit.setFont(mono)
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            box.addWidget(edit)
            lay.addLayout(box)
        return tab

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.scene is not None:
            # The GL context is made when the view is first shown; check once that it worked.
            QTimer.singleShot(0, self._check_gl_context)

    def _check_gl_context(self) -> None:
        scene = self.scene
        if scene is None or not scene.view.isVisible() or scene.view.isValid():
            return
        self.fall_back_to_2d("no OpenGL context could be created for the 3D view")

    def fall_back_to_2d(self, reason: str) -> None:
        """Replace the 3D view by the contour map and a note (the driver failed at run time)."""
        if self.scene is None:
            return
        self.scene.view.hide()
        self.scene = None
        self.gl_reason = reason
        self._left_layout.insertWidget(0, self.gl_note)
        self._left_layout.insertWidget(1, self.contour, 1)
        self._show_gl_note()
        self.floor_check.setEnabled(False)
        self._shown_grid = None
        self._refresh_timer.start(0)

    def _show_gl_note(self) -> None:
        self.gl_note.setText(
            f"<b>3D view unavailable:</b> {self.gl_reason}. The contour map shows the same "
            "surface from above, with the same balls, paths and arrows; everything else works.")
        self.gl_note.setTextFormat(Qt.TextFormat.RichText)
        self.gl_note.show()

    # ================================================================== model → view
    def _on_field(self, name: str, *_args: Any) -> None:
        self._dirty_controls = True
        self._refresh_timer.start(0)

    def _on_stepped(self, _steps: int) -> None:
        self._refresh_timer.start(0)

    def refresh_now(self) -> None:
        """Bring every view up to date at once (tests and benchmarks; normally coalesced)."""
        self._refresh_timer.stop()
        self._refresh()

    @_guarded
    def _refresh(self) -> None:
        if self._dirty_controls:
            self._sync_controls()
            self._dirty_controls = False
        grid = self.state.grid_data()
        flags = (self.state.floor_contour, self.state.arrow_field)
        if grid is not self._shown_grid:
            if self.scene is not None:
                self.scene.set_grid(grid, self.state.floor_contour)
            self.contour.set_grid(grid, self.state.arrow_field)
            self._shown_grid = grid
        elif flags != self._shown_flags:
            if self.scene is not None:
                self.scene.set_floor(grid, self.state.floor_contour)
            self.contour.set_field(grid, self.state.arrow_field)
        self._shown_flags = flags
        self._show_race()

    def _sync_controls(self) -> None:
        s = self.state
        surface = s.current_surface()
        blockers = [QSignalBlocker(w) for w in (
            self.surface_combo, self.grid_spin, self.lr_slider, self.lr_field, self.lr_ball,
            self.momentum_spin, self.beta1_spin, self.beta2_spin, self.speed_slider,
            self.arrow_check, self.floor_check, self.field_check, *self.ball_combos,
            *self.ball_lr_fields)]
        self.surface_combo.setCurrentIndex(self.surface_combo.findData(s.surface))
        self.grid_spin.setValue(s.grid)
        custom = s.surface == "custom"
        for w in (self.expression_label, self.expression, self.expression_apply):
            w.setVisible(custom)
        if not custom:
            self.expression_error.hide()
        if not self.expression.hasFocus() and not self.expression_error.isVisible():
            self.expression.setText(s.expression)
        numbers = s.ball_numbers()
        if self._selected not in numbers:
            self._selected = numbers[0]
        self.lr_ball.clear()
        for n in numbers:
            self.lr_ball.addItem(f"of ball {n} ({OPTIMIZERS[getattr(s, f'ball{n}')]})", n)
        self.lr_ball.setCurrentIndex(numbers.index(self._selected))
        lr = getattr(s, f"lr{self._selected}")
        self.lr_slider.setValue(_log_to_slider(lr))
        if not self.lr_field.hasFocus():
            self.lr_field.setText(fmt(lr))
        self.momentum_spin.setValue(s.momentum)
        self.beta1_spin.setValue(s.beta1)
        self.beta2_spin.setValue(s.beta2)
        kinds = {getattr(s, f"ball{n}") for n in numbers}
        self.momentum_spin.setEnabled(bool(kinds & USES_MOMENTUM))
        self.beta1_spin.setEnabled(bool(kinds & USES_BETAS))
        self.beta2_spin.setEnabled(bool(kinds & USES_BETAS))
        self.speed_slider.setValue(int(round(s.speed)))
        self.speed_label.setText(f"{s.speed:g} steps/s")
        self._play.setInterval(int(1000 / max(s.speed, 1.0)))
        self.arrow_check.setChecked(s.show_arrow)
        self.floor_check.setChecked(s.floor_contour)
        self.floor_check.setEnabled(self.scene is not None)
        self.field_check.setChecked(s.arrow_field)
        for i in range(MAX_BALLS):
            kind = getattr(s, f"ball{i + 1}")
            self.ball_combos[i].setCurrentIndex(self.ball_combos[i].findData(kind))
            self.ball_lr_fields[i].setEnabled(kind != "off")
            if not self.ball_lr_fields[i].hasFocus():
                self.ball_lr_fields[i].setText(fmt(getattr(s, f"lr{i + 1}")))
        del blockers
        parts = [f"<b>{surface.formula}</b>"]
        if surface.gradient:
            parts.append(surface.gradient)
        if surface.caption:
            parts.append(surface.caption)
        self.caption.setText(" — ".join(parts))
        manual, optim = s.code_text()
        self.code_manual.setPlainText(manual)
        self.code_optim.setPlainText(optim)

    def _show_race(self) -> None:
        s = self.state
        race = s.race
        grid = s.grid_data()
        surface = grid.surface
        numbers = s.ball_numbers()
        colours = [BALL_COLOURS[n - 1] for n in numbers]
        domain = surface.domain
        fname = "L" if surface.key == "mininet" else "f"
        self.loss_plot.symbol = fname
        poses, trails3d, positions, trails2d, arrows2d, names, losses = [], [], [], [], [], [], []
        for ball in race.balls:
            path = ball.path_array()
            x, y = ball.position
            inside = math.isfinite(x) and math.isfinite(y) and domain.contains(x, y)
            if inside:
                dfx, dfy = ball.grad
                poses.append(ball_pose(grid, x, y, ball.loss, dfx, dfy))
                positions.append((x, y))
                arrows2d.append(flat_arrow(grid, x, y, dfx, dfy) if s.show_arrow else None)
            else:
                poses.append(None)
                positions.append(None)
                arrows2d.append(None)
            trails3d.append(self._trail3d(grid, path, ball.loss_array()))
            trails2d.append(path)
            name = ball.label + (f" — {ball.message}" if ball.message else "")
            names.append(name)
            losses.append(ball.loss_array())
        if self.scene is not None:
            self.scene.set_balls(poses, trails3d, colours, s.show_arrow)
        self.contour.set_balls(positions, trails2d, arrows2d, colours, (s.start_x, s.start_y))
        self.loss_plot.set_curves(losses, names, [CURVE_COLOURS[n - 1] for n in numbers])
        self._show_readout(race, surface)
        for i in range(MAX_BALLS):
            text = ""
            if (i + 1) in numbers:
                ball = race.balls[numbers.index(i + 1)]
                x, y = ball.position
                if ball.message:
                    text = (f"<span style='color:{self.ctx.theme().error}'>"
                            f"{ball.message}</span>")
                elif not domain.contains(x, y):
                    text = f"step {ball.steps}, {fname} = {fmt(ball.loss)}, outside the plot"
                elif ball.settled(domain):
                    text = f"settled at step {ball.steps}: ∇{fname} ≈ 0, {fname} = {fmt(ball.loss)}"
                else:
                    text = f"step {ball.steps}, {fname} = {fmt(ball.loss)}"
            _set_text(self.ball_states[i], text)
        _set_text(self.step_label, f"step {race.steps}")
        if self._play.isActive() and not race.running:
            self.play_button.setChecked(False)

    @staticmethod
    def _trail3d(grid, path: np.ndarray, losses: np.ndarray) -> np.ndarray:
        """The path in scene coordinates, cut where it first leaves the plotted square."""
        nx, ny = grid.surface.domain.normalised(path[:, 0], path[:, 1])
        with np.errstate(invalid="ignore"):
            outside = ~((np.abs(nx) <= 1.0) & (np.abs(ny) <= 1.0))
        if outside.any():
            cut = int(np.argmax(outside))
            nx, ny, losses = nx[:cut], ny[:cut], losses[:cut]
        z = grid.height_of(losses) + 0.35 * BALL_RADIUS
        return np.stack([nx, ny, z], axis=-1).astype(np.float32)

    def _show_readout(self, race, surface) -> None:
        numbers = self.state.ball_numbers()
        ball = race.balls[numbers.index(self._selected)]
        a, b = surface.names
        x, y = ball.position
        dfx, dfy = ball.grad
        norm = math.hypot(dfx, dfy)
        colour = BALL_COLOURS[self._selected - 1]
        fname = "L" if surface.key == "mininet" else "f"
        _set_text(self.readout,
            f"<span style='color:{colour}'>●</span> ball {self._selected} at "
            f"({a}, {b}) = ({fmt(x)}, {fmt(y)}): &nbsp; <b>{fname} = {fmt(ball.loss)}</b> &nbsp; "
            f"∂{fname}/∂{a} = {fmt(dfx)} &nbsp; ∂{fname}/∂{b} = {fmt(dfy)} &nbsp; "
            f"|∇{fname}| = {fmt(norm)}")
        self.readout.setToolTip(
            f"{fname} = {full_text(ball.loss)}\n\n∂{fname}/∂{a}: {full_text(dfx)}\n\n"
            f"∂{fname}/∂{b}: {full_text(dfy)}\n\nFrom loss.backward() at the ball, in float32.")

    def _show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {self.ctx.theme().error};")
        self.message.show()
        self.ctx.status(text)

    # ================================================================== view → model
    def _push(self, command) -> bool:
        self.message.hide()
        return self.ctx.push(command)

    @_guarded
    def _on_surface_chosen(self, index: int) -> None:
        key = self.surface_combo.itemData(index)
        if key == self.state.surface:
            return
        self._pause()
        self._push(SetFieldsCommand(self.state, self.state.values_for_surface(key),
                                    f"Surface: {SURFACE_TITLES[key]}"))

    @_guarded
    def _on_preset_chosen(self, index: int) -> None:
        key = self.preset_combo.itemData(index)
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.setCurrentIndex(0)
        if key is None:
            return
        self.apply_preset(key)

    def apply_preset(self, key: str) -> bool:
        """Switch to a preset (one undo step) with every ball at its start."""
        self._pause()
        done = self._push(SetFieldsCommand(self.state, self.state.values_for_preset(key),
                                           f"Preset: {PRESETS[key].title}"))
        self.state.restart()
        return done

    @_guarded
    def _on_expression_entered(self) -> None:
        text = self.expression.text()
        try:
            custom_surface(text)
        except ExpressionError as exc:
            where = f"column {exc.column}: " if exc.column else ""
            self.expression_error.setText(f"{where}{exc.message} — still showing "
                                          f"{self.state.expression}")
            self.expression_error.setStyleSheet(f"color: {self.ctx.theme().error};")
            self.expression_error.setToolTip(str(exc))
            self.expression_error.show()
            return
        self.expression_error.hide()
        values = {"expression": text.strip()}
        if self.state.surface != "custom":
            values["surface"] = "custom"
        self._push(SetFieldsCommand(self.state, values, f"Set f(x, y) = {text.strip()}"))

    @_guarded
    def _on_grid_changed(self, value: int) -> None:
        self._push(SetFieldCommand(self.state, "grid", int(value)))

    @_guarded
    def _on_lr_ball_chosen(self, index: int) -> None:
        self._selected = int(self.lr_ball.itemData(index))
        self._dirty_controls = True
        self._refresh()

    @_guarded
    def _on_lr_slider(self, value: int) -> None:
        self._set_lr(self._selected, _slider_to_log(value))

    @_guarded
    def _on_lr_field(self) -> None:
        self._parse_lr(self._selected, self.lr_field.text())

    @_guarded
    def _on_ball_lr(self, number: int) -> None:
        self._parse_lr(number, self.ball_lr_fields[number - 1].text())

    def _parse_lr(self, number: int, text: str) -> None:
        try:
            lr = float(text)
        except ValueError:
            lr = float("nan")
        if not (LR_MIN <= lr <= LR_MAX):
            self._show_problem(f"The learning rate must be a number from {LR_MIN:g} to "
                               f"{LR_MAX:g}; “{text}” is not.")
            self._dirty_controls = True
            self._refresh_timer.start(0)
            return
        self._set_lr(number, lr)

    def _set_lr(self, number: int, lr: float) -> None:
        if getattr(self.state, f"lr{number}") != lr:
            self._push(SetFieldCommand(self.state, f"lr{number}", lr))

    @_guarded
    def _on_hyper_changed(self, name: str, value: float) -> None:
        self._push(SetFieldCommand(self.state, name, float(value)))

    @_guarded
    def _on_ball_kind(self, number: int, index: int) -> None:
        kind = self.ball_combos[number - 1].itemData(index)
        if kind != getattr(self.state, f"ball{number}"):
            self._push(SetFieldCommand(self.state, f"ball{number}", kind))

    @_guarded
    def _on_flag(self, name: str, checked: bool) -> None:
        if getattr(self.state, name) != checked:
            self._push(SetFieldCommand(self.state, name, bool(checked)))

    @_guarded
    def _on_speed_changed(self, value: int) -> None:
        self._push(SetFieldCommand(self.state, "speed", float(value)))

    @_guarded
    def _on_contour_click(self, x: float, y: float) -> None:
        self._pause()
        self._push(SetFieldsCommand(self.state, {"start_x": float(f"{x:.4g}"),
                                                 "start_y": float(f"{y:.4g}")},
                                    f"Put the ball at ({x:.3g}, {y:.3g})"))
        self.state.restart()

    @_guarded
    def _on_reset(self) -> None:
        self._pause()
        self.state.restart()

    def _on_reset_view(self) -> None:
        if self.scene is not None:
            self.scene.reset_camera()

    # ================================================================== playing
    def _pause(self) -> None:
        if self.play_button.isChecked():
            self.play_button.setChecked(False)

    @_guarded
    def _on_play_toggled(self, playing: bool) -> None:
        if playing:
            if not self.state.race.running:
                self.state.restart()
            self._play.start(int(1000 / max(self.state.speed, 1.0)))
            self.play_button.setText("⏸ Pause")
        else:
            self._play.stop()
            self.play_button.setText("▶ Play")

    @_guarded
    def _tick(self) -> None:
        moved = self.state.step(1)
        self.refresh_now()  # draw this step now: the timer's next tick may come before idle
        race = self.state.race
        if not moved or all(b.stopped or b.settled(race.domain) for b in race.balls):
            self._pause()  # nothing left to watch

    def is_playing(self) -> bool:
        return self._play.isActive()

    # ================================================================== protocols
    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        # Word-wrapped labels make the dock's scroll area ask this, and the layout answers with
        # the *preferred* height (taller than most docks). The panel fits its minimum height.
        return self.minimumSizeHint().height()

    def can_step(self) -> bool:
        return True

    def step(self, direction: int) -> bool:
        try:
            self._pause()
            if direction > 0:
                return self.state.step(1)
            return self.state.back()
        except Exception as exc:
            self._show_problem(f"{type(exc).__name__}: {exc}")
            return False

    def apply_theme(self, theme: Theme) -> None:
        self.contour.apply_theme(theme)
        self.loss_plot.apply_theme(theme)
        if self.scene is not None:
            self.scene.set_background(theme.plot_bg)
        self.gl_note.setStyleSheet(f"color: {theme.text}; background: {theme.base}; "
                                   f"border: 2px solid {theme.warning}; padding: 6px;")
        self.caption.setStyleSheet(f"color: {theme.text};")

    def teardown(self) -> None:
        self._play.stop()
        self._refresh_timer.stop()
        super().teardown()

