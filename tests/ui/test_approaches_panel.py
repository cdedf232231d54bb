"""The three-approaches panel: table, V plot, h, the sliced cost run, bad input and code."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gradviz.core.approaches import CostRun
from gradviz.ui.panels.approaches import QtApproachesPanel
from gradviz.ui.render import grab, image_to_array, picture_stats
from gradviz.ui.window_common import settle


@pytest.fixture
def panel(make_panel):
    # Tests start the cost run themselves.
    return make_panel(QtApproachesPanel, (1300, 900), prepare=lambda p: p._start_timer.stop())


def _cell(panel, row, col):
    return panel.table.item(row, col).text()


def test_table_shows_the_three_approaches_for_sin_at_one(panel):
    assert panel.am.source == "sin(x)" and panel.am.x == 1.0
    names = [_cell(panel, r, 0) for r in range(4)]
    assert names == ["symbolic", "numerical: forward", "numerical: central", "autograd"]
    assert "cos(x)" in panel.formula_label.text()
    assert float(_cell(panel, 0, 4)) == pytest.approx(math.cos(1.0), rel=1e-6)
    assert float(_cell(panel, 3, 2)) == pytest.approx(math.cos(1.0), rel=1e-6)
    assert _cell(panel, 3, 5) == "0 (exact)"
    # The forward difference with h = 1e-4 is visibly off in float32.
    assert float(_cell(panel, 1, 3)) > 1e-5


def test_v_plot_has_four_curves_and_marks_the_best_h(panel):
    for item in panel.v_curves.values():
        xs, ys = item.getData()
        assert len(xs) == 161
    assert len(panel.best_points) == 4
    best = {(c.scheme, c.dtype): h for h, _e, c in panel.best_points}
    assert best["forward", "float64"] < best["forward", "float32"]


def test_moving_h_updates_the_table_and_the_line(panel):
    panel.h_slider.slider.setValue(80)  # the middle of 1e-16 … 1 on a log scale: 1e-8
    assert panel.am.h == pytest.approx(1e-8, rel=0.02)
    assert panel.h_line.value() == pytest.approx(-8, abs=0.01)
    assert "h = 1e-8" in _cell(panel, 1, 1)
    panel.am.h = 1e-3
    assert panel.h_slider.value() == pytest.approx(1e-3)


def test_quadratic_preset_makes_central_exact(panel):
    i = next(k for k in range(panel.preset_combo.count())
             if panel.preset_combo.itemData(k) == ("x**2", 3.0))
    panel.preset_combo.setCurrentIndex(i)
    panel.preset_combo.activated.emit(i)
    assert (panel.am.source, panel.am.x) == ("x**2", 3.0)
    assert _cell(panel, 3, 4) == "6"
    assert "2*x" in panel.formula_label.text()


def test_bad_expression_keeps_the_last_function(qtbot, panel):
    field = panel.expr_field
    field.edit.setFocus()
    field.edit.clear()
    QTest.keyClicks(field.edit, "sin x")
    QTest.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.error.isVisible() and "Cannot use this" in field.error.text()
    assert panel.am.source == "sin(x)"
    field.edit.clear()
    QTest.keyClicks(field.edit, "exp(x) * x")
    QTest.keyClick(field.edit, Qt.Key.Key_Return)
    assert panel.am.source == "exp(x) * x" and not field.error.isVisible()


def test_undefined_point_is_said_not_plotted(panel):
    panel.am.source, panel.am.x = "log(x)", -1.0
    assert "no finite value" in panel.formula_label.text()
    assert "No V here" in panel.v_message.textItem.toPlainText()


def test_cost_run_progresses_in_slices_while_the_gui_stays_responsive(qtbot, panel):
    panel.start_cost_run()
    panel.cost_run = CostRun(sizes=[1, 10, 100, 1000])  # smaller, for the test's time budget
    ticks = []
    panel._cost_timer.timeout.connect(lambda: ticks.append(1))
    qtbot.waitUntil(lambda: panel.cost_run.done, timeout=30000)
    settle(50)
    # Slices are time-budgeted, so their number depends on the machine's speed; what must hold
    # everywhere is that the run did not happen in one block.
    assert len(ticks) >= 2
    xs, ys = panel.cost_num.getData()
    assert len(xs) == 4
    num = [r.numerical_ms for r in panel.cost_run.results]
    auto = [r.autograd_ms for r in panel.cost_run.results]
    assert num[-1] > auto[-1] * 10  # n + 1 evaluations vs one backward at n = 1000
    assert "faster" in panel.cost_label.text()
    assert panel.measure_button.isEnabled()


def test_code_view_prints_the_table_numbers(panel):
    code = panel.code_view.code()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    printed = dict(re.findall(r"^(.*?) = (.+)$", out, re.M))
    assert float(printed["forward difference"]) == float(_cell(panel, 1, 2))
    assert float(printed["central difference"]) == float(_cell(panel, 2, 2))
    assert float(printed["autograd"]) == float(_cell(panel, 3, 2))
    assert float(printed["symbolic value"]) == float(_cell(panel, 0, 4))


def test_picture_of_the_v_plot_is_not_blank(panel):
    settle(50)
    stats = picture_stats(grab(panel.v_plot))
    assert not stats.blank and stats.colours > 50
    assert np.isfinite(panel.h_line.value())


def test_dark_theme_restyles_the_plots(panel):
    from gradviz.ui.theme import DARK

    panel.apply_theme(DARK)
    settle(30)
    arr = image_to_array(grab(panel.v_plot))[..., :3].astype(int)
    bg = np.array([int(DARK.plot_bg[i:i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(arr - bg).sum(axis=2) < 10).mean() > 0.4
    assert _cell(panel, 0, 0) == "symbolic"  # the table survived the restyle


def test_takes_f_and_x_from_the_tangent_model(panel, app_model):
    tm = app_model["tangent"]
    tm.source, tm.x = "x**3 - 3*x", 2.0
    panel.from_tangent.click()
    assert (panel.am.source, panel.am.x) == ("x**3 - 3*x", 2.0)
    assert float(_cell(panel, 0, 4)) == 9.0  # 3x² − 3 at 2
