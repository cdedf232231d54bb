"""``QtSurfacePanel``: the loss surface in 3D (or, without OpenGL, as a contour map), balls
racing down it with real ``torch.optim`` optimizers, a loss-vs-step plot, a readout of f and
∇f at the ball, and the loop's code.

The panel is built from sections (``section-<name>``): the surface chooser, the views, the
readout, the stepping controls, the learning-rate row and the settings tabs. What they show is
computed in :mod:`gradviz.core.surface_view`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from gradviz.core.commands import SetFieldCommand, SetFieldsCommand
from gradviz.core.expr import ExpressionError
from gradviz.core.landscape_race import net_ball_status, network_frame
from gradviz.core.landscape_source import NETWORK, SLICE_EXPLAINER
from gradviz.core.loss_surface import INVALIDATING, PRESETS, LossSurface
from gradviz.core.optim_race import MAX_BALLS
from gradviz.core.surface_view import (
    ball_status,
    caption_text,
    loss_symbol,
    race_frame,
    readout_text,
)
from gradviz.core.surfaces import custom_surface
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.surface.controls import (
    LearningRateRow,
    SteppingControls,
    SurfaceChooser,
    set_label_text,
)
from gradviz.ui.panels.surface.network import NetworkControls, NetworkSource
from gradviz.ui.panels.surface.tabs import BallsTab, CodeTab, SettingsTabs, ViewTab
from gradviz.ui.panels.surface.views import NO_OPENGL_ENV, SurfaceViews
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme

__all__ = ["NO_OPENGL_ENV", "QtSurfacePanel"]

#: Ball 1 is the chapter's red ball; the others stay distinguishable on the blue-green surface.
BALL_COLOURS = ("#E8231E", "#B05CE0", "#F08C00", "#F4F4F4")
#: Curves on the (white or dark) loss plot: the same colours, but the white ball's curve grey.
CURVE_COLOURS = ("#E8231E", "#B05CE0", "#F08C00", "#8A8A8A")


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
                 "down, computed by autograd. " + SLICE_EXPLAINER)
    try_this = ("press ▶ Play, then raise the learning rate until the ball overshoots. Pick "
                "“The chapter's f = x² + 2xy” and watch the ball escape: a saddle has no bottom.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        state = self.model.get("surface")
        if state is None:  # a model built without the sub-model: work on a private one
            state = LossSurface.sharing(self.model.get("mininet"))
        self.state: LossSurface = state
        self._shown_grid = None
        self._shown_flags: tuple = ()
        self._shown_readout: tuple[str, str] = ("", "")
        self._dirty_controls = True
        self._play = QTimer(self)
        self._play.timeout.connect(self._tick)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self.when_shown(self._refresh))
        self._build()
        for name in self.state.SETTINGS:
            self.listen(getattr(self.state.events, name), functools.partial(self._on_field, name))
        self.listen(self.state.stepped, self._on_stepped)
        playground = self.state.playground
        for name in (*INVALIDATING, "stepped", "was_reset"):
            self.listen(getattr(playground.events, name),
                        functools.partial(self._on_field, "playground"))
        net = self.state.mininet
        for name in ("seed", "n_samples", "true_w", "true_b", "noise"):
            self.listen(getattr(net.events, name), functools.partial(self._on_field, "mininet"))
        self.apply_theme(ctx.theme())
        self._refresh()

    # ================================================================== building
    def _build(self) -> None:
        s, bind = self.state, self.bind
        self.chooser = SurfaceChooser(s, bind, self._on_surface_chosen, self._on_preset_chosen,
                                      self._on_expression_entered)
        self.views = SurfaceViews(self.ctx.theme().plot_bg, self._on_contour_click)
        self.network_controls = NetworkControls(s, bind)
        self.network = NetworkSource(self.network_controls, self._on_network_done,
                                     self._show_problem)
        self.stepping = SteppingControls(s, bind)
        self.learning_rate = LearningRateRow(s, bind, self._on_lr_ball_chosen, self._set_lr,
                                             self._parse_lr)
        self.settings = SettingsTabs(
            BallsTab(s, bind, BALL_COLOURS, self._parse_lr),
            ViewTab(s, bind, self.views.scene is not None, self._on_reset_view), CodeTab())
        self._connect_stepping()
        self._alias_widgets()
        lay = self.body_layout
        lay.setSpacing(4)
        lay.addWidget(self.chooser)
        lay.addWidget(self.network_controls)
        self.caption = QLabel()
        # A section: a high scale may drop it while presenting (the scene's caption says it).
        self.caption.setObjectName("section-formula")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.caption)
        self.message = QLabel()
        self.message.setObjectName("surface-message")
        self.message.setWordWrap(True)
        self.message.hide()
        lay.addWidget(self.message)
        # Views above, controls below, with a handle between: a small laptop dock can give the
        # pictures more room by squeezing the controls.
        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.setChildrenCollapsible(False)
        self.vsplit.addWidget(self.views)
        self.vsplit.addWidget(self._build_controls())
        self.vsplit.setStretchFactor(0, 1)
        self.vsplit.setStretchFactor(1, 0)
        lay.addWidget(self.vsplit, 1)

    def _build_controls(self) -> QWidget:
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
        clay.addWidget(self.stepping)
        clay.addWidget(self.learning_rate)
        clay.addWidget(self.settings, 1)
        return controls

    def _connect_stepping(self) -> None:
        st = self.stepping
        st.play_button.toggled.connect(self._on_play_toggled)
        st.step_button.clicked.connect(lambda: self.step(+1))
        st.back_button.clicked.connect(lambda: self.step(-1))
        st.reset_button.clicked.connect(self._on_reset)

    def _alias_widgets(self) -> None:
        """The widgets tests, lessons and benchmarks reach, under their panel-level names."""
        ch, lr, tabs = self.chooser, self.learning_rate, self.settings
        self.surface_combo, self.preset_combo = ch.surface_combo, ch.preset_combo
        self.expression, self.expression_error = ch.expression, ch.expression_error
        self.grid_spin = ch.grid_spin
        self.contour, self.loss_plot, self.gl_note = (self.views.contour, self.views.loss_plot,
                                                      self.views.gl_note)
        self.play_button, self.speed_slider = self.stepping.play_button, self.stepping.speed_slider
        self.lr_ball, self.lr_slider, self.lr_field = lr.lr_ball, lr.lr_slider, lr.lr_field
        self.momentum_spin, self.beta1_spin, self.beta2_spin = (
            lr.spins["momentum"], lr.spins["beta1"], lr.spins["beta2"])
        self.ball_combos, self.ball_lr_fields = tabs.balls.combos, tabs.balls.lr_fields
        self.ball_states = tabs.balls.states
        self.arrow_check, self.floor_check = tabs.view.arrow_check, tabs.view.floor_check
        self.field_check = tabs.view.field_check
        self.code_manual, self.code_optim = tabs.code.manual, tabs.code.optim

    @property
    def scene(self):
        """The 3D scene, or None when the contour map stands in for it."""
        return self.views.scene

    @property
    def gl_reason(self) -> str | None:
        return self.views.gl_reason

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
        if not self.views.fall_back_to_2d(reason):
            return
        self.settings.view.lose_3d()
        self._shown_grid = None
        self._refresh_timer.start(0)

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
        s = self.state
        if self._dirty_controls:
            self._sync_controls()
            self._dirty_controls = False
        network = s.surface == NETWORK
        land = self.network.landscape(s) if network else None
        if network and land is None:
            return  # the first grid is computing; the controls show its progress
        grid = land.grid if network else s.grid_data()
        flags = (s.floor_contour, s.arrow_field and not network)
        if grid is not self._shown_grid:
            if self.scene is not None:
                self.scene.set_grid(grid, s.floor_contour)
            self.contour.set_grid(grid, flags[1])
            self._shown_grid = grid
        elif flags != self._shown_flags:
            if self.scene is not None:
                self.scene.set_floor(grid, s.floor_contour)
            self.contour.set_field(grid, flags[1])
        self._shown_flags = flags
        if network:
            self._show_network_race(grid, land)
        else:
            self._show_race(grid)

    def _sync_controls(self) -> None:
        """Controls that are not bound to one field (bound ones follow the model themselves)."""
        s = self.state
        self.chooser.show_state(s)
        network = s.surface == NETWORK
        self.network_controls.setVisible(network)
        self.views.show_interpolation(network)
        self.network_controls.show_plane(s.net_plane)
        self.grid_spin.setEnabled(not network)
        self.field_check.setEnabled(not network)
        self.learning_rate.show_state(s)
        self.settings.balls.show_state(s)
        self.stepping.show_speed(s.speed)
        self._play.setInterval(int(1000 / max(s.speed, 1.0)))
        self.caption.setText(caption_text(s.current_surface()))
        self.settings.code.show_code(*s.code_text())

    def _draw_frame(self, frame, numbers: list[int], start: tuple[float, float],
                    arrow: bool, fname: str) -> None:
        colours = [BALL_COLOURS[n - 1] for n in numbers]
        if self.scene is not None:
            self.scene.set_balls(frame.poses, frame.trails3d, colours, arrow)
        self.contour.set_balls(frame.positions, frame.trails2d, frame.arrows2d, colours, start)
        self.loss_plot.symbol = fname
        self.loss_plot.set_curves(frame.losses, frame.names, [CURVE_COLOURS[n - 1] for n in numbers])

    def _show_network_race(self, grid, land) -> None:
        """The balls trained in full weight space, projected onto the plane (or nothing yet)."""
        race = self.network.race(self.state, land)
        index = self.state.landscapes.index
        paths = race.paths if race is not None else []
        numbers = [p.number for p in paths]
        if race is not None:
            frame = network_frame(grid, race, index, trails3d=self.scene is not None)
            self._draw_frame(frame, numbers, (0.0, 0.0), False, "L")
            self.views.interp.set_curves(race.curves)
        self._show_readout((f"<b>{grid.surface.formula}</b> — {len(paths)} ball(s) trained "
                            "in the full weight space; their paths are projected onto this "
                            "plane.", ""))
        for i in range(MAX_BALLS):
            text = net_ball_status(paths[numbers.index(i + 1)], index) if i + 1 in numbers else ""
            set_label_text(self.ball_states[i], text)
        self.stepping.show_steps(index)
        if self._play.isActive() and not self.state.running:
            self.play_button.setChecked(False)

    def _on_network_done(self) -> None:
        self._dirty_controls = True
        self._refresh_timer.start(0)

    def _show_race(self, grid) -> None:
        s = self.state
        race = s.race
        surface = grid.surface
        numbers = s.ball_numbers()
        frame = race_frame(grid, race, s.show_arrow, trails3d=self.scene is not None)
        fname = loss_symbol(surface)
        self._draw_frame(frame, numbers, (s.start_x, s.start_y), s.show_arrow, fname)
        selected = self.learning_rate.selected
        self._show_readout(readout_text(race.balls[numbers.index(selected)], selected, surface,
                                        BALL_COLOURS[selected - 1]))
        for i in range(MAX_BALLS):
            text = ""
            if (i + 1) in numbers:
                ball = race.balls[numbers.index(i + 1)]
                text = ball_status(ball, surface.domain, fname)
                if ball.message:
                    text = f"<span style='color:{self.ctx.theme().error}'>{text}</span>"
            set_label_text(self.ball_states[i], text)
        self.stepping.show_steps(race.steps)
        if self._play.isActive() and not race.running:
            self.play_button.setChecked(False)

    def _show_readout(self, texts: tuple[str, str]) -> None:
        if texts != self._shown_readout:
            self._shown_readout = texts
            self.readout.setText(texts[0])
            self.readout.setToolTip(texts[1])

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
    def _on_surface_chosen(self, key: str) -> None:
        if key == self.state.surface:
            return
        self._pause()
        self._push(SetFieldsCommand(self.state, self.state.values_for_surface(key),
                                    f"Surface: {self.state.surface_for(key).title}"))

    @_guarded
    def _on_preset_chosen(self, key: str) -> None:
        self.apply_preset(key)

    def apply_preset(self, key: str) -> bool:
        """Switch to a preset (one undo step) with every ball at its start."""
        self._pause()
        done = self._push(SetFieldsCommand(self.state, self.state.values_for_preset(key),
                                           f"Preset: {PRESETS[key].title}"))
        self.state.restart()
        return done

    @_guarded
    def _on_expression_entered(self, text: str) -> None:
        try:
            custom_surface(text)
        except ExpressionError as exc:
            where = f"column {exc.column}: " if exc.column else ""
            self.chooser.show_error(f"{where}{exc.message} — still showing "
                                    f"{self.state.expression}", str(exc), self.ctx.theme().error)
            return
        self.expression_error.hide()
        values = {"expression": text.strip()}
        if self.state.surface != "custom":
            values["surface"] = "custom"
        self._push(SetFieldsCommand(self.state, values, f"Set f(x, y) = {text.strip()}"))

    @_guarded
    def _on_lr_ball_chosen(self, number: int) -> None:
        self.learning_rate.selected = number
        self._dirty_controls = True
        self._refresh()

    @_guarded
    def _parse_lr(self, number: int, text: str) -> None:
        setting = self.state.setting(f"lr{number}")
        try:
            lr = float(text)
        except ValueError:
            lr = float("nan")
        if not (setting.lo <= lr <= setting.hi):
            self._show_problem(f"The learning rate must be a number from {setting.lo:g} to "
                               f"{setting.hi:g}; “{text}” is not.")
            self._dirty_controls = True
            self._refresh_timer.start(0)
            return
        self._set_lr(number, lr)

    @_guarded
    def _set_lr(self, number: int, lr: float) -> None:
        if getattr(self.state, f"lr{number}") != lr:
            self._push(SetFieldCommand(self.state, f"lr{number}", lr))

    @_guarded
    def _on_contour_click(self, x: float, y: float) -> None:
        if self.state.surface == NETWORK:
            return  # the balls start at the plane's origin: the weights the surface is about
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
            if not self.state.running:
                self.state.restart()
            self._play.start(int(1000 / max(self.state.speed, 1.0)))
        else:
            self._play.stop()
        self.stepping.show_playing(playing)

    @_guarded
    def _tick(self) -> None:
        moved = self.state.step(1)
        self.refresh_now()  # draw this step now: the timer's next tick may come before idle
        race = None if self.state.surface == NETWORK else self.state.race
        if not moved or not self.state.running or race is not None and all(
                b.stopped or b.settled(race.domain) for b in race.balls):
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
        self.views.apply_theme(theme)
        self.settings.code.set_theme(theme)
        self.caption.setStyleSheet(f"color: {theme.text};")

    def teardown(self) -> None:
        self._play.stop()
        self._refresh_timer.stop()
        self.network.shutdown()
        super().teardown()
