"""The no_grad/detach panel: sliders drive real measurements; detach radio buttons drive the
graph and the leaves' .grad."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gradviz.core.memory import saved_tensor_bytes
from gradviz.ui.panels.nograd import QtNoGradPanel, human_bytes
from gradviz.ui.render import grab, picture_stats


@pytest.fixture
def panel(make_panel):
    return make_panel(QtNoGradPanel, (1000, 900))


def test_table_shows_measured_bytes_and_zero_under_no_grad(qtbot, panel):
    s = panel.settings
    on = saved_tensor_bytes(s.width, s.depth, s.batch, no_grad=False)
    assert panel.cells[("activation_bytes", False)].text() == human_bytes(on)
    assert panel.cells[("activation_bytes", True)].text() == "0 B"
    assert panel.cells[("graph_nodes", True)].text() == "0"
    assert int(panel.cells[("graph_nodes", False)].text()) > 0


def test_width_slider_measures_again(qtbot, panel):
    before = panel.reports[False].activation_bytes
    panel.sliders["width"].setValue(256)
    assert panel.settings.width == 256
    qtbot.waitUntil(lambda: panel.reports[False].width == 256, timeout=5_000)
    assert panel.reports[False].activation_bytes > before
    assert panel.reports[True].saved_bytes == 0
    assert "256" in panel.memory_code.toPlainText()
    _, ys = panel.activation_curve.getData()
    assert list(ys) == sorted(ys) and ys[-1] > ys[0]


def test_detach_choices_drive_the_graph_and_leaf_grads(qtbot, panel):
    panel.tabs.setCurrentIndex(1)
    qtbot.mouseClick(panel.detach_buttons["none"], Qt.MouseButton.LeftButton)
    assert panel.settings.detach == "none"
    assert panel.leaf_bars.texts() == ["x.grad = 7", "y.grad = 2"]
    qtbot.mouseClick(panel.detach_buttons["a"], Qt.MouseButton.LeftButton)
    assert panel.leaf_bars.texts() == ["x.grad = 4", "y.grad = None"]
    assert panel.graph_view.result.cut_edge == ("a", "z")
    assert ".detach()" in panel.detach_code.highlighted_lines[0]
    assert "None, not 0" in panel.detach_note.text()
    qtbot.mouseClick(panel.detach_buttons["b"], Qt.MouseButton.LeftButton)
    assert panel.leaf_bars.texts() == ["x.grad = 3", "y.grad = 2"]
    assert not picture_stats(grab(panel.graph_view)).blank


def test_memory_tab_picture(qtbot, panel):
    assert not picture_stats(grab(panel)).blank
    assert picture_stats(grab(panel.memory_plot)).colours > 20


def test_measuring_runs_off_the_gui_thread_and_the_latest_request_wins(qtbot, panel):
    panel.settings.depth = 8
    panel.settings.batch = 512
    panel.settings.width = 1024
    panel._measure_now()  # what the debounce timer calls
    assert panel.measuring and "measuring" in panel.busy_label.text()
    panel.settings.width = 32
    panel._measure_now()  # arrives while the worker is busy: queued, not run twice at once
    qtbot.waitUntil(lambda: not panel.measuring, timeout=60_000)
    assert panel.reports[False].width == 32 and panel.reports[False].depth == 8
    assert panel.busy_label.text() == ""
    assert panel.cells[("activation_bytes", True)].text() == "0 B"


def test_presenting_folds_the_table_and_keeps_its_key_rows_over_the_plot(qtbot, panel):
    readout = panel.plot_section.readout
    assert not readout.isVisible()
    panel.set_presenting(True, 1.5)
    assert not panel.table_section.isVisible() and readout.isVisible()
    assert "table" in panel.fold_strip.buttons
    on = panel.reports[False]
    shown = [[cells[False].text(), cells[True].text()] for cells in readout.cells]
    assert shown == [[human_bytes(on.saved_bytes).split(" (")[0], "0 B"],
                     [str(on.graph_nodes), "0"]]
    assert on.graph_nodes > 0
    assert f"width {panel.settings.width}" in readout.corner.text()
    panel.fold_strip.buttons["table"].setChecked(True)  # the full table, one click away
    assert panel.table_section.isVisible()
    panel.set_presenting(False)
    assert panel.table_section.isVisible() and not readout.isVisible()


def test_legend_grows_while_presenting_and_comes_back_to_its_size(qtbot, panel):
    def legend_height():
        return panel.plot_section.memory_legend.boundingRect().height()

    before = legend_height()
    panel.set_presenting(True, 3.0)
    assert legend_height() > 1.5 * before
    assert len(panel.plot_section.memory_legend.items) == 3
    panel.set_presenting(False)
    assert legend_height() == pytest.approx(before, abs=1)


def test_presenting_puts_the_leaves_gradients_beside_the_graph(qtbot, panel):
    panel.tabs.setCurrentIndex(1)
    view = panel.detach_view
    qtbot.waitUntil(lambda: view.leaves_section.y() > view.graph_section.y())
    panel.set_presenting(True, 1.5)
    assert panel.choice_section.intro.isHidden()  # folded into the strip: the caption says it
    qtbot.waitUntil(lambda: view.leaves_section.x() > view.graph_section.x())
    assert view.graph_section.width() > view.leaves_section.width()
    assert panel.leaf_bars.texts() == ["x.grad = 4", "y.grad = None"]
    panel.set_presenting(False)
    qtbot.waitUntil(lambda: view.leaves_section.y() > view.graph_section.y())
    assert not panel.choice_section.intro.isHidden()
