"""The tangent panel driven both ways: mouse, slider, spin box, bad expressions, descent, code."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from gradviz.core.commands import SetFieldCommand
from gradviz.ui.panels.tangent import QtTangentPanel
from gradviz.ui.render import grab, image_to_array, picture_stats
from gradviz.ui.theme import LIGHT
from gradviz.ui.window_common import settle


@pytest.fixture
def panel(make_panel):
    p = make_panel(QtTangentPanel, (1300, 850))
    settle(50)
    return p


def _widget_point(panel, x, y):
    vb = panel.plot.getPlotItem().vb
    return panel.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))


def test_dragging_the_point_with_the_mouse_moves_x_in_the_model(qtbot, panel):
    tm = panel.tm
    assert tm.x == 0.0
    start = _widget_point(panel, 0.0, 4.5)
    end = _widget_point(panel, 2.0, 0.5)
    vp = panel.plot.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 11):
        QTest.mouseMove(vp, start + (end - start) * (i / 10))
        settle(20)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.waitUntil(lambda: abs(tm.x - 2.0) < 0.05, timeout=2000)
    settle(50)
    # Everything follows the model: the point sits on the curve, slider and spin box agree.
    pos = panel.point_item.pos()
    assert pos.x() == pytest.approx(tm.x)
    assert pos.y() == pytest.approx(0.5 * (tm.x - 3) ** 2, rel=1e-5)
    assert panel.x_spin.value() == pytest.approx(tm.x, abs=1e-4)
    assert panel.x_slider.value() == pytest.approx(tm.x)
    assert "Downhill" in panel.verdict_label.text()


def test_slider_and_spin_box_write_the_model_and_follow_it(qtbot, panel):
    tm = panel.tm
    panel.x_spin.setValue(3.0)
    assert tm.x == 3.0
    assert panel.verdict_label.text().startswith("Flat")
    assert "f′(x) = <b>0</b>" in panel.readout.text()
    panel.x_slider.slider.setValue(1000)  # the right end of the range
    assert tm.x == pytest.approx(tm.x_hi)
    assert "Uphill" in panel.verdict_label.text()
    tm.x = 1.0  # model → widgets, without echo
    assert panel.x_spin.value() == 1.0 and panel.x_slider.value() == 1.0


def test_verdict_colours_follow_the_sign(panel):
    tm = panel.tm
    for x, colour in ((0.0, LIGHT.negative), (3.0, LIGHT.neutral), (5.0, LIGHT.positive)):
        tm.x = x
        assert colour.lower() in panel.verdict_label.styleSheet().lower()


def test_bad_expression_shows_red_message_and_keeps_the_last_function(qtbot, panel):
    tm = panel.tm
    before = panel.curve_item.getData()[1].copy()
    panel.expr_edit.setFocus()
    panel.expr_edit.clear()
    QTest.keyClicks(panel.expr_edit, "x^2 + 1")
    QTest.keyClick(panel.expr_edit, Qt.Key.Key_Return)
    assert panel.expr_error.isVisible()
    assert "column" in panel.expr_error.text() and "x**2" in panel.expr_error.text()
    assert LIGHT.error.lower() in panel.expr_error.styleSheet().lower()
    assert tm.source == "0.5*(x - 3)**2"
    np.testing.assert_array_equal(panel.curve_item.getData()[1], before)
    # A good one replaces it and clears the message.
    panel.expr_edit.clear()
    QTest.keyClicks(panel.expr_edit, "x**2 - 2*x")
    QTest.keyClick(panel.expr_edit, Qt.Key.Key_Return)
    assert tm.source == "x**2 - 2*x" and not panel.expr_error.isVisible()
    ys = panel.curve_item.getData()[1]
    xs = panel.curve_item.getData()[0]
    np.testing.assert_allclose(ys, xs**2 - 2 * xs, rtol=1e-5, atol=1e-5)


def test_presets_set_function_and_range(panel):
    tm = panel.tm
    i = panel.preset_combo.findData("sin(x)")
    panel.preset_combo.setCurrentIndex(i)
    panel.preset_combo.activated.emit(i)
    assert tm.source == "sin(x)" and tm.x_lo < -6
    assert panel.preset_combo.currentText() == "sin x"


def test_derivative_overlay_is_the_autograd_curve(panel):
    tm = panel.tm
    tm.source = "x**3 - 3*x"
    tm.x_lo, tm.x_hi = -2.0, 2.0
    tm.show_derivative = True
    xs, gs = panel.deriv_item.getData()
    assert len(xs) == 1000
    np.testing.assert_allclose(gs, 3 * xs**2 - 3, atol=1e-4)
    tm.show_derivative = False
    assert panel.deriv_item.getData()[0] is None or len(panel.deriv_item.getData()[0]) == 0


def test_secant_turns_into_the_tangent_as_h_shrinks(panel):
    tm = panel.tm
    tm.source, tm.x = "x**2", 1.0
    tm.show_secant = True

    def secant_slope():
        xs, ys = panel.secant_item.getData()
        return (ys[1] - ys[0]) / (xs[1] - xs[0])

    tm.h = 1.0
    assert secant_slope() == pytest.approx(3.0, rel=1e-5)
    tm.h = 0.001
    assert secant_slope() == pytest.approx(2.001, rel=1e-3)
    assert "secant slope" in panel.secant_label.text()


def test_descent_reproduces_the_chapter_and_undo_works(qtbot, panel):
    tm = panel.tm
    tm.source, tm.x, tm.lr = "(x - 3)**2", 0.0, 0.1
    panel.step_button.click()
    panel.step_button.click()
    assert tm.x == pytest.approx(1.08, rel=1e-6)
    settle(200)
    cells = [[panel.table.item(r, c).text() for c in range(4)] for r in range(panel.table.rowCount())]
    assert [c[1] for c in cells] == ["0", "0.6", "1.08"]
    assert [c[2] for c in cells] == ["9", "5.76", "3.6864"]
    assert len(panel.trail_dots.data) == 2
    assert "shrink" in panel.descent_label.text() or "downhill" in panel.descent_label.text()
    assert panel.step(-1)  # the clicker's PageUp
    assert tm.x == pytest.approx(0.6, rel=1e-6)
    panel.reset_button.click()
    assert tm.x == 0.0


def test_run_converges_and_stops(qtbot, panel):
    tm = panel.tm
    tm.source, tm.x, tm.lr = "(x - 3)**2", 0.0, 0.4
    panel._run_timer.setInterval(1)
    panel.run_button.setChecked(True)
    qtbot.waitUntil(lambda: not panel.run_button.isChecked(), timeout=10000)
    assert tm.x == pytest.approx(3.0, abs=1e-4)
    assert "Converged" in panel.descent_label.text()


def test_divergence_is_said_in_words_never_a_crash(qtbot, panel):
    tm = panel.tm
    tm.source, tm.x, tm.lr = "(x - 3)**2", 0.0, 1.5
    for _ in range(4):
        panel.take_step()
    settle(10)
    assert "Diverging" in panel.descent_label.text() or "Overshooting" in panel.descent_label.text()
    assert LIGHT.error.lower() in panel.descent_label.styleSheet().lower() \
        or LIGHT.warning.lower() in panel.descent_label.styleSheet().lower()
    panel._run_timer.setInterval(1)
    panel.run_button.setChecked(True)
    qtbot.waitUntil(lambda: not panel.run_button.isChecked(), timeout=20000)
    assert "iverge" in panel.descent_label.text()
    assert "left the view" in panel.offscreen_label.textItem.toPlainText()


def test_undefined_point_is_explained(panel):
    tm = panel.tm
    tm.source, tm.x_lo, tm.x_hi = "log(x)", -1.0, 5.0
    tm.x = -0.5
    assert "nan" in panel.note_label.text()
    assert not panel.point_item.isVisible()
    assert panel.tangent_item.getData()[0] is None or len(panel.tangent_item.getData()[0]) == 0
    tm.source, tm.x = "abs(x)", 0.0
    assert "corner" in panel.note_label.text().lower()


def test_code_view_prints_the_numbers_the_panel_shows(qtbot, panel):
    tm = panel.tm
    tm.x = 1.5
    panel._refresh_slow()
    code = panel.code_view.code()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    shown = dict(re.findall(r"([^\s>]+) = <b>([^<]+)</b>", panel.readout.text()))
    printed = dict(re.findall(r"^(x|f\(x\)|f'\(x\)) = (\S+)$", out, re.M))
    assert float(printed["x"]) == float(shown["x"])
    assert float(printed["f(x)"]) == float(shown["f(x)"])
    assert float(printed["f'(x)"]) == float(shown["f′(x)"])
    panel.code_view.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == code


def test_undo_through_the_window_restores_x(qtbot, window):
    panel = window.panel("tangent")
    tm = panel.tm
    panel.x_spin.setValue(2.0)
    panel.x_spin.setValue(2.5)
    assert tm.x == 2.5
    window.undo_stack.undo()
    assert tm.x == 0.0  # consecutive x edits merge into one undo step
    assert isinstance(window.undo_stack.command(0).command, SetFieldCommand)


def test_picture_shows_curve_tangent_and_point(panel):
    stats = picture_stats(grab(panel.plot))
    assert not stats.blank
    arr = image_to_array(grab(panel.plot))
    blue = np.array([0x00, 0x72, 0xB2])  # downhill tangent at x = 0 in the light theme
    close = (np.abs(arr[..., :3].astype(int) - blue).sum(axis=2) < 40).sum()
    assert close > 200, "the blue downhill tangent should be drawn"


def test_dark_theme_keeps_legend_readable(panel):
    from gradviz.ui.theme import DARK

    panel.apply_theme(DARK)
    for _sample, label in panel.legend.items:
        assert DARK.plot_fg.lower().lstrip("#") in label.item.toHtml().lower()


def test_plot_range_is_edited_through_the_model(panel):
    tm = panel.tm
    i = panel.preset_combo.findData("sin(x)")
    panel.preset_combo.activated.emit(i)
    import math

    assert tm.x_hi == pytest.approx(2 * math.pi)
    panel.lo_spin.setValue(-1.0)
    assert tm.x_lo == -1.0 and tm.x_hi == pytest.approx(2 * math.pi)  # the other end untouched
    assert panel.curve_item.getData()[0][0] == pytest.approx(-1.0)
    panel.hi_spin.setValue(-2.0)  # refused: 'to' must stay above 'from'
    assert tm.x_hi == pytest.approx(2 * math.pi)
    assert panel.hi_spin.value() == pytest.approx(6.28)


def test_step_outside_the_domain_is_refused_with_a_reason(panel):
    tm = panel.tm
    tm.source, tm.x_lo, tm.x_hi, tm.x = "log(x)", -1.0, 5.0, -0.5
    assert not panel.take_step()
    assert "not a number" in panel.descent_label.text()
    assert tm.x == -0.5


def test_clicker_page_down_takes_a_descent_step(qtbot, window):
    from PySide6.QtWidgets import QApplication

    window.show_panel("tangent")
    panel = window.panel("tangent")
    window.activateWindow()
    panel.plot.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)
    assert window.steppable_panel() is panel
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown)
    assert panel.tm.descent_steps == 1
    assert panel.tm.x == pytest.approx(0.3, rel=1e-6)  # ½(x − 3)² from 0 with lr 0.1
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp)
    assert panel.tm.x == 0.0


def test_derivative_overlay_of_abs_breaks_at_the_jump_instead_of_a_vertical_line(panel):
    tm = panel.tm
    i = panel.preset_combo.findData("abs(x)")
    panel.preset_combo.activated.emit(i)
    tm.show_derivative = True
    xs, gs = panel.deriv_item.getData()
    gap = np.flatnonzero(np.isnan(gs))
    assert len(gap) == 1 and xs[gap[0] - 1] < 0.0 < xs[gap[0] + 1]
    finite = gs[np.isfinite(gs)]
    np.testing.assert_array_equal(np.unique(finite), [-1.0, 1.0])


def test_every_control_is_bound_to_the_model_bounds(panel):
    tm = panel.tm
    for widget, name in ((panel.lr_spin, "lr"), (panel.lo_spin, "x_lo"), (panel.x_spin, "x")):
        s = tm.setting(name)
        assert (widget.minimum(), widget.maximum()) == (s.lo, s.hi)
        assert widget.accessibleName() == s.label and widget.toolTip()
    assert panel.h_slider.lo == tm.setting("h").lo and panel.h_slider.log
