"""The Scenes panel: add, caption, reorder, update, delete — all undoable — and show."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gradviz.ui.window_common import settle


def _panel(window):
    window.show_panel("scenes")
    settle()
    return window.panel("scenes")


def test_add_caption_reorder_delete_and_undo(window, qtbot):
    scenes = window.model["scenes"]
    net = window.model["mininet"]
    panel = _panel(window)
    assert not panel.buttons["delete"].isEnabled()
    net.w = 1.0
    qtbot.mouseClick(panel.buttons["add"], Qt.MouseButton.LeftButton)
    assert len(scenes) == 1 and "scenes" not in scenes[0].panels
    assert scenes[0].panels, "the visible panels are recorded"
    qtbot.keyClicks(panel.caption, "Slope")
    assert scenes[0].caption == "Slope"
    assert window.undo_stack.count() == 2  # add + one merged caption edit
    net.w = 2.0
    qtbot.mouseClick(panel.buttons["add"], Qt.MouseButton.LeftButton)
    panel.caption.clear()
    qtbot.keyClicks(panel.caption, "Steeper")
    assert [s.caption for s in scenes] == ["Slope", "Steeper"]
    assert panel.list.count() == 2 and "Steeper" in panel.list.item(1).text()
    qtbot.mouseClick(panel.buttons["up"], Qt.MouseButton.LeftButton)
    assert [s.caption for s in scenes] == ["Steeper", "Slope"]
    assert panel.selected() == 0
    net.w = 5.0
    qtbot.mouseClick(panel.buttons["update"], Qt.MouseButton.LeftButton)
    assert scenes[0].state["models"]["mininet"]["state"]["w"] == 5.0
    window.undo_stack.undo()
    assert scenes[0].state["models"]["mininet"]["state"]["w"] == 2.0
    qtbot.mouseClick(panel.buttons["delete"], Qt.MouseButton.LeftButton)
    assert [s.caption for s in scenes] == ["Slope"]
    for _ in range(window.undo_stack.count()):
        window.undo_stack.undo()
    assert len(scenes) == 0 and panel.list.count() == 0


def test_show_loads_the_scene_and_marks_it_current(window, qtbot):
    scenes = window.model["scenes"]
    net = window.model["mininet"]
    panel = _panel(window)
    net.b = 0.5
    panel.add_scene()
    net.b = -0.5
    panel.add_scene()
    panel.list.setCurrentRow(0)
    qtbot.mouseClick(panel.buttons["show"], Qt.MouseButton.LeftButton)
    assert net.b == 0.5 and scenes.current == 0
    assert panel.list.item(0).font().bold() and not panel.list.item(1).font().bold()
    assert panel.can_step() and panel.step(+1)
    assert net.b == -0.5 and scenes.current == 1
    assert not panel.step(+1)


def test_a_lesson_with_scenes_reopens_in_the_panel(window, tmp_path):
    from lesson_helpers import ScriptedDialogs

    window.lessons.dialogs = ScriptedDialogs()
    panel = _panel(window)
    panel.add_scene()
    panel.caption.setText("x")
    window.lessons.save_as(tmp_path / "s.gradviz")
    window.lessons.new()
    assert panel.list.count() == 0
    window.lessons.open(tmp_path / "s.gradviz")
    assert panel.list.count() == 1
