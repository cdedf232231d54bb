"""A scene change loads only what differs, and panels hidden meanwhile catch up when shown:
after every change each shown panel shows exactly the scene's state."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz.core.model import state_fingerprint
from gradviz.lesson.scenes import SCENES_KEY, capture_scene


def _record(window, panels):
    scenes = window.model[SCENES_KEY]
    scenes.insert(len(scenes), capture_scene(window.model, panels, f"scene {len(scenes) + 1}"))


def _holds(model, scene) -> bool:
    """Every sub-model the scene names holds the scene's saved state."""
    return all(state_fingerprint(model[k].to_dict()) == f for k, f in scene.fingerprints.items())


def test_a_scene_change_leaves_an_unchanged_sub_model_untouched(window):
    model = window.model
    pg, graph, tangent = model["playground"], model["graph"], model["tangent"]
    tangent.x = 0.5
    _record(window, ["tangent"])
    tangent.x = 1.5
    _record(window, ["tangent"])
    assert window.lessons.go_to_scene(0)
    run = pg.run
    resets, graph_changes = [], []
    pg.events.was_reset.connect(lambda *_: resets.append(1))
    graph.events.changed.connect(lambda *_: graph_changes.append(1))
    for index in (1, 0, 1):
        assert window.lessons.go_to_scene(index)
        assert tangent.x == (1.5 if index else 0.5)
        assert _holds(model, model[SCENES_KEY][index])
    assert pg.run is run  # the same object: never rebuilt
    assert resets == [] and graph_changes == []
    pg.seed = pg.seed + 1  # an edit on top of the scene: the next scene loads it again
    assert window.lessons.go_to_scene(0)
    assert resets and pg.run is not run
    assert _holds(model, model[SCENES_KEY][0])


def _shown_points(panel) -> np.ndarray:
    x, y = panel.plane_view.train_points.getData()
    return np.column_stack([x, y])


def test_a_hidden_panel_redraws_when_it_is_shown(window, qtbot):
    model = window.model
    pg = model["playground"]
    _record(window, ["playground"])
    pg.seed = pg.seed + 7  # another data set, recorded in a scene that does not show it
    _record(window, ["tangent"])
    assert window.lessons.go_to_scene(0, exclusive=True)
    panel = window.panel("playground")
    qtbot.waitExposed(panel)
    first = pg.data()[0].numpy()
    np.testing.assert_allclose(_shown_points(panel), first)

    assert window.lessons.go_to_scene(1, exclusive=True)
    assert not panel.isVisible()
    second = pg.data()[0].numpy()
    assert not np.allclose(second, first)
    np.testing.assert_allclose(_shown_points(panel), first)  # hidden: the redraw waits

    window.show_panel("playground")
    qtbot.waitExposed(panel)
    np.testing.assert_allclose(_shown_points(panel), second)
    assert panel.status_label.text().startswith(f"step {pg.steps}")


@pytest.mark.parametrize("exclusive", [False, True])
def test_every_shown_panel_shows_the_scene_after_a_walk(window, qtbot, exclusive):
    model = window.model
    pg = model["playground"]
    for seed in (3, 4):
        pg.seed = seed
        _record(window, ["playground"])
        _record(window, ["tangent"])
    for index in (0, 1, 2, 3, 2, 0, 3):
        assert window.lessons.go_to_scene(index, exclusive=exclusive)
    window.show_panel("playground")
    qtbot.waitExposed(window.panel("playground"))
    assert pg.seed == 4
    np.testing.assert_allclose(_shown_points(window.panel("playground")), pg.data()[0].numpy())
