"""A traced graph in lessons and scenes: left out while empty (lessons open in older builds),
emptied by a state without it, saved and reopened as data, digests that do not flicker."""

import json

import pytest
import torch
from torch import nn

from gradviz.core.model import AppModel, StateError
from gradviz.graph.trace import trace_module
from gradviz.graph.trace_model import TracedGraph
from gradviz.lesson import Lesson, LessonError, open_lesson, save_lesson
from gradviz.lesson.catalog import build_model, panel_infos
from gradviz.lesson.digest import state_digest
from gradviz.lesson.format import encode_lesson
from gradviz.lesson.scenes import SCENES_KEY, Scene, apply_scene_state, capture_scene


def _traced(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    g = trace_module(model, torch.randn(5, 3))
    g.backward()
    return g


def _older_build() -> AppModel:
    """The app model of a build that had no traced sub-model (it refuses unknown models)."""
    model = build_model()
    del model._models["traced"]
    return model


def _with_graph(seed=0) -> tuple[AppModel, TracedGraph]:
    model, live = build_model(), _traced(seed)
    model.replace(live)
    return model, live


def test_every_app_model_has_an_empty_traced_graph_that_is_not_saved():
    model = build_model()
    assert isinstance(model["traced"], TracedGraph) and model["traced"].is_empty()
    assert "traced" not in model.to_dict()["models"]
    older = _older_build()
    # The saved state is exactly what a build without the traced sub-model writes.
    assert json.dumps(model.to_dict()) == json.dumps(older.to_dict())
    assert encode_lesson(Lesson(model.to_dict())).split(b'"model"')[1] == \
        encode_lesson(Lesson(older.to_dict())).split(b'"model"')[1]


def test_a_lesson_without_a_graph_still_opens_in_an_older_build(tmp_path):
    path = save_lesson(tmp_path / "plain.gradviz", Lesson(build_model().to_dict()))
    assert open_lesson(path, _older_build).model["models"].keys() == \
        build_model().to_dict()["models"].keys()
    model, live = _with_graph()
    path = save_lesson(tmp_path / "traced.gradviz", Lesson(model.to_dict()))
    live.close()
    with pytest.raises(LessonError, match="traced"):
        open_lesson(path, _older_build)


def test_a_saved_graph_reopens_as_data_with_its_values_and_gradients(tmp_path):
    model, live = _with_graph()
    path = save_lesson(tmp_path / "t.gradviz", Lesson(model.to_dict()))
    fresh = build_model()
    fresh.from_dict(open_lesson(path, build_model).model)
    graph = fresh["traced"]
    assert graph.reopened and not graph.is_live and len(graph) == len(live) > 5
    assert graph.nodes == live.nodes and graph.edges == live.edges
    for i in range(len(live)):
        assert graph.value(i) == live.value(i) and graph.grad(i) == live.grad(i)
    assert sum(graph.grad(i) is not None for i in range(len(graph))) > 5
    live.close()


def test_a_state_without_a_graph_empties_it_and_a_failed_load_keeps_it():
    model, live = _with_graph()
    with_graph = model.to_dict()
    fresh = build_model()
    fresh.from_dict(with_graph)
    assert len(fresh["traced"]) == len(live)
    bad = build_model().to_dict()
    bad["models"]["mininet"]["state"]["w"] = "not a number"
    with pytest.raises(StateError):
        fresh.from_dict(bad)
    assert len(fresh["traced"]) == len(live)  # all or nothing
    fresh.from_dict(build_model().to_dict())
    assert fresh["traced"].is_empty()
    broken = json.loads(json.dumps(with_graph))
    broken["models"]["traced"]["state"]["edges"][0] = [0, 10**6]
    fresh.from_dict(with_graph)
    before = fresh.to_dict()
    fresh["mininet"].w = 1.25
    with pytest.raises(StateError):
        fresh.from_dict(broken)
    assert fresh["mininet"].w == 1.25 and fresh["traced"].to_dict() == before["models"]["traced"]["state"]
    live.close()


def test_loading_keeps_no_reference_into_the_state():
    model, live = _with_graph()
    state = json.loads(json.dumps(model.to_dict()))
    fresh = build_model()
    fresh.from_dict(state)
    saved = fresh["traced"].to_dict()
    state["models"]["traced"]["state"]["nodes"][0]["op"] = "Changed"
    state["models"]["traced"]["state"]["edges"].clear()
    assert fresh["traced"].to_dict() == saved
    live.close()


def test_scenes_with_and_without_a_graph_switch_and_leave_the_lesson_unmodified():
    with_graph, live = _with_graph()
    model = build_model()  # a graph reopened from a lesson, as a lecturer's would be
    model.from_dict(json.loads(json.dumps(with_graph.to_dict())))
    live.close()
    scenes = model[SCENES_KEY]
    scenes.insert(0, capture_scene(model, ["graph"], "with a graph"))
    model["traced"].reset()
    scenes.insert(1, capture_scene(model, ["graph"], "without"))
    assert "traced" in scenes[0].state["models"] and "traced" not in scenes[1].state["models"]
    loaded = build_model()
    loaded.from_dict(json.loads(json.dumps(model.to_dict())))
    assert state_digest(loaded) == state_digest(loaded)
    for index in (0, 1, 0, 1):
        apply_scene_state(loaded, loaded[SCENES_KEY][index])
        loaded[SCENES_KEY].set_current(index)
        assert loaded["traced"].is_empty() == (index == 1)
        assert state_digest(loaded) == state_digest(loaded)
    apply_scene_state(loaded, loaded[SCENES_KEY][0])
    loaded[SCENES_KEY].set_current(0)
    walked = state_digest(loaded)
    apply_scene_state(loaded, loaded[SCENES_KEY][1])
    loaded[SCENES_KEY].set_current(1)
    assert state_digest(loaded) == walked  # showing a recorded scene is not an edit
    loaded["mininet"].w = 1.5
    assert state_digest(loaded) != walked


def test_file_new_clears_the_graph_and_the_digest_is_that_of_a_new_model():
    model, live = _with_graph()
    assert state_digest(model) != state_digest(build_model())
    model.reset()
    assert model["traced"].is_empty() and not live.is_live
    assert state_digest(model) == state_digest(build_model())


def test_the_same_saved_graph_is_validated_once():
    model, live = _with_graph()
    data = json.loads(json.dumps(live.to_dict()))
    first = TracedGraph.prepare_state(data)
    again = TracedGraph.prepare_state(json.loads(json.dumps(data)))
    assert again is first
    data["nodes"][0]["op"] = 7
    with pytest.raises(StateError):
        TracedGraph.prepare_state(data)  # other data: validated, and refused
    live.close()


def test_a_bad_graph_in_a_scene_refuses_the_whole_lesson(tmp_path):
    model, live = _with_graph()
    model[SCENES_KEY].insert(0, capture_scene(model, ["graph"], "graph"))
    data = json.loads(encode_lesson(Lesson(model.to_dict())))
    scene_state = data["model"]["models"][SCENES_KEY]["state"]["scenes"][0]["state"]
    scene_state["models"]["traced"]["state"]["nodes"][0]["dtype"] = "os.system"
    path = tmp_path / "bad.gradviz"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(LessonError, match="scene 1"):
        open_lesson(path, build_model)
    live.close()


def test_the_graph_editor_panel_declares_the_traced_sub_model():
    graph_panel = next(p for p in panel_infos() if p.name == "graph")
    made = graph_panel.models(AppModel())
    assert [type(m).__name__ for m in made] == ["Graph", "TracedGraph"]
    assert Scene().state == {}
