"""A scene recorded while the graph editor shows the traced graph names "traced": the lesson
reopens on that page, showing a scene turns the editor to the page the scene names, and the
exported picture of such a scene is the traced graph, not the hand-built one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch
from lesson_helpers import ScriptedDialogs
from PySide6.QtGui import QImage
from torch import nn

from gradviz.graph.trace import trace_module
from gradviz.lesson.scenes import SCENES_KEY, Scene

ROOT = Path(__file__).resolve().parents[2]


def _shown_window(make_window, qtbot):
    window = make_window()
    window.lessons.dialogs = ScriptedDialogs()
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def _record_two_scenes(window, qtbot):
    """Scene 1 on the traced page, scene 2 on the hand-built page, same state and caption."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
    window.model.replace(trace_module(net, torch.randn(4, 3)))
    window.show_panel("scenes")
    window.show_panel("traced")
    editor, recorder = window.panel("graph"), window.panel("scenes")
    qtbot.waitExposed(editor)
    assert editor.traced.showing == "traced"
    assert recorder.add_scene()
    editor.show_page("editor")
    assert recorder.add_scene()
    scenes = window.model[SCENES_KEY]
    assert "traced" in scenes[0].panels and "graph" not in scenes[0].panels
    assert "graph" in scenes[1].panels and "traced" not in scenes[1].panels
    assert scenes[0].fingerprints == scenes[1].fingerprints  # only the page differs
    scenes.replace(1, Scene(scenes[0].caption, scenes[1].panels, scenes[1].state))
    return editor, scenes


def test_updating_a_scene_on_the_traced_page_records_it(make_window, qtbot):
    window = _shown_window(make_window, qtbot)
    editor, scenes = _record_two_scenes(window, qtbot)
    recorder = window.panel("scenes")
    recorder.list.setCurrentRow(1)
    editor.show_page("traced")
    assert recorder.update_scene()
    assert "traced" in scenes[1].panels and "graph" not in scenes[1].panels


def test_showing_a_scene_turns_the_editor_to_its_page(make_window, qtbot):
    window = _shown_window(make_window, qtbot)
    editor, _ = _record_two_scenes(window, qtbot)
    for index, page in ((0, "traced"), (1, "editor"), (0, "traced"), (1, "editor")):
        assert window.lessons.go_to_scene(index)
        assert editor.traced.showing == page
    presentation = window.presentation
    presentation.start()
    try:
        for index, page in ((0, "traced"), (1, "editor"), (0, "traced")):
            assert presentation.go_to_scene(index)
            assert editor.traced.showing == page
    finally:
        presentation.stop()


def test_a_lesson_saved_on_a_traced_scene_reopens_on_the_traced_page(make_window, qtbot,
                                                                       tmp_path):
    window = _shown_window(make_window, qtbot)
    _record_two_scenes(window, qtbot)
    assert window.lessons.go_to_scene(0)
    path = tmp_path / "traced-scenes.gradviz"
    assert window.lessons.save_as(path)
    window.model["traced"].close()

    plain = _shown_window(make_window, qtbot)
    assert plain.lessons.load(path), plain.lessons.dialogs.errors
    editor = plain.panel("graph")
    assert editor.traced.showing == "traced"
    assert editor.traced.page is not None and editor.traced.page.isVisible()
    assert plain.lessons.go_to_scene(1)
    assert editor.traced.showing == "editor"

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = tmp_path / "scenes"
    done = subprocess.run([sys.executable, "-m", "gradviz", str(path), "--export-scenes",
                           str(out), "--size", "1280x720"], env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    traced, hand_built = QImage(str(out / "scene-01.png")), QImage(str(out / "scene-02.png"))
    assert not traced.isNull() and traced.size() == hand_built.size()
    assert traced != hand_built
