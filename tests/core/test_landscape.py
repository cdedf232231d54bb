"""The loss landscape: filter-normalized directions, the batched grid against a plain loop, the
three-point plane, projection, interpolation and the optimizer race — and the network's weights
untouched throughout."""

from __future__ import annotations

import pytest
import torch

from gradviz.core.landscape import (
    flatten,
    loss_grid,
    loss_grid_loop,
    random_directions,
    unflatten,
)
from gradviz.core.landscape_paths import (
    RaceEntry,
    interpolate,
    plane_grid,
    plane_of_directions,
    project,
    race,
    three_point_plane,
)
from gradviz.core.playground import PlaygroundModel


@pytest.fixture(params=[("circle", "tanh"), ("three_class", "relu"), ("plane", "sigmoid")])
def model(request) -> PlaygroundModel:
    dataset, activation = request.param
    m = PlaygroundModel()
    m.dataset = dataset
    m.activation = activation
    m.hidden = (6, 5)
    m.step(20)
    return m


def _params(m: PlaygroundModel) -> list[torch.Tensor]:
    return list(m.network.parameters())


def test_filter_normalized_slices_have_the_weights_norms_and_biases_are_zero(model):
    params = _params(model)
    direction = random_directions(params, seed=7)
    assert [d.shape for d in direction] == [p.shape for p in params]
    for p, d in zip(params, direction, strict=True):
        if p.dim() >= 2:
            torch.testing.assert_close(d.norm(dim=1), p.detach().norm(dim=1), rtol=1e-5, atol=1e-6)
        else:
            assert torch.count_nonzero(d) == 0
    assert all(torch.equal(a, b) for a, b in zip(direction, random_directions(params, 7),
                                                  strict=True))
    assert not torch.equal(direction[0], random_directions(params, 8)[0])


def test_directions_use_their_own_generator():
    m = PlaygroundModel()
    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)
    random_directions(_params(m), 3)
    assert torch.equal(torch.rand(2), expected)


def _dirs(m):
    return random_directions(_params(m), 1), random_directions(_params(m), 2)


@pytest.mark.parametrize("method", ["bmm", "vmap"])
def test_grid_centre_is_evaluate_and_weights_stay(model, method):
    before = [p.detach().clone() for p in _params(model)]
    grid = loss_grid(model, _dirs(model), n=11, span=0.5, method=method)
    assert grid.shape == (11, 11) and grid.dtype == torch.float64
    assert float(grid[5, 5]) == pytest.approx(model.evaluate()[0], abs=1e-6)
    for p, q in zip(before, _params(model), strict=True):
        assert torch.equal(p, q)
    assert grid.std() > 0


def test_batched_grid_equals_a_plain_loop(model):
    dirs = _dirs(model)
    cells = [(0, 0), (2, 9), (8, 3), (10, 10), (5, 5)]
    batched = loss_grid(model, dirs, n=11, span=1.0)
    looped = loss_grid_loop(model, dirs, n=11, span=1.0, at=cells)
    for i, j in cells:
        assert float(batched[i, j]) == pytest.approx(float(looped[i, j]), abs=1e-5)
    vmapped = loss_grid(model, dirs, n=11, span=1.0, method="vmap")
    torch.testing.assert_close(vmapped, batched, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n", [0, 4, 50, 2.0, True])
def test_even_or_odd_less_grids_are_refused(n):
    m = PlaygroundModel()
    with pytest.raises(ValueError, match="odd"):
        loss_grid(m, _dirs(m), n=n)


def test_flatten_round_trips():
    params = _params(PlaygroundModel())
    back = unflatten(flatten(params), params)
    assert all(torch.equal(a, b) for a, b in zip(params, back, strict=True))


def _vectors(model):
    theta0 = flatten(_params(model))
    runs = race(model, [RaceEntry("SGD", 0.1), RaceEntry("Adam", 0.02)], steps=15)
    return theta0, runs


def test_race_trains_copies_with_real_optimizers(model):
    before = [p.detach().clone() for p in _params(model)]
    theta0, runs = _vectors(model)
    for p, q in zip(before, _params(model), strict=True):
        assert torch.equal(p, q)
    for run in runs:
        assert run.path.shape == (16, len(theta0)) and torch.equal(run.path[0], theta0)
        assert run.losses[0] == pytest.approx(model.evaluate()[0], abs=1e-6)
        assert run.losses[-1] < run.losses[0]
    # The SGD racer's first step is exactly torch.optim.SGD on the full batch.
    x, y, _, _ = model.data()
    net = [p.detach().clone().requires_grad_(True) for p in _params(model)]
    names = [n for n, _ in model.network.named_parameters()]
    out = torch.func.functional_call(model.network, dict(zip(names, net, strict=True)), (x,))
    from gradviz.core.playground_net import data_loss, penalty

    loss = data_loss(out, y, model.task) + penalty(model.network, "none", 0.0)
    grads = torch.autograd.grad(loss, net)
    expected = theta0 - 0.1 * flatten(grads)
    torch.testing.assert_close(runs[0].path[1], expected, rtol=1e-5, atol=1e-6)


def test_projecting_points_of_the_plane_gives_them_back(model):
    theta0, runs = _vectors(model)
    plane = three_point_plane(theta0, runs[0].path[-1], runs[1].path[-1])
    points = torch.stack([plane.point(0, 0), plane.point(1, 0), plane.point(0, 1),
                          plane.point(0.3, -0.7)])
    coords, distance = project(plane, points)
    torch.testing.assert_close(coords, torch.tensor([[0.0, 0.0], [1, 0], [0, 1], [0.3, -0.7]],
                                                    dtype=torch.float64), atol=1e-9, rtol=0)
    assert distance.max() < 1e-9
    off = plane.point(0.5, 0.5) + 0.1 * torch.randn(len(theta0), dtype=torch.float64,
                                                    generator=torch.Generator().manual_seed(0))
    assert float(project(plane, off)[1][0]) > 0.01


def test_path_projection_on_the_direction_plane(model):
    theta0, runs = _vectors(model)
    plane = plane_of_directions(theta0, _dirs(model))
    coords, distance = project(plane, runs[0].path)
    assert coords.shape == (16, 2) and float(distance[0]) < 1e-9 and float(distance[-1]) > 0


def test_three_point_grid_passes_through_the_three_points(model):
    theta0, runs = _vectors(model)
    plane = three_point_plane(theta0, runs[0].path[-1], runs[1].path[-1])
    grid, axis = plane_grid(model, plane, n=9, lo=-1.0, hi=1.0)
    assert float(axis[4]) == 0.0 and float(axis[8]) == 1.0
    assert float(grid[4, 4]) == pytest.approx(float(runs[0].losses[0]), abs=1e-5)
    assert float(grid[8, 4]) == pytest.approx(float(runs[0].losses[-1]), abs=1e-5)
    assert float(grid[4, 8]) == pytest.approx(float(runs[1].losses[-1]), abs=1e-5)
    with pytest.raises(ValueError, match="line"):
        three_point_plane(theta0, runs[0].path[-1], 2 * runs[0].path[-1] - theta0)


def test_interpolation_runs_from_minus_half_to_one_and_a_half(model):
    theta0, runs = _vectors(model)
    theta1 = runs[1].path[-1]
    losses, ts = interpolate(model, theta0, theta1, n=9)
    assert float(ts[0]) == -0.5 and float(ts[-1]) == 1.5 and float(ts[2]) == 0.0
    assert float(losses[2]) == pytest.approx(float(runs[1].losses[0]), abs=1e-5)
    assert float(losses[6]) == pytest.approx(float(runs[1].losses[-1]), abs=1e-5)
