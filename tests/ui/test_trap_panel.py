"""The zero_grad trap panel, driven with clicks: five presses in every mode, the errors PyTorch
raises, both zeroing forms, and the picture."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from gradviz.core.numbers import fmt
from gradviz.core.trap import press_backward
from gradviz.ui.panels.trap import QtTrapPanel
from gradviz.ui.render import grab, image_to_array, picture_stats
from gradviz.ui.theme import LIGHT


@pytest.fixture
def panel(make_panel):
    return make_panel(QtTrapPanel, (1000, 900))


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def press_five(qtbot, panel):
    for _ in range(5):
        click(qtbot, panel.backward_button)


def plotted_w(panel):
    _, ys = panel.w_curve.getData()
    return [] if ys is None else list(ys)


def vermillion_pixels(widget) -> int:
    arr = image_to_array(grab(widget)).astype(int)
    c = QColor(LIGHT.positive)
    close = np.abs(arr[..., :3] - [c.red(), c.green(), c.blue()]).sum(axis=2) < 30
    return int(close.sum())


def test_without_zero_grad_five_presses_pile_up(qtbot, panel):
    assert panel.bars.texts() == ["w.grad = None", "b.grad = None"]
    assert vermillion_pixels(panel.bars) == 0  # None is drawn as an empty outline, not a bar
    click(qtbot, panel.mode_buttons["without"])
    press_five(qtbot, panel)
    assert panel.bars.texts() == ["w.grad = 2", "b.grad = 2"]
    assert "5 ×" in panel.press_label.text()
    expected = press_backward(5, zero_grad=False)
    assert plotted_w(panel) == pytest.approx(expected, rel=0, abs=0)
    assert [fmt(v) for v in plotted_w(panel)] == ["0.4", "0.8", "1.2", "1.6", "2"]
    assert "stored (float32): 1.9999999" in panel.bars.toolTip()  # the full value, in the tooltip
    assert vermillion_pixels(panel.bars) > 500
    _, true_y = panel.true_line.getData()
    assert fmt(true_y[0]) == "0.4"
    assert "loss.backward()" in panel.code.highlighted_lines[0]


@pytest.mark.parametrize("form", ["optimizer", "tensor"])
def test_with_zero_grad_five_presses_stay_at_one_press(qtbot, panel, form):
    click(qtbot, panel.mode_buttons["with"])
    assert panel.trap.mode == "with" and panel.zero_form_combo.isEnabled()
    panel.zero_form_combo.setCurrentIndex(["optimizer", "tensor"].index(form))
    panel.zero_form_combo.activated.emit(panel.zero_form_combo.currentIndex())
    assert panel.trap.zero_form == form
    press_five(qtbot, panel)
    assert panel.bars.texts() == ["w.grad = 0.4", "b.grad = 0.4"]
    assert [fmt(v) for v in plotted_w(panel)] == ["0.4"] * 5
    assert "1 ×" in panel.press_label.text()
    assert any("zero" in line for line in panel.code.highlighted_lines)


def test_reusing_the_graph_shows_pytorchs_error_then_retain_graph_accumulates(qtbot, panel):
    click(qtbot, panel.mode_buttons["reuse"])
    click(qtbot, panel.backward_button)
    assert panel.error_box.isHidden()
    click(qtbot, panel.backward_button)
    assert panel.error_box.isVisible()
    assert "backward through the graph a second time" in panel.error_box.message.text()
    assert "retain_graph=True" in panel.error_box.fix.text()
    assert panel.bars.texts()[0] == "w.grad = 0.4"  # the failed call changed nothing
    assert len(panel.error_marks.data) == 1

    click(qtbot, panel.retain_check)
    assert panel.trap.retain_graph and panel.trap.history == []  # a clean experiment
    press_five(qtbot, panel)
    assert panel.error_box.isHidden()
    assert panel.bars.texts() == ["w.grad = 2", "b.grad = 2"]
    assert "retain_graph=True" in panel.code.highlighted_lines[0]


def test_zeroing_forms_none_versus_zero_and_the_failure_before_backward(qtbot, panel):
    click(qtbot, panel.zero_buttons["tensor"])  # .grad is still None
    assert panel.error_box.isVisible() and panel.error_box.error.exc_type == "AttributeError"
    assert "zero_" in panel.error_box.message.text()
    click(qtbot, panel.backward_button)
    click(qtbot, panel.zero_buttons["tensor"])
    assert panel.bars.texts() == ["w.grad = 0", "b.grad = 0"]
    assert panel.error_box.isHidden()
    click(qtbot, panel.zero_buttons["optimizer"])
    assert panel.bars.texts() == ["w.grad = None", "b.grad = None"]
    assert "None" in panel.zero_result.text()


def test_clicker_steps_press_and_start_over_clears(qtbot, panel):
    assert panel.can_step()
    assert panel.step(+1) and panel.step(+1)
    assert panel.bars.texts()[0] == "w.grad = 0.8"
    assert not panel.step(-1)
    click(qtbot, panel.restart_button)
    assert panel.bars.texts()[0] == "w.grad = None" and plotted_w(panel) == []


def test_nudge_and_update_tab(qtbot, panel):
    panel.tabs.setCurrentIndex(1)
    panel.delta_slider.setValue(1)  # δ = 0.01
    assert panel.trap.delta == pytest.approx(0.01)
    assert panel.read_labels["predicted"].text() == "0.004"
    assert float(panel.read_labels["actual"].text()) == pytest.approx(0.0041, rel=1e-3)
    assert "agree" in panel.read_verdict.text()
    panel.delta_slider.setValue(150)
    assert "apart" in panel.read_verdict.text()
    assert "with torch.no_grad():" in panel.update_code.highlighted_lines[0]
    net = panel.net
    click(qtbot, panel.apply_update_button)
    assert net.w == pytest.approx(0.46, rel=1e-6) and net.b == pytest.approx(-0.04, rel=1e-6)
    # The shared network changed, so the trap restarted from the new w.
    panel.tabs.setCurrentIndex(0)
    click(qtbot, panel.backward_button)
    assert panel.bars.texts()[0] == f"w.grad = {fmt(2 * (0.46 - 0.04 - 0.3))}"


def test_non_scalar_loss_tab(qtbot, panel):
    panel.tabs.setCurrentIndex(2)
    click(qtbot, panel.scalar_button)
    assert panel.scalar_error.isVisible()
    assert panel.scalar_error.message.text() == \
        "grad can be implicitly created only for scalar outputs"
    assert "mean()" in panel.scalar_result.text()


def test_the_panel_draws_a_real_picture(qtbot, panel):
    press_five(qtbot, panel)
    stats = picture_stats(grab(panel))
    assert not stats.blank and stats.colours > 100
    plot = picture_stats(grab(panel.history_plot))
    assert not plot.blank


def test_clicker_page_down_presses_backward_in_the_real_window(make_window, qtbot):
    window = make_window()
    window.resize(1400, 900)
    window.show()
    window.show_panel("trap")
    window.activateWindow()
    qtbot.waitActive(window)
    panel = window.panel("trap")
    panel.backward_button.setFocus()
    qtbot.waitUntil(panel.backward_button.hasFocus)
    for _ in range(3):
        qtbot.keyClick(panel.backward_button, Qt.Key.Key_PageDown)
    assert panel.bars.texts()[0] == "w.grad = 1.2"
    assert window.model["trap"].net is window.model["mininet"]  # one shared network

