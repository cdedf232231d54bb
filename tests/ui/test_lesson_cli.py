"""What ``gradviz LESSON --scene N --set M.F=V`` does once the window exists (in-process: the
same functions app.main calls)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from lesson_helpers import ScriptedDialogs

from gradviz.app import _apply_assignments, _parse_assignment, _prepare_lesson, build_model
from gradviz.lesson import Lesson, save_lesson
from gradviz.lesson.scenes import AddSceneCommand, capture_scene


@pytest.fixture
def lesson_file(tmp_path):
    model = build_model()
    for w, panels in ((1.0, ["chapter_map"]), (2.0, ["scenes", "chapter_map"])):
        model["mininet"].w = w
        AddSceneCommand(model["scenes"], capture_scene(model, panels, f"w = {w}")).do()
    return save_lesson(tmp_path / "cli.gradviz", Lesson(model=model.to_dict()))


def _args(lesson, scene=None):
    return SimpleNamespace(lesson=str(lesson) if lesson else None, scene=scene)


def test_lesson_scene_and_set(window, lesson_file):
    window.lessons.dialogs = ScriptedDialogs()
    problem = _prepare_lesson(window, _args(lesson_file, 2),
                              [_parse_assignment("mininet.b=0.25")])
    assert problem is None
    assert window.model["mininet"].w == 2.0 and window.model["mininet"].b == 0.25
    assert window.model["scenes"].current == 1
    assert window.docks["chapter_map"].isVisible()


def test_errors_are_messages(window, lesson_file, tmp_path):
    window.lessons.dialogs = ScriptedDialogs()
    assert "has 2 scene(s)" in _prepare_lesson(window, _args(lesson_file, 7), [])
    bad = tmp_path / "bad.gradviz"
    bad.write_text("{")
    assert "ends too early" in _prepare_lesson(window, _args(bad), [])
    assert "no model named" in _apply_assignments(window.model, [("nope", "x", 1)])
    assert "has no field" in _apply_assignments(window.model, [("mininet", "nope", 1)])
    assert "must lie in" in _apply_assignments(window.model, [("mininet", "w", 1e9)])
    with pytest.raises(ValueError):
        _parse_assignment("mininet.w")
    assert _parse_assignment("tangent.source=x**2") == ("tangent", "source", "x**2")
