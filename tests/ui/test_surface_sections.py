"""The surface panel's sections, bindings and names: what the presentation layout folds and what
screen readers hear."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QWidget,
)

from gradviz.core.loss_surface import LossSurface
from gradviz.ui.main_window import settle
from gradviz.ui.registry import PanelContext

SECTIONS = ("surface", "views", "stepping", "learning-rate", "settings")


@pytest.fixture
def panel(qtbot, app_model):
    from gradviz.ui.panels.surface.panel import QtSurfacePanel

    p = QtSurfacePanel(PanelContext(model=app_model))
    qtbot.addWidget(p)
    p.resize(1300, 900)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.teardown()


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
