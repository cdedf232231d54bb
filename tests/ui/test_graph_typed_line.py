"""Typing a graph live in the graph editor, as a lecturer would in front of a class."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gradviz.app import build_model
from gradviz.ui.window_common import settle

LEAVES = ("x = torch.tensor(2.0, requires_grad=True); "
          "y = torch.tensor(3.0, requires_grad=True)")


def _type(qtbot, entry, text):
    entry.clear()
    qtbot.keyClicks(entry, text)
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    settle(50)


@pytest.fixture
def editor(make_window, qtbot):
    window = make_window()
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.lessons.new()
    window.model["graph"].clear()  # the typing starts from an empty canvas
    window.undo_stack.clear()
    panel = window.panel("graph")
    window.show_panel("graph")
    settle(50)
    return window, panel


def test_typing_the_lecture_builds_the_graph_one_undo_step_each(editor, qtbot):
    window, panel = editor
    entry = panel.typed_line.entry
    _type(qtbot, entry, LEAVES)
    _type(qtbot, entry, "z = x*y + x**2")
    panel.rerun()
    assert panel.result.grads == pytest.approx({"x": 7.0, "y": 2.0})
    _type(qtbot, entry, "w = z * y")
    panel.rerun()
    assert panel.result.grads["x"] == pytest.approx(21.0)
    assert panel.result.grads["y"] == pytest.approx(16.0)
    assert window.undo_stack.count() == 3
    window.undo_stack.undo()
    panel.rerun()
    assert panel.result.grads["x"] == pytest.approx(7.0)
    assert window.model["graph"].node_id("w") is None


def test_a_refused_line_points_at_its_column_and_changes_nothing(editor, qtbot):
    window, panel = editor
    entry = panel.typed_line.entry
    _type(qtbot, entry, LEAVES)
    before = window.model["graph"].to_dict()
    _type(qtbot, entry, "z = x * q")
    assert "column 9" in panel.typed_line.message.text()
    assert "'q' is not defined" in panel.typed_line.message.text()
    assert entry.text() == "z = x * q" and entry.cursorPosition() == 8
    assert window.model["graph"].to_dict() == before
    assert window.undo_stack.count() == 1


def test_up_and_down_recall_earlier_lines(editor, qtbot):
    _, panel = editor
    entry = panel.typed_line.entry
    _type(qtbot, entry, LEAVES)
    _type(qtbot, entry, "z = x * y")
    qtbot.keyClick(entry, Qt.Key.Key_Up)
    assert entry.text() == "z = x * y"
    qtbot.keyClick(entry, Qt.Key.Key_Up)
    assert entry.text() == LEAVES
    qtbot.keyClick(entry, Qt.Key.Key_Down)
    qtbot.keyClick(entry, Qt.Key.Key_Down)
    assert entry.text() == ""


def test_the_editor_opens_on_two_paths_unmodified_and_new_brings_it_back(make_window, qtbot):
    window = make_window(model=build_model())
    graph = window.model["graph"]
    run = graph.run()
    assert run.values["z"] == pytest.approx(10.0) and run.grads["x"] == pytest.approx(7.0)
    assert not window.lessons.is_modified() and window.undo_stack.count() == 0
    graph.clear()
    window.lessons.new()
    assert graph.node_id("z") is not None and graph.run().grads["y"] == pytest.approx(2.0)
    assert not window.lessons.is_modified() and window.undo_stack.count() == 0
