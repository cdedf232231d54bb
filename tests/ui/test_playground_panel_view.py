"""The Playground's Qt-free view maths and ghost runs (no widgets): edges carry the real weights,
the pointer finds the edge under it, the mosaic places every tile, ghosts are validated."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gradviz.core.model import StateError
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_ghosts import MAX_GHOSTS, PlaygroundGhosts, run_label
from gradviz.core.playground_view import (
    TILE_PX,
    click_label,
    edge_bins,
    edge_table,
    layer_sizes,
    mosaic_layout,
    mosaic_rgba,
    nearest_edge,
    nearest_neuron,
    neuron_positions,
    weight_text,
    with_values,
)


@pytest.fixture
def model():
    m = PlaygroundModel()
    m.hidden = (3, 2)
    m.step(4)
    return m


def test_edges_carry_each_weight_and_gradient(model):
    net = model.network
    sizes = layer_sizes(net)
    assert sizes == [2, 3, 2, 1]
    table = edge_table(net, neuron_positions(sizes))
    assert len(table.weights) == 2 * 3 + 3 * 2 + 2 * 1
    for i, (layer, j, k) in enumerate(table.index):
        w = net[2 * layer].weight
        assert table.weights[i] == float(w.detach()[j, k]) and table.grads[i] == float(w.grad[j, k])
    model.step(1)
    again = with_values(table, net)
    assert again.weights[0] == float(net[0].weight[0, 0]) != table.weights[0]


def test_the_pointer_finds_the_edge_it_is_on(model):
    positions = neuron_positions(layer_sizes(model.network))
    table = edge_table(model.network, positions)
    i = 7
    x0, y0, x1, y1 = table.segments[i]
    assert nearest_edge(table, 0.3 * x0 + 0.7 * x1, 0.3 * y0 + 0.7 * y1, 0.01) == i
    assert nearest_edge(table, -5.0, -5.0, 0.05) is None
    layer, j, k = table.index[i]
    assert weight_text(table, i).startswith(f"W{layer + 1}[{j},{k}] = ")
    assert nearest_neuron(positions, *positions[2][1]) == (2, 1)


def test_edge_bins_split_by_sign_and_give_the_largest_the_widest():
    weights = np.array([0.1, -0.2, 1.0, -0.05, 0.5])
    groups = {(p, b): list(idx) for p, b, idx in edge_bins(weights)}
    assert sorted(i for idx in groups.values() for i in idx) == list(range(5))
    assert groups[(True, 3)] == [2]
    assert all(weights[i] < 0 for (p, _), idx in groups.items() if not p for i in idx)


def test_the_mosaic_puts_each_tile_where_its_neuron_is():
    positions = neuron_positions([2, 3, 1])
    mosaic = mosaic_layout(positions)
    maps = [np.full((n, TILE_PX, TILE_PX), v, dtype=np.float32)
            for n, v in ((2, 1.0), (3, -1.0), (1, 0.5))]
    lut = np.array([[0, 0, 255], [255, 255, 255], [255, 0, 0]], dtype=np.ubyte)
    image = mosaic_rgba(maps, mosaic, lut)
    assert image.shape == (*mosaic.shape, 4)
    opaque = image[..., 3] == 255
    assert opaque.sum() == 6 * TILE_PX**2 + len(mosaic.ring)
    x0, y0, w, h = mosaic.rect
    for layer, expected in ((0, [255, 0, 0]), (1, [0, 0, 255])):
        x, y = positions[layer][0]
        col = int((x - x0) / w * mosaic.shape[1])
        row = int((y - y0) / h * mosaic.shape[0])
        assert list(image[row, col, :3]) == expected


def test_click_labels_follow_the_task():
    assert click_label("binary", "left") == 1.0 and click_label("binary", "right") == 0.0
    assert click_label("binary", "middle") is None
    assert click_label("multiclass", "middle") == 2.0
    assert click_label("regression", "right") == -1.0


def test_ghosts_keep_at_most_four_and_refuse_bad_data():
    ghosts = PlaygroundGhosts()
    seen = []
    ghosts.events.changed.connect(seen.append)
    for i in range(6):
        ghosts.keep(f"run {i}", [0.7, 0.6 - i / 100], [0.7, 0.65])
    assert [g.label for g in ghosts.ghosts] == [f"run {i}" for i in range(2, 6)]
    assert len(ghosts.ghosts) == MAX_GHOSTS and len(seen) == 6
    saved = ghosts.to_dict()
    for bad in ({"ghosts": "x"}, {"ghosts": [{"label": 3, "train": [], "test": []}]},
                {"ghosts": [{"label": "a", "train": [1.0], "test": []}]},
                {"ghosts": [{"label": "a", "train": [True], "test": [1.0]}]},
                {"ghosts": [saved["ghosts"][0]] * 5}):
        with pytest.raises(StateError):
            ghosts.from_dict(bad)
    assert ghosts.to_dict() == saved
    diverged = PlaygroundGhosts()
    diverged.keep("nan run", [0.5, float("nan")], [0.5, float("inf")])
    copy = PlaygroundGhosts()
    copy.from_dict(diverged.to_dict())
    assert np.isnan(copy.ghosts[0].train[1]) and copy.ghosts[0].test[1] == float("inf")


def test_a_run_label_names_its_settings(model):
    label = run_label(model.settings(), model.steps)
    assert label == "3-2 tanh · Adam lr 0.01 · batch 10 · seed 0 · 4 steps"
    model.regularization = "L2"
    assert "L2 0.001" in run_label(model.settings(), 0)


def test_edge_table_reads_torch_not_copies(model):
    table = edge_table(model.network, neuron_positions(layer_sizes(model.network)))
    with torch.no_grad():
        model.network[0].weight[1, 0] = 0.25
    assert with_values(table, model.network).weights[2] == 0.25
