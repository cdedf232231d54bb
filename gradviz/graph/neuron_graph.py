"""One neuron of the Playground network on one data point, as a scalar computational graph.

The graph is the neuron's own arithmetic, w·x + b → activation, with its weights as leaves that
require grad and its inputs as plain tensors, all holding the values torch has right now. For a
hidden neuron the rest of the network is folded into one number: ``L = a * g`` with
g = ∂ℓ/∂a read from torch, so the graph's leaf gradients are exactly torch's per-point ∂ℓ/∂w.
For an output neuron the point's loss is written out (BCE with logits as log(1 + eᶻ) − y·z, the
squared error for regression; for three classes, ``z * g`` with g = ∂ℓ/∂z from torch).

The source is generated from validated numbers only and read by the graph's own code importer
(:meth:`Graph.from_code`), so the editor shows it exactly as if typed.
"""

from __future__ import annotations

from typing import Any

import torch

from gradviz.core.playground_net import data_loss
from gradviz.graph.model import Graph


def _linears(network: torch.nn.Sequential) -> list[torch.nn.Linear]:
    return [m for m in network if isinstance(m, torch.nn.Linear)]


def _activation(network: torch.nn.Sequential, layer: int) -> str | None:
    """The torch function name after linear layer ``layer`` (None for linear or the output)."""
    modules = list(network)
    at = modules.index(_linears(network)[layer])
    if at + 1 >= len(modules):
        return None
    name = type(modules[at + 1]).__name__.lower()
    return name if name in ("relu", "tanh", "sigmoid") else None


def point_pass(network: torch.nn.Sequential, task: str, x: torch.Tensor, y: float,
               layer: int) -> dict[str, Any]:
    """For one point: the inputs of linear layer ``layer``, its pre-activations z, ∂ℓ/∂a of its
    outputs (ℓ the point's data loss) and torch's per-point gradients of its weights and bias."""
    xs = x.reshape(1, 2).to(torch.float32)
    ys = torch.tensor([y], dtype=torch.float32)
    params = list(network.parameters())
    saved = [None if p.grad is None else p.grad.clone() for p in params]
    for p in params:
        p.grad = None
    a, captured = xs, {}
    for module in network:
        if module is _linears(network)[layer]:
            captured["inputs"] = a.detach()[0]
            a = module(a)
            captured["z"] = a
            a.retain_grad()
            continue
        a = module(a)
        if "z" in captured and "a" not in captured:
            captured["a"] = a
            a.retain_grad()
    loss = data_loss(a, ys, task)
    loss.backward()
    lin = _linears(network)[layer]
    out = {"inputs": captured["inputs"], "z": captured["z"].detach()[0],
           "dz": captured["z"].grad[0].clone(),
           "da": captured["a"].grad[0].clone() if "a" in captured else None,
           "w_grad": lin.weight.grad.clone(), "b_grad": lin.bias.grad.clone(),
           "loss": float(loss.detach())}
    for p, g in zip(params, saved, strict=True):
        p.grad = g
    return out


def _num(v: float) -> str:
    return repr(float(v))


def neuron_source(network: torch.nn.Sequential, task: str, x: torch.Tensor, y: float,
                  layer: int, j: int) -> str:
    """The PyTorch snippet of neuron ``j`` of linear layer ``layer`` on point (x, y)."""
    p = point_pass(network, task, x, y, layer)
    lin = _linears(network)[layer]
    weight, bias = lin.weight.detach(), lin.bias.detach()
    out_layer = layer == len(_linears(network)) - 1
    lines = ["import torch"]
    terms = []
    for k, value in enumerate(p["inputs"].tolist()):
        lines.append(f"a{k} = torch.tensor({_num(value)})")
        lines.append(f"w{k} = torch.tensor({_num(weight[j, k])}, requires_grad=True)")
        terms.append(f"w{k} * a{k}")
    lines.append(f"b = torch.tensor({_num(bias[j])}, requires_grad=True)")
    lines.append(f"z = {' + '.join(terms)} + b")
    act = _activation(network, layer)
    if not out_layer:
        # A linear hidden layer's activation is z itself (the importer refuses a mere alias).
        if act:
            lines.append(f"a = torch.{act}(z)")
        lines.append(f"L = {'a' if act else 'z'} * {_num(p['da'][j])}")
    elif task == "binary":
        lines.append(f"L = torch.log(1.0 + torch.exp(z)) - {_num(y)} * z")
    elif task == "regression":
        lines.append(f"L = (z - {_num(y)}) ** 2")
    else:
        lines.append(f"L = z * {_num(p['dz'][j])}")
    lines.append("L.backward()")
    return "\n".join(lines) + "\n"


def neuron_graph(network: torch.nn.Sequential, task: str, x: torch.Tensor, y: float,
                 layer: int, j: int) -> Graph:
    """The graph of :func:`neuron_source`, laid out, titled with the neuron's name."""
    graph = Graph.from_code(neuron_source(network, task, x, y, layer, j))
    graph.title = f"Neuron {j} of layer {layer + 1} on the point ({float(x[0]):.3g}, " \
                  f"{float(x[1]):.3g})"
    return graph


class ReplaceGraphCommand:
    """Put another graph's contents into the editor's graph as one undo step."""

    def __init__(self, graph: Graph, new: Graph, label: str = "Open a neuron in the graph") -> None:
        self.graph = graph
        self.before = graph.to_dict()
        self.after = new.to_dict()
        self.label = label

    def do(self) -> None:
        self.graph.from_dict(self.after)

    def undo(self) -> None:
        self.graph.from_dict(self.before)
