"""The neuron graph's leaf gradients are torch's per-point gradients of that neuron's weights."""

from __future__ import annotations

import pytest
import torch

from gradviz.core.playground import PlaygroundModel
from gradviz.graph.model import Graph
from gradviz.graph.neuron_graph import ReplaceGraphCommand, neuron_graph, point_pass


def _trained(dataset: str, activation: str, hidden=(4, 3)) -> PlaygroundModel:
    model = PlaygroundModel()
    model.dataset = dataset
    model.activation = activation
    model.hidden = hidden
    model.step(15)
    return model


def _torch_point_grads(model, i, layer, j):
    """Torch's own gradient of the point's loss w.r.t. neuron j's weights, computed afresh."""
    x, y = model.data()[0][i:i + 1], model.data()[1][i:i + 1]
    net = model.network
    params = list(net.parameters())
    grads = torch.autograd.grad(model_loss(model, net(x), y), params)
    return grads[2 * layer][j], grads[2 * layer + 1][j]


def model_loss(model, out, y):
    from gradviz.core.playground_net import data_loss
    return data_loss(out, y, model.task)


@pytest.mark.parametrize("dataset, activation", [
    ("circle", "tanh"), ("xor", "relu"), ("spiral", "sigmoid"), ("three_class", "tanh"),
    ("plane", "linear"),
])
def test_leaf_gradients_equal_torch_per_point(dataset, activation):
    model = _trained(dataset, activation)
    n_layers = len(model.hidden) + 1
    for i in (0, 7):
        x, y = model.data()[0][i], float(model.data()[1][i])
        for layer in range(n_layers):
            for j in (0, 1) if layer < n_layers - 1 else (0,):
                graph = neuron_graph(model.network, model.task, x, y, layer, j)
                result = graph.run()
                assert not result.problems
                w_grad, b_grad = _torch_point_grads(model, i, layer, j)
                for k, g in enumerate(w_grad.tolist()):
                    assert result.grads[f"w{k}"] == pytest.approx(g, abs=1e-6)
                assert result.grads["b"] == pytest.approx(float(b_grad), abs=1e-6)


def test_the_point_pass_leaves_the_training_gradients_alone():
    model = _trained("circle", "tanh")
    before = [p.grad.clone() for p in model.network.parameters()]
    point_pass(model.network, model.task, model.data()[0][0], 1.0, 0)
    for p, g in zip(model.network.parameters(), before, strict=True):
        assert torch.equal(p.grad, g)


def test_replacing_the_graph_is_one_undoable_command():
    graph = Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\ny = x * x\ny.backward()\n")
    before = graph.to_dict()
    model = _trained("circle", "tanh")
    new = neuron_graph(model.network, model.task, model.data()[0][0], 1.0, 1, 0)
    command = ReplaceGraphCommand(graph, new)
    command.do()
    assert graph.input_named("w3") is not None and graph.input_named("x") is None
    command.undo()
    assert graph.to_dict() == before
