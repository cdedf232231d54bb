"""The bundled tour opens from Help, and every scene shows real panels with its state."""

from __future__ import annotations

import json

import pytest
from lesson_helpers import ScriptedDialogs

from gradviz.ui.lesson_menus import tour_path
from gradviz.ui.window_common import settle

pytestmark = pytest.mark.skipif(not tour_path().is_file(),
                                reason="the tour is written by packaging/make_tour.py")


def _normalized(state):
    return json.loads(json.dumps(state, sort_keys=True))


def test_every_scene_of_the_tour_presents(window, qtbot):
    window.lessons.dialogs = ScriptedDialogs()
    window.action_tour.trigger()
    scenes = window.model["scenes"]
    assert len(scenes) >= 10 and scenes.current == 0
    captions = " ".join(s.caption for s in scenes)
    for number in ("w.grad = 0.4", "= 7", "2x + 2y = 6", "2x = 2", "5.76"):
        assert number in captions, number
    window.presentation.start()
    try:
        for i, scene in enumerate(scenes):
            assert window.presentation.go_to_scene(i), i
            settle(30)
            assert window.presentation.caption.text() == scene.caption
            shown = {n for n, d in window.docks.items() if d.isVisible()}
            assert shown == {p for p in scene.panels if p in window.docks}, (i, shown)
            current = window.model.to_dict()["models"]
            for key, entry in scene.state["models"].items():
                assert _normalized(current[key]) == _normalized(entry), (i, key)
    finally:
        window.presentation.stop()
    assert not window.lessons.dialogs.errors
