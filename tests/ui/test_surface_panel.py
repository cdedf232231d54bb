"""The loss-surface panel driven both ways: model → widgets and widgets → model."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAccessible, QUndoStack
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

from gradviz.core.loss_surface import LossSurface
from gradviz.core.numbers import fmt
from gradviz.ui.registry import PanelContext
from gradviz.ui.render import grab, picture_stats
from gradviz.ui.undo import QtCommand
from gradviz.ui.window_common import settle


class _Host:
    """A light stand-in for the main window: one undo stack, a status line."""

    def __init__(self) -> None:
        self.undo_stack = QUndoStack()
        self.statuses: list[str] = []

    def push(self, command, target=None) -> bool:
        qt_cmd = QtCommand(command, target, on_error=lambda exc: self.statuses.append(str(exc)))
        self.undo_stack.push(qt_cmd)
        return qt_cmd.failed is None


@pytest.fixture
def host():
    return _Host()


@pytest.fixture
def panel(make_panel, host):
    from gradviz.ui.panels.surface.panel import QtSurfacePanel

    p = make_panel(QtSurfacePanel, (1300, 900), push=host.push, status=host.statuses.append)
    p.refresh_now()
    return p


def _state(panel):
    return panel.state


def test_model_changes_reach_the_widgets(panel):
    s = _state(panel)
    s.lr1 = 0.3
    s.ball2 = "adam"
    settle()
    assert panel.lr_field.text() == "0.3"
    assert panel.ball_lr_fields[0].text() == "0.3"
    assert panel.ball_combos[1].currentData() == "adam"
    assert panel.beta1_spin.isEnabled() and not panel.momentum_spin.isEnabled()
    assert [c.name() for c in panel.loss_plot.curves] == ["1 · SGD", "2 · Adam"]


def test_learning_rate_field_and_slider_edit_the_model(panel, host):
    s = _state(panel)
    panel.lr_field.setText("0.25")
    panel.lr_field.editingFinished.emit()
    settle()
    assert s.lr1 == 0.25
    assert host.undo_stack.undoText().startswith("Set lr1")
    panel.lr_slider.setValue(panel.lr_slider.maximum())
    settle()
    assert s.lr1 == 10.0
    panel.lr_slider.setValue(0)
    assert s.lr1 == pytest.approx(1e-4)
    panel.lr_field.setText("lots")
    panel.lr_field.editingFinished.emit()
    settle()
    assert s.lr1 == pytest.approx(1e-4)
    assert panel.message.isVisible() and "learning rate" in panel.message.text()


def test_readout_shows_the_chapters_gradient_at_the_ball(panel):
    panel.apply_preset("chapter_saddle")
    settle()
    panel.refresh_now()
    text = panel.readout.text()
    x, y = 1.0, -0.3
    assert f"f = {fmt(np.float32(x * x + 2 * x * y))}" in text
    assert f"∂f/∂x = {fmt(np.float32(2 * x + 2 * y))}" in text and "∂f/∂y = 2" in text
    assert "no minimum" in panel.caption.text()


def test_a_bad_custom_expression_shows_a_red_message_and_keeps_the_surface(panel):
    s = _state(panel)
    panel.surface_combo.activated.emit(panel.surface_combo.findData("custom"))
    settle()
    panel.refresh_now()
    assert s.surface == "custom" and panel.expression.isVisible()
    good = panel._shown_grid
    panel.expression.setText("x**2 + (y")
    panel.expression.returnPressed.emit()
    settle()
    panel.refresh_now()
    assert panel.expression_error.isVisible() and "column" in panel.expression_error.text()
    assert s.expression != "x**2 + (y" and panel._shown_grid is good
    panel.expression.setText("x**2 + 3*y**2")
    panel.expression.returnPressed.emit()
    settle()
    panel.refresh_now()
    assert s.expression == "x**2 + 3*y**2" and not panel.expression_error.isVisible()
    assert panel._shown_grid is not good


def test_play_moves_the_balls_and_lr_ten_does_not_freeze(panel, qtbot):
    s = _state(panel)
    s.from_dict({"lr1": 10.0, "ball2": "sgd", "lr2": 0.05, "speed": 60.0})
    settle()
    panel.play_button.click()
    t0 = time.perf_counter()
    qtbot.waitUntil(lambda: s.race.balls[1].steps >= 8, timeout=5000)
    assert time.perf_counter() - t0 < 5
    wild, calm = s.race.balls
    assert wild.stopped and wild.message
    assert not calm.stopped
    panel.refresh_now()
    assert wild.message in panel.ball_states[0].text()
    assert any(wild.message in c.name() for c in panel.loss_plot.curves)
    panel.play_button.click()
    assert not panel.is_playing()


def test_clicker_steps_descent_forward_and_back(window):
    window.show_panel("surface")
    settle(50)
    panel = window.panel("surface")
    s = _state(panel)
    assert panel.can_step()
    assert panel.step(+1) and panel.step(+1)
    assert s.race.steps == 2
    assert panel.step(-1) and s.race.steps == 1
    assert window.route_step(+1) and s.race.steps == 2
    assert window.route_step(-1) and s.race.steps == 1


def test_clicking_the_map_puts_the_ball_there_and_undo_moves_it_back(panel, host, qtbot):
    s = _state(panel)
    s.step(3)
    vb = panel.contour.getPlotItem().vb
    scene_pt = vb.mapViewToScene(QPointF(-1.0, 0.5))
    widget_pt = panel.contour.mapFromScene(scene_pt)
    qtbot.mouseClick(panel.contour.viewport(), Qt.MouseButton.LeftButton, pos=widget_pt)
    settle()
    assert s.start_x == pytest.approx(-1.0, abs=0.05) and s.start_y == pytest.approx(0.5, abs=0.05)
    assert s.race.steps == 0
    host.undo_stack.undo()
    assert (s.start_x, s.start_y) == (1.5, 1.2)


def test_four_balls_race_with_colours_and_legend(panel):
    s = _state(panel)
    panel.apply_preset("race_elongated")
    s.step(30)
    panel.refresh_now()
    names = [c.name() for c in panel.loss_plot.curves]
    assert names == ["1 · SGD", "2 · SGD + momentum", "3 · RMSprop", "4 · Adam"]
    pens = {c.opts["pen"].color().name() for c in panel.loss_plot.curves}
    assert len(pens) == 4
    assert len(panel.contour.balls.data) == 4


def test_mininet_surface_reads_w_and_b(panel):
    s = _state(panel)
    panel.surface_combo.activated.emit(panel.surface_combo.findData("mininet"))
    settle()
    panel.refresh_now()
    assert (s.start_x, s.start_y) == (0.5, 0.0)
    assert "∂L/∂w" in panel.readout.text() and "(w, b) = (0.5, 0)" in panel.readout.text()
    assert "mean" in panel.code_manual.toPlainText()


def test_code_view_shows_both_forms(panel):
    s = _state(panel)
    s.ball1 = "momentum"
    settle()
    panel.refresh_now()
    assert "with torch.no_grad():" in panel.code_manual.toPlainText()
    assert "p -= lr * p.grad" in panel.code_manual.toPlainText()
    assert "torch.optim.SGD([p], lr=0.05, momentum=0.9)" in panel.code_optim.toPlainText()


def test_arrow_field_toggle(panel):
    panel.field_check.setChecked(True)
    settle()
    panel.refresh_now()
    assert _state(panel).arrow_field and panel.contour.field.isVisible()
    xs, _ = panel.contour.field.getData()
    assert xs is not None and len(xs) > 100


@pytest.mark.parametrize("how", ["env", "gl_failure"])
def test_without_opengl_the_contour_map_stands_in(qtbot, monkeypatch, how, app_model):
    from gradviz.ui.panels.surface import panel as panel_module
    from gradviz.ui.panels.surface import scene3d

    if how == "env":
        monkeypatch.setenv(panel_module.NO_OPENGL_ENV, "1")
    else:
        def broken():
            raise RuntimeError("no OpenGL context could be created")

        monkeypatch.setattr(scene3d, "make_gl_view", broken)
    p = panel_module.QtSurfacePanel(PanelContext(model=app_model))
    qtbot.addWidget(p)
    p.resize(1000, 800)
    p.show()
    qtbot.waitExposed(p)
    assert p.scene is None
    assert p.gl_note.isVisible() and "3D view unavailable" in p.gl_note.text()
    assert ("switched off" if how == "env" else "no OpenGL context") in p.gl_note.text()
    p.state.step(5)
    settle(50)
    p.refresh_now()
    assert len(p.contour.balls.data) == 1
    assert p.state.race.steps == 5
    assert not picture_stats(grab(p)).blank
    p.teardown()
    QApplication.processEvents()


def test_a_gl_context_that_fails_when_shown_falls_back_to_the_map(qtbot, monkeypatch, app_model):
    import pyqtgraph.opengl as gl

    from gradviz.ui.panels.surface.panel import QtSurfacePanel

    monkeypatch.setattr(gl.GLViewWidget, "isValid", lambda self: False)
    p = QtSurfacePanel(PanelContext(model=app_model))
    qtbot.addWidget(p)
    p.resize(1000, 800)
    p.show()
    qtbot.waitUntil(lambda: p.scene is None, timeout=3000)
    assert p.gl_note.isVisible() and "no OpenGL context" in p.gl_note.text()
    p.state.step(2)
    settle(50)
    assert p.contour.isVisible() and len(p.contour.balls.data) == 1
    p.teardown()


def test_playing_pauses_by_itself_once_every_ball_has_settled(panel, qtbot):
    s = _state(panel)
    s.from_dict({"lr1": 0.5, "speed": 60.0})  # lands on the bowl's minimum in one step
    settle()
    panel.play_button.click()
    qtbot.waitUntil(lambda: not panel.is_playing(), timeout=3000)
    assert s.race.steps <= 3
    panel.refresh_now()
    assert "settled" in panel.ball_states[0].text()


# -- sections, bindings and names: what the presentation layout folds, what screen readers hear

SECTIONS = ("surface", "views", "stepping", "learning-rate", "settings")


def test_the_panel_is_built_from_named_sections(panel):
    found = {w.objectName().removeprefix("section-") for w in panel.findChildren(QWidget)
             if w.objectName().startswith("section-")}
    assert set(SECTIONS) <= found
    # the visualization and the stepping controls are separate from the editing chrome
    assert not panel.views.isAncestorOf(panel.stepping)
    assert not panel.settings.isAncestorOf(panel.stepping)
    assert panel.views.isAncestorOf(panel.contour) and panel.stepping.isAncestorOf(panel.play_button)


def test_bound_controls_take_their_ranges_from_the_settings(panel):
    s = LossSurface
    grid = s.setting("grid")
    assert (panel.grid_spin.minimum(), panel.grid_spin.maximum()) == (grid.lo, grid.hi)
    assert panel.grid_spin.singleStep() == grid.step
    for name, spin in (("momentum", panel.momentum_spin), ("beta1", panel.beta1_spin),
                       ("beta2", panel.beta2_spin)):
        setting = s.setting(name)
        assert spin.maximum() == pytest.approx(setting.hi) and spin.decimals() == setting.decimals
        assert spin.toolTip() == setting.doc
    speed = s.setting("speed")
    assert (panel.speed_slider.minimum(), panel.speed_slider.maximum()) == (speed.lo, speed.hi)
    labels = [panel.ball_combos[1].itemText(i) for i in range(panel.ball_combos[1].count())]
    assert labels == list(s.setting("ball2").choice_labels)


def test_a_bound_control_edits_the_model_and_follows_it(panel):
    state = panel.state
    panel.momentum_spin.setValue(0.5)
    assert state.momentum == 0.5
    state.beta2 = 0.95
    assert panel.beta2_spin.value() == pytest.approx(0.95)
    panel.ball_combos[2].setCurrentIndex(panel.ball_combos[2].findData("rmsprop"))
    assert state.ball3 == "rmsprop"
    panel.field_check.setChecked(True)
    assert state.arrow_field
    state.grid = 200
    assert panel.grid_spin.value() == 200


def test_the_slider_edits_the_chosen_balls_learning_rate(panel):
    state = panel.state
    state.ball2 = "adam"
    settle()
    panel.refresh_now()
    panel.lr_ball.activated.emit(panel.lr_ball.findData(2))
    panel.lr_slider.setValue(0)
    assert state.lr2 == pytest.approx(state.setting("lr2").lo) and state.lr1 == 0.05
    state.lr2 = 0.3
    settle()
    panel.refresh_now()
    assert panel.lr_field.text() == "0.3"


def test_every_enabled_control_has_a_name(panel):
    kinds = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit)
    unnamed = []
    for w in panel.findChildren(QWidget):
        if not isinstance(w, kinds) or not (w.isVisible() and w.isEnabled()) or w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if w.objectName() == "qt_spinbox_lineedit":  # the spin box's own editor
            continue
        iface = QAccessible.queryAccessibleInterface(w)
        if not (iface and iface.text(QAccessible.Text.Name)):
            unnamed.append(type(w).__name__)
    assert unnamed == []


def test_plots_have_no_pyqtgraph_chrome(panel):
    for plot in (panel.contour, panel.loss_plot):
        item = plot.getPlotItem()
        assert not item.menuEnabled()
        assert item.ctrlMenu is None or item.ctrlMenu.parent() is plot
        assert not item.autoBtn.isVisible()
