"""SceneLoader: a scene loads only the sub-models whose state it changes, and the model ends up
holding exactly the scene's state whatever happened in between."""

from __future__ import annotations

import torch
from torch import nn

from gradviz.app import build_model
from gradviz.core.model import state_fingerprint
from gradviz.graph.trace import trace_module
from gradviz.graph.trace_model import TracedGraph
from gradviz.lesson.scene_loading import SceneLoader
from gradviz.lesson.scenes import capture_scene


def _holds(model, scene) -> bool:
    return all(state_fingerprint(model[k].to_dict()) == f for k, f in scene.fingerprints.items()
               if not hasattr(model[k], "fingerprint"))


def test_only_what_differs_is_loaded_and_the_result_is_the_scene():
    model = build_model()
    model["tangent"].x = 0.25
    first = capture_scene(model, ["tangent"])
    model["tangent"].x = 1.75
    model["playground"].seed = 9
    second = capture_scene(model, ["tangent"])
    loader = SceneLoader(model)
    assert "tangent" in loader.apply(first) and _holds(model, first)
    assert sorted(loader.apply(second)) == ["playground", "tangent"]
    run, resets = model["playground"].run, []
    model["playground"].events.was_reset.connect(lambda *_: resets.append(1))
    assert loader.apply(second) == []  # already shown: nothing loads, nothing is announced
    model["tangent"].x = -1.0  # an edit on top of the scene
    assert loader.apply(second) == ["tangent"] and _holds(model, second)
    assert model["playground"].run is run and resets == []


def test_a_kept_sub_model_that_offers_is_empty_is_not_reset_and_scenes_stay_unchanged():
    torch.manual_seed(0)
    model = build_model()
    graph = model.replace(trace_module(nn.Linear(3, 2), torch.randn(4, 3)))
    with_graph = capture_scene(model, ["traced"])
    model.replace(TracedGraph())
    without = capture_scene(model, ["graph"])
    model.replace(graph)
    saved = state_fingerprint(with_graph.state)
    loader = SceneLoader(model)
    loader.apply(with_graph)
    shown = model["traced"].fingerprint()
    assert len(model["traced"]) > 0
    model["tangent"].x = 0.5  # something else differs: the model is loaded, the graph kept
    assert loader.apply(with_graph) == ["tangent"]
    assert len(model["traced"]) > 0 and model["traced"].fingerprint() == shown
    loader.apply(without)
    assert model["traced"].is_empty()
    loader.apply(with_graph)
    assert model["traced"].fingerprint() == shown
    assert state_fingerprint(with_graph.state) == saved  # loading never changed the scene
    graph.close()
