"""The training-loop panel: stepping phase by phase, running in timer slices, divergence."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gradviz.core.training import PHASES
from gradviz.ui.panels.training import LR_RANGE, QtTrainingPanel, _to_slider
from gradviz.ui.render import grab, picture_stats


@pytest.fixture
def panel(make_panel):
    return make_panel(QtTrainingPanel, (1100, 850))


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_next_phase_walks_the_loop_diagram(qtbot, panel):
    assert panel.diagram.active is None
    seen = []
    for _ in range(8):
        click(qtbot, panel.phase_button)
        seen.append(panel.diagram.active)
    assert seen == list(PHASES) * 2
    assert panel.training.runs["correct"].steps == 2
    assert "step 2" in panel.status_labels["correct"].text()


def test_one_step_and_clicker_step(qtbot, panel):
    for _ in range(10):
        click(qtbot, panel.step_button)
    runs = panel.training.runs
    assert runs["correct"].steps == 10 and runs["buggy"].steps == 10
    _, ys = panel.curves["correct"].getData()
    assert len(ys) == 10 and ys[-1] < ys[0]
    assert panel.can_step() and panel.step(+1)
    assert panel.diagram.active == "zero_grad"
    assert not panel.step(-1)


def test_run_trains_in_timer_slices_and_pause_stops(qtbot, panel):
    panel.sps_slider.setValue(panel.sps_slider.maximum())  # 1000 steps/s
    click(qtbot, panel.run_button)
    assert panel.running and panel.run_button.text() == "Pause"
    qtbot.waitUntil(lambda: panel.training.runs["correct"].steps >= 40, timeout=10_000)
    click(qtbot, panel.run_button)
    assert not panel.running and not panel.timer.isActive()
    steps = panel.training.runs["correct"].steps
    qtbot.wait(100)
    assert panel.training.runs["correct"].steps == steps
    losses = panel.training.runs["correct"].losses
    assert losses[-1] < losses[0]  # the correct run learns


def test_a_diverging_run_stops_with_a_message_and_nothing_raises(qtbot, panel):
    panel.lr_slider.setValue(_to_slider(LR_RANGE[1], LR_RANGE[0]))
    assert panel.training.lr == pytest.approx(10.0)
    panel.sps_slider.setValue(panel.sps_slider.maximum())
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: panel.training.runs["correct"].diverged, timeout=10_000)
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)  # both stopped → paused
    assert "diverged (loss → inf)" in panel.status_labels["correct"].text()
    assert len(panel.diverged_marks.data) >= 1
    assert not panel.can_step()
    click(qtbot, panel.reset_button)
    assert panel.training.runs["correct"].losses == [] and panel.can_step()


def test_lr_slider_is_logarithmic_and_changes_live_runs(qtbot, panel):
    panel.lr_slider.setValue(_to_slider(0.01, LR_RANGE[0]))
    assert panel.training.lr == pytest.approx(0.01)
    assert panel.lr_label.text() == "lr = 0.01"
    assert panel.training.runs["buggy"].optimizer.param_groups[0]["lr"] == pytest.approx(0.01)
    assert "lr=0.01" in panel.codes["correct"].toPlainText()
    panel.training.lr = 1.0  # model → view
    assert panel.lr_slider.value() == _to_slider(1.0, LR_RANGE[0])


def test_the_panel_draws_both_curves(qtbot, panel):
    for _ in range(60):
        panel.training.step()
    qtbot.wait(50)
    assert not picture_stats(grab(panel)).blank
    assert not picture_stats(grab(panel.diagram)).blank
    assert picture_stats(grab(panel.plot)).colours > 20


def test_training_steps_with_the_clicker_in_the_real_window(make_window, qtbot):
    window = make_window()
    window.resize(1400, 900)
    window.show()
    window.show_panel("training")
    window.activateWindow()
    qtbot.waitActive(window)
    panel = window.panel("training")
    panel.step_button.setFocus()
    qtbot.waitUntil(panel.step_button.hasFocus)
    qtbot.keyClick(panel.step_button, Qt.Key.Key_PageDown)
    qtbot.keyClick(panel.step_button, Qt.Key.Key_PageDown)
    assert panel.diagram.active == "forward"
