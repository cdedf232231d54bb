"""Every registered sub-model's state survives save → open exactly.

The test is generic: it walks every sub-model ``build_model()`` registers, moves each scalar
field it can to a value other than the default (the sub-model's own ``from_dict`` decides what
is allowed), adds scenes, saves, opens into a fresh model and compares. A new panel's sub-model
is covered as soon as it is registered.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from gradviz.app import build_model
from gradviz.core.model import StateError
from gradviz.lesson import Lesson, open_lesson, save_lesson
from gradviz.lesson.scenes import AddSceneCommand, capture_scene


def _candidates(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, 2, 1]
    if isinstance(value, float):
        return [value + 0.375, value - 0.375, value * 0.5, 0.125, 1.0]
    return []


def _scalar_paths(state: Any, prefix: tuple = ()) -> list[tuple]:
    paths = []
    if isinstance(state, dict):
        for key, value in state.items():
            if isinstance(value, dict):
                paths += _scalar_paths(value, prefix + (key,))
            elif isinstance(value, bool | int | float):
                paths.append(prefix + (key,))
    return paths


def _set(state: dict, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        state = state[key]
    state[path[-1]] = value


def _get(state: dict, path: tuple) -> Any:
    for key in path:
        state = state[key]
    return state


def perturb_model(model) -> dict[str, int]:
    """Move every scalar field the sub-models accept away from its current value; returns how
    many fields changed per sub-model."""
    changed: dict[str, int] = {}
    for key in model.keys():
        if key == "scenes":
            continue
        sub = model[key]
        state = copy.deepcopy(sub.to_dict())
        count = 0
        for path in _scalar_paths(state):
            for value in _candidates(_get(state, path)):
                trial = copy.deepcopy(state)
                _set(trial, path, value)
                try:
                    sub.from_dict(copy.deepcopy(trial))
                except (StateError, ValueError, TypeError, KeyError):
                    sub.from_dict(copy.deepcopy(state))
                    continue
                if sub.to_dict() != state:
                    state = copy.deepcopy(sub.to_dict())
                    count += 1
                    break
        changed[key] = count
    return changed


def normalized(state: dict) -> dict:
    """What JSON can tell apart (tuples and lists are the same array)."""
    return json.loads(json.dumps(state))


def _fill_structured(model) -> None:
    """Sub-models whose state is not a set of scalars get real content too."""
    if "graph" in model:
        from gradviz.graph.examples import load_example

        graph = load_example("two_paths")
        graph.move_node(graph.nodes[0].id, (12.5, -40.25))  # positions are saved too
        model["graph"].from_dict(graph.to_dict())
    if "chain" in model:
        state = model["chain"].to_dict()
        model["chain"].from_dict({**state, "links": ["tanh(x)", "exp(x)"]})


def build_lesson_model():
    """A model far from its defaults, with two scenes holding different states."""
    model = build_model()
    AddSceneCommand(model["scenes"], capture_scene(model, ["tangent"], "Defaults")).do()
    changed = perturb_model(model)
    _fill_structured(model)
    AddSceneCommand(model["scenes"],
                    capture_scene(model, ["chain", "graph"], "Everything moved — ü ∂")).do()
    model["scenes"].set_current(1)
    return model, changed


def test_every_submodel_state_survives_save_and_open(tmp_path):
    model, changed = build_lesson_model()
    assert changed.get("mininet", 0) >= 5, "the mini network's fields were not moved"
    before = normalized(model.to_dict())
    path = save_lesson(tmp_path / "round.gradviz", Lesson(model=model.to_dict(), theme="dark",
                                                             layout=b"\x00\x01layout\xff",
                                                             layout_version=3, title="T"))
    lesson = open_lesson(path, build_model)
    fresh = build_model()
    assert normalized(fresh.to_dict()) != before
    fresh.from_dict(lesson.model)
    assert normalized(fresh.to_dict()) == before
    assert (lesson.theme, lesson.layout, lesson.layout_version, lesson.title) == \
        ("dark", b"\x00\x01layout\xff", 3, "T")


@pytest.mark.parametrize("key", [k for k in build_model().keys() if k != "scenes"])
def test_each_submodel_round_trips_on_its_own(tmp_path, key):
    model = build_model()
    perturb_model(model)
    path = save_lesson(tmp_path / f"{key}.gradviz", Lesson(model=model.to_dict()))
    fresh = build_model()
    fresh.from_dict(open_lesson(path, build_model).model)
    assert normalized(fresh[key].to_dict()) == normalized(model[key].to_dict())


def test_scene_states_are_restored_by_applying_the_scene(tmp_path):
    from gradviz.lesson import apply_scene_state

    model, _ = build_lesson_model()
    path = save_lesson(tmp_path / "s.gradviz", Lesson(model=model.to_dict()))
    fresh = build_model()
    fresh.from_dict(open_lesson(path, build_model).model)
    scenes = fresh["scenes"]
    assert [s.caption for s in scenes] == ["Defaults", "Everything moved — ü ∂"]
    assert scenes.current == 1
    apply_scene_state(fresh, scenes[0])
    assert fresh["mininet"].to_dict() == build_model()["mininet"].to_dict()
    apply_scene_state(fresh, scenes[1])
    assert normalized(fresh["mininet"].to_dict()) == normalized(model["mininet"].to_dict())


def test_saved_file_is_readable_utf8_json(tmp_path):
    model, _ = build_lesson_model()
    path = save_lesson(tmp_path / "u.gradviz", Lesson(model=model.to_dict()))
    text = path.read_bytes().decode("utf-8")
    assert "Everything moved — ü ∂" in text  # written as UTF-8, not \u escapes
    data = json.loads(text)
    assert data["format"] == "gradviz-lesson" and data["version"] == 1
