"""The chain-rule explorer: links edited through the model, x live, product vs autograd, code."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gradviz.ui.panels.chain import QtChainPanel
from gradviz.ui.render import grab, image_to_array, picture_stats
from gradviz.ui.theme import LIGHT
from gradviz.ui.window_common import settle


@pytest.fixture
def panel(make_panel):
    return make_panel(QtChainPanel, (1300, 900))


def test_default_chain_shows_the_product_of_locals(panel):
    assert panel.product_text() == "2 × 0.540302 × 3 = 3.24181"
    assert "x.grad = <b>3.24181</b>" in panel.product.text()
    assert "agree" in panel.product.text()
    assert "3 * sin(x**2) + 1" in panel.formula.text()
    assert panel.diagram.local_formulas == ["2*x", "cos(u1)", "3"]


def test_x_slider_updates_everything_live(panel):
    panel.x_slider.slider.setValue(0)  # x = -3
    assert panel.cm.x == -3.0
    r = panel.result
    assert r.values[0] == -3.0 and r.locals_[0] == -6.0
    assert panel.x_spin.value() == -3.0
    assert r.agree()
    panel.x_spin.setValue(0.5)
    assert panel.result.locals_[0] == 1.0


def test_add_remove_reorder_links(panel):
    cm = panel.cm
    panel.add_button.click()
    assert cm.links == ["x**2", "sin(x)", "3*x + 1", "x**2"]
    assert not panel.add_button.isEnabled()  # four is the most
    panel.editors[3].remove_button.click()
    panel.editors[0].right_button.click()
    assert cm.links == ["sin(x)", "x**2", "3*x + 1"]
    panel.editors[2].remove_button.click()
    assert cm.links == ["sin(x)", "x**2"]
    assert not panel.editors[0].remove_button.isEnabled()  # two is the fewest
    assert not panel.editors[2].isVisible()


def test_choosing_presets_and_custom_links(panel):
    ed = panel.editors[1]
    i = ed.combo.findData("relu(x)")
    ed.combo.setCurrentIndex(i)
    ed.combo.activated.emit(i)
    assert panel.cm.links[1] == "relu(x)"
    custom = ed.combo.count() - 1
    ed.combo.setCurrentIndex(custom)
    ed.combo.activated.emit(custom)
    assert ed.field.isVisible()
    ed.field.edit.clear()
    QTest.keyClicks(ed.field.edit, "x^3")
    QTest.keyClick(ed.field.edit, Qt.Key.Key_Return)
    assert ed.field.error.isVisible() and "x**2" in ed.field.error.text()
    assert LIGHT.error.lower() in ed.field.error.styleSheet().lower()
    assert panel.cm.links[1] == "relu(x)"  # the last good link stays
    ed.field.edit.clear()
    QTest.keyClicks(ed.field.edit, "x**3")
    QTest.keyClick(ed.field.edit, Qt.Key.Key_Return)
    assert panel.cm.links[1] == "x**3"
    assert panel.result.agree()


def test_relu_zero_factor_stops_the_gradient(panel):
    panel.cm.links = ["relu(x)", "x**2"]
    panel.cm.x = -1.0
    assert panel.result.locals_[0] == 0.0
    assert panel.result.autograd == 0.0 and panel.result.by_hand == 0.0


def test_undo_through_the_window_restores_links(qtbot, window):
    panel = window.panel("chain")
    panel.add_button.click()
    assert len(panel.cm.links) == 4
    window.undo_stack.undo()
    assert panel.cm.links == ["x**2", "sin(x)", "3*x + 1"]
    assert panel.editors[3].isHidden()


def test_code_view_prints_the_panel_numbers(qtbot, panel):
    panel.cm.x = 0.7
    qtbot.waitUntil(lambda: "u0 = 0.7" in panel.code_view.code(), timeout=2000)
    out = subprocess.run([sys.executable, "-c", panel.code_view.code()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    hand = re.search(r"by hand: dy/dx = (\S+)", out).group(1)
    auto = re.search(r"autograd: dy/dx = (\S+)", out).group(1)
    locals_ = re.search(r"locals: (.*)", out).group(1).split(" x ")
    shown = panel.product_text()
    assert shown == " × ".join(locals_) + f" = {hand}"
    assert f"x.grad = <b>{auto}</b>" in panel.product.text()


def test_diagram_draws_boxes_and_both_flows(panel):
    settle(30)
    img = grab(panel.diagram)
    assert not picture_stats(img).blank
    arr = image_to_array(img)[..., :3].astype(int)
    for colour in (LIGHT.accent, LIGHT.positive):  # forward (blue) and backward (vermillion)
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(arr - rgb).sum(axis=2) < 40).sum() > 300, colour
    assert len(panel.diagram.box_rects()) == 3


def test_dark_theme_restyles_without_errors(panel):
    from gradviz.ui.theme import DARK

    panel.apply_theme(DARK)
    settle(30)
    arr = image_to_array(grab(panel.diagram))[..., :3].astype(int)
    bg = np.array([int(DARK.plot_bg[i:i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(arr - bg).sum(axis=2) < 10).mean() > 0.5  # the diagram follows the theme
