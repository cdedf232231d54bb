"""The network-loss source of the 3D panel, without Qt: snapshots, grids in pieces, cancel,
the cache, invalidation, projected races and the saved recipe."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gradviz.core.landscape import flatten, loss_grid, random_directions
from gradviz.core.landscape_race import NetworkLandscape, compute_race, network_frame
from gradviz.core.landscape_source import (
    NETWORK,
    Cancelled,
    GridSpec,
    Snapshot,
    compute_landscape,
)
from gradviz.core.loss_surface import LossSurface
from gradviz.core.model import StateError
from gradviz.core.playground import PlaygroundModel


@pytest.fixture
def playground():
    model = PlaygroundModel()
    model.hidden = (4, 3)
    model.step(15)
    return model


def test_grid_equals_loss_grid_and_leaves_the_network_alone(playground):
    before = flatten(playground.network.parameters()).clone()
    seen = []
    land = compute_landscape(Snapshot.of(playground), GridSpec("random", 11, 0.7, (3, 4)),
                             seen.append)
    params = list(playground.network.parameters())
    reference = loss_grid(playground, (random_directions(params, 3), random_directions(params, 4)),
                          n=11, span=0.7)
    assert np.allclose(land.losses, reference.numpy(), atol=1e-6)
    assert land.losses[5, 5] == pytest.approx(playground.evaluate()[0], abs=1e-6)
    assert torch.equal(flatten(playground.network.parameters()), before)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 1


def test_cancel_stops_between_pieces(playground):
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        compute_landscape(Snapshot.of(playground), GridSpec("random", 51, 1.0, (1, 2)),
                          cancelled=cancelled)
    assert len(calls) == 3


def test_the_private_copy_has_the_same_initialization_and_data(playground):
    model, theta0 = Snapshot.of(playground).rebuild()
    fresh = PlaygroundModel()
    fresh.hidden = (4, 3)
    assert torch.equal(theta0, flatten(fresh.network.parameters()))
    assert torch.equal(model.data()[0], playground.data()[0])
    assert model.evaluate() == playground.evaluate()


def test_three_point_plane_holds_both_runs_and_the_race_projects_onto_it(playground):
    surface = LossSurface.sharing(None, playground)
    surface.ball2, surface.lr2 = "adam", 0.05
    surface.net_plane = "three_point"
    land = compute_landscape(Snapshot.of(playground), surface.network_spec())
    race = compute_race(land, surface.network_balls())
    for path, corner in zip(race.paths, ((1.0, 0.0), (0.0, 1.0)), strict=True):
        assert np.allclose(path.coords[-1], corner, atol=1e-5)
        assert path.distance[0] == pytest.approx(0.0, abs=1e-6)
        assert path.distance[-1] == pytest.approx(0.0, abs=1e-4)
    # In between, a run is not a straight line: it leaves the plane, and the frame says so.
    assert race.paths[0].distance.max() > 1e-3
    frame = network_frame(land.grid, race, 10)
    assert all("off the plane" in name for name in frame.names)
    assert np.allclose(frame.trails2d[0], race.paths[0].coords[:11])
    labels = [c[0] for c in race.curves]
    assert labels == ["θ₀ → ball 1's end", "ball 1's end → ball 2's end"]
    t, losses = race.curves[0][1], race.curves[0][2]
    assert t[0] == -0.5 and t[-1] == 1.5
    i0, i1 = int(np.argmin(abs(t))), int(np.argmin(abs(t - 1)))
    assert losses[i0] == pytest.approx(race.paths[0].losses[0], abs=1e-5)
    assert losses[i1] == pytest.approx(race.paths[0].losses[-1], abs=1e-5)


def test_three_point_plane_needs_two_runs(playground):
    surface = LossSurface.sharing(None, playground)
    surface.net_plane = "three_point"
    with pytest.raises(ValueError, match="two runs"):
        compute_landscape(Snapshot.of(playground), surface.network_spec())


def test_cache_is_keyed_by_weights_plane_and_grid_and_invalidated_by_the_playground(playground):
    surface = LossSurface.sharing(None, playground)
    surface.surface = NETWORK
    key = surface.network_key()
    land = compute_landscape(surface.landscapes.snapshot(playground), surface.network_spec())
    assert land.key == key
    surface.landscapes.put(land)
    surface.net_seed2 = 9
    assert surface.network_key() != key
    surface.net_seed2 = 2
    assert surface.landscapes.get(surface.network_key()) is land
    playground.step(1)  # the picture stays pinned, and knows it is stale
    assert surface.network_key() == key and surface.landscapes.stale(playground)
    for name, value in (("hidden", (2,)), ("seed", 5), ("noise", 0.2)):
        surface.landscapes.put(land)
        setattr(playground, name, value)
        assert len(surface.landscapes) == 0, name
        assert surface.network_key() != key


def test_steps_walk_the_computed_race(playground):
    state = NetworkLandscape()
    assert not state.step()
    surface = LossSurface.sharing(None, playground)
    land = compute_landscape(Snapshot.of(playground), GridSpec("random", 11, 1.0, (1, 2)))
    state.set_race(compute_race(land, surface.network_balls()))
    assert state.step(3) and state.index == 3
    assert state.back() and state.index == 2
    state.step(10**6)
    assert state.index == state.race.steps and not state.step()
    race = state.race
    assert state.find_race(race.key) is race  # kept for a switch back
    state.invalidate()
    assert state.find_race(race.key) is None and state.race is None and state.index == 0


def test_network_settings_are_validated_and_saved_only_when_used():
    s = LossSurface()
    with pytest.raises(StateError, match="odd"):
        s.net_grid = 50
    with pytest.raises(StateError):
        s.net_grid = 103
    assert s.net_grid == 51
    assert not any(k.startswith("net_") for k in s.to_dict())
    s.net_seed1 = 4
    assert s.to_dict()["net_seed1"] == 4
    t = LossSurface()
    t.net_seed2 = 8
    t.from_dict(s.to_dict())  # a missing field is its default again
    assert (t.net_seed1, t.net_seed2) == (4, 2)
    for name in ("net_plane", "net_grid", "net_span", "net_seed1", "net_seed2"):
        setting = s.setting(name)
        assert setting.label and setting.doc
