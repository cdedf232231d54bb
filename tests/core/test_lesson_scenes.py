"""Scenes: an ordered list with undoable add, update, caption, reorder and delete."""

from __future__ import annotations

from unittest.mock import Mock

import pytest

from gradviz.app import build_model
from gradviz.core.model import StateError
from gradviz.lesson.scenes import (
    MAX_SCENES,
    AddSceneCommand,
    DeleteSceneCommand,
    MoveSceneCommand,
    Scene,
    SceneList,
    SetCaptionCommand,
    UpdateSceneCommand,
    apply_scene_state,
    capture_scene,
)


def _captions(scenes):
    return [s.caption for s in scenes]


def _do_undo(command, scenes):
    before = scenes.to_dict()
    command.do()
    after = scenes.to_dict()
    assert after != before
    command.undo()
    assert scenes.to_dict() == before
    command.do()
    assert scenes.to_dict() == after


def test_commands_do_and_undo_exactly():
    model = build_model()
    scenes = model["scenes"]
    for caption in "abc":
        _do_undo(AddSceneCommand(scenes, capture_scene(model, ["tangent"], caption)), scenes)
    assert _captions(scenes) == ["a", "b", "c"]
    _do_undo(MoveSceneCommand(scenes, 0, 2), scenes)
    assert _captions(scenes) == ["b", "c", "a"]
    model["mininet"].w = 3.0
    _do_undo(UpdateSceneCommand(scenes, 1, capture_scene(model, ["graph"], "c2")), scenes)
    assert scenes[1].panels == ("graph",)
    assert scenes[1].state["models"]["mininet"]["state"]["w"] == 3.0
    _do_undo(SetCaptionCommand(scenes, 0, "B!"), scenes)
    _do_undo(DeleteSceneCommand(scenes, 1), scenes)
    assert _captions(scenes) == ["B!", "a"]


def test_caption_edits_merge_into_one_step():
    model = build_model()
    scenes = model["scenes"]
    AddSceneCommand(scenes, Scene("x")).do()
    first = SetCaptionCommand(scenes, 0, "H")
    first.do()
    second = SetCaptionCommand(scenes, 0, "Hi")
    second.do()
    assert first.merge_with(second)
    first.undo()
    assert scenes[0].caption == "x"
    assert not first.merge_with(UpdateSceneCommand(scenes, 0, Scene("y")))


def test_current_scene_follows_inserts_moves_and_deletes():
    scenes = SceneList()
    for c in "abcd":
        scenes.insert(len(scenes), Scene(c))
    seen = Mock()
    scenes.events.current.connect(seen)
    scenes.set_current(2)  # c
    scenes.insert(0, Scene("z"))
    assert scenes[scenes.current].caption == "c"
    scenes.move(scenes.current, 0)
    assert scenes.current == 0 and scenes[0].caption == "c"
    scenes.move(4, 0)
    assert scenes[scenes.current].caption == "c"
    scenes.remove(len(scenes) - 1)
    scenes.remove(scenes.current)
    assert 0 <= scenes.current < len(scenes)
    with pytest.raises(IndexError):
        scenes.set_current(99)
    assert seen.call_count >= 4


def test_scene_capture_excludes_the_scene_list_and_applies_back():
    model = build_model()
    AddSceneCommand(model["scenes"], Scene("first")).do()
    model["mininet"].b = 0.75
    scene = capture_scene(model, ["tangent", "scenes"], "cap")
    assert "scenes" not in scene.state["models"] and scene.panels == ("tangent",)
    model["mininet"].b = -1.0
    apply_scene_state(model, scene)
    assert model["mininet"].b == 0.75 and len(model["scenes"]) == 1


def test_from_dict_refuses_bad_lists_without_changing_anything():
    scenes = SceneList()
    scenes.insert(0, Scene("keep"))
    before = scenes.to_dict()
    for bad in ({"scenes": "x"}, {"scenes": [1]}, {"scenes": [], "current": 3},
                {"scenes": [{"caption": 5}]}, {"scenes": [{"panels": ["Bad Name"]}]},
                {"scenes": [{"panels": ["a", "a"]}]}, {"junk": 1},
                {"scenes": [{}] * (MAX_SCENES + 1)}):
        with pytest.raises(StateError):
            scenes.from_dict(bad)
        assert scenes.to_dict() == before


def test_reset_clears_scenes():
    model = build_model()
    AddSceneCommand(model["scenes"], Scene("a")).do()
    model["scenes"].set_current(0)
    model.reset()
    assert len(model["scenes"]) == 0 and model["scenes"].current == -1
