"""Neuron heatmaps and the decision grid come from one batched forward pass and equal the
network evaluated point by point."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_heatmaps import decision_grid, grid_points, neuron_heatmaps


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_every_neuron_on_the_grid(activation):
    model = PlaygroundModel()
    model.hidden = (5, 3)
    model.activation = activation
    model.step(5)
    maps = neuron_heatmaps(model.network, n=20)
    assert [m.shape for m in maps.layers] == [(5, 20, 20), (3, 20, 20), (1, 20, 20)]
    assert all(m.dtype == np.float32 for m in maps.layers)
    # Row i is x2 = ys[i], column j is x1 = xs[j].
    i, j = 3, 17
    point = torch.tensor([[maps.xs[j], maps.ys[i]]], dtype=torch.float32)
    net = model.network
    with torch.no_grad():
        hidden1 = net[1](net[0](point))
        out = net(point)
    np.testing.assert_allclose(maps.layers[0][:, i, j], hidden1[0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(maps.layers[-1][:, i, j], out[0].numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dataset", ["circle", "three_class", "plane"])
def test_decision_grid_follows_the_task(dataset):
    model = PlaygroundModel()
    model.dataset = dataset
    model.step(30)
    grid = decision_grid(model.network, model.task, n=25)
    points, _ = grid_points(25)
    with torch.no_grad():
        out = model.network(points)
    assert grid.shape == (25, 25)
    if dataset == "circle":
        expected = torch.sigmoid(out[:, 0])
        assert ((grid >= 0) & (grid <= 1)).all()
    elif dataset == "three_class":
        expected = out.argmax(1).float()
    else:
        expected = out[:, 0]
    np.testing.assert_allclose(grid.reshape(-1), expected.numpy(), rtol=1e-6)
