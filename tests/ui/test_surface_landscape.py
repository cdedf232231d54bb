"""The 3D panel's "Network loss" source: computed in the worker, cancelled, cached, invalidated,
with the balls' real paths projected onto the plane and only a recipe saved in lessons."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from test_surface_panel import _Host

from gradviz.core.landscape_paths import project
from gradviz.core.landscape_source import NETWORK
from gradviz.core.loss_surface import LossSurface

WAIT_MS = 60_000


@pytest.fixture
def panel(make_panel, app_model):
    from gradviz.ui.panels.surface.panel import QtSurfacePanel

    host = _Host()
    playground = app_model["playground"]
    playground.hidden = (4, 4)
    playground.step(20)
    state = app_model["surface"]
    state.net_grid = 21
    p = make_panel(QtSurfacePanel, (1300, 900), push=host.push, status=host.statuses.append)
    p.refresh_now()
    return p


def _choose_network(panel) -> None:
    combo = panel.surface_combo
    combo.setCurrentIndex(combo.findData(NETWORK))
    combo.activated.emit(combo.currentIndex())
    panel.refresh_now()


def _wait_for_race(qtbot, panel):
    state = panel.state

    def ready() -> bool:
        panel.refresh_now()
        land = state.landscapes.get(state.network_key())
        return land is not None and panel.network.race(state, land) is not None \
            and not panel.network.worker.busy()

    qtbot.waitUntil(ready, timeout=WAIT_MS)
    panel.refresh_now()
    return state.landscapes.get(state.network_key())


def test_the_source_is_offered_and_its_grid_computes_in_the_worker(qtbot, panel):
    assert panel.surface_combo.findData(NETWORK) >= 0
    assert not panel.network_controls.isVisibleTo(panel)
    _choose_network(panel)
    assert panel.state.surface == NETWORK
    assert panel.network_controls.isVisibleTo(panel)
    # Asked of the worker, not computed here: the key is tagged and the status says so.
    assert panel.network.worker.tag == ("grid", panel.state.network_key())
    assert len(panel.state.landscapes) == 0
    assert panel.network_controls.status.text().startswith("Computing the loss at 21×21")
    land = _wait_for_race(qtbot, panel)
    grid = land.grid
    assert panel._shown_grid is grid
    assert panel.contour.image.image.shape == (21, 21)
    # The centre of the random plane is the network's own weights: the loss it reports.
    train_loss = panel.state.playground.evaluate()[0]
    assert grid.f[10, 10] == pytest.approx(train_loss, abs=1e-5)
    assert panel.views.interp.isVisibleTo(panel)
    assert len(panel.views.interp.curves) == 1  # θ₀ → ball 1's end (ball 2 is off)
    assert "grid of real forward passes" in panel.network_controls.status.text()


def test_cancel_stops_the_grid_and_recompute_starts_it_again(qtbot, panel):
    panel.state.playground.hidden = (16, 16)
    panel.state.net_grid = 101
    _choose_network(panel)
    assert panel.network.worker.tag is not None
    qtbot.mouseClick(panel.network_controls.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.network.worker.busy(), timeout=WAIT_MS)
    qtbot.wait(50)
    panel.refresh_now()
    assert panel.state.landscapes.get(panel.state.network_key()) is None
    assert not panel.network.worker.busy()  # a refresh does not start it again by itself
    assert panel.network_controls.status.text() == "Cancelled."
    assert panel.network_controls.recompute_button.isVisibleTo(panel)
    panel.state.net_grid = 11
    qtbot.mouseClick(panel.network_controls.recompute_button, Qt.MouseButton.LeftButton)
    land = _wait_for_race(qtbot, panel)
    assert land.losses.shape == (11, 11)


def test_switching_back_to_a_computed_plane_is_a_cache_hit(qtbot, panel):
    _choose_network(panel)
    first = _wait_for_race(qtbot, panel)
    panel.state.net_seed1 = 7
    second = _wait_for_race(qtbot, panel)
    assert second is not first
    assert not np.allclose(second.losses, first.losses)
    panel.state.net_seed1 = 1
    t0 = time.perf_counter()
    panel.refresh_now()
    elapsed = time.perf_counter() - t0
    assert panel._shown_grid is first.grid
    # Nothing asked of the worker: the grid and the balls' race both came from the cache.
    assert panel.network.worker.tag is None
    assert panel.network.race(panel.state, first) is not None
    assert panel.contour.trails[0].isVisible()
    assert elapsed < 0.5
    assert len(panel.state.landscapes) == 2


def test_changing_hidden_invalidates_the_cache(qtbot, panel):
    _choose_network(panel)
    before = _wait_for_race(qtbot, panel)
    assert len(panel.state.landscapes) == 1
    panel.state.playground.hidden = (3,)
    assert len(panel.state.landscapes) == 0
    after = _wait_for_race(qtbot, panel)
    assert after.key != before.key
    params = sum(p.numel() for p in panel.state.playground.network.parameters())
    assert len(after.plane.origin) == params


def test_paths_are_projected_with_their_distance_off_the_plane(qtbot, panel):
    state = panel.state
    state.ball2 = "adam"
    _choose_network(panel)
    land = _wait_for_race(qtbot, panel)
    race = panel.network.race(state, land)
    assert [p.number for p in race.paths] == [1, 2]
    for _ in range(30):
        assert panel.step(+1)
    panel.refresh_now()
    assert state.landscapes.index == 30
    for i, path in enumerate(race.paths):
        # The balls start at θ*, the centre of the plane: on it, at (0, 0).
        assert path.distance[0] == pytest.approx(0.0, abs=1e-6)
        assert np.allclose(path.coords[0], 0.0, atol=1e-6)
        # Training in the full space leaves the plane: the distance says so.
        assert path.distance[30] > 1e-4
        xs, ys = panel.contour.trails[i].getData()
        assert np.allclose(xs, path.coords[:31, 0]) and np.allclose(ys, path.coords[:31, 1])
        assert "off the plane by" in panel.ball_states[path.number - 1].text()
    # The projection is the least-squares one: the residual is orthogonal to the plane.
    weights = torch.stack([land.plane.point(*map(float, race.paths[0].coords[30]))])
    coords, distance = project(land.plane, weights)
    assert float(distance[0]) == pytest.approx(0.0, abs=1e-6)
    names = [item[1].text for item in panel.loss_plot.legend.items]
    assert all("off the plane" in n for n in names)


def test_three_point_plane_puts_both_solutions_in_one_picture(qtbot, panel):
    state = panel.state
    state.ball2 = "adam"
    state.net_plane = "three_point"
    _choose_network(panel)
    land = _wait_for_race(qtbot, panel)
    assert land.axis[0] == pytest.approx(-0.5) and land.axis[-1] == pytest.approx(1.5)
    race = panel.network.race(state, land)
    ends = [p.coords[-1] for p in race.paths]
    assert np.allclose(ends[0], (1.0, 0.0), atol=1e-4)
    assert np.allclose(ends[1], (0.0, 1.0), atol=1e-4)
    assert len(panel.views.interp.curves) == 2


def test_a_lesson_stores_the_recipe_never_tensors(qtbot, panel):
    state = panel.state
    state.net_seed1, state.net_seed2, state.net_grid, state.net_span = 11, 12, 31, 0.5
    _choose_network(panel)
    _wait_for_race(qtbot, panel)
    saved = state.to_dict()
    assert set(saved) <= set(LossSurface.SETTINGS)
    assert {"net_seed1", "net_seed2", "net_grid", "net_span"} <= set(saved)
    assert "net_plane" not in saved  # at its default: saved as before the field existed
    assert all(isinstance(v, str | int | float | bool) for v in saved.values())
    fresh = LossSurface()
    fresh.from_dict(saved)
    assert (fresh.surface, fresh.net_seed1, fresh.net_seed2, fresh.net_grid, fresh.net_span) == (
        NETWORK, 11, 12, 31, 0.5)
    with pytest.raises(ValueError):
        fresh.from_dict({**saved, "net_grid": 30})
    assert fresh.net_grid == 31
