"""Peer check: ``trace`` equals torchviz's ``make_dot`` for the same tensor, after mapping.

make_dot draws tensor nodes too (the output, view bases, leaf variables) and edges in the
forward direction. Dropping its tensor nodes, moving each leaf's name onto its
``AccumulateGrad`` node and reversing its edges must give exactly our nodes (by object
identity: make_dot names a node ``str(id(grad_fn))``), our edges (as a multiset) and our leaf
names.
"""

import re
from collections import Counter

import pytest
import torch
from torch import nn

from gradviz.graph.trace import trace

torchviz = pytest.importorskip("torchviz")
# torchviz itself imports distutils' LooseVersion, deprecated: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

_NODE = re.compile(r'^\t(\d+) \[label=(?:"([^"]*)"|([^\s\]]+))(?: fillcolor=(\w+))?', re.M)
_EDGE = re.compile(r"^\t(\d+) -> (\d+)", re.M)


def _make_dot_mapped(tensor, params):
    """(op label by node id, multiset of reversed edges, leaf name by AccumulateGrad id)."""
    source = torchviz.make_dot(tensor, params=params).source
    ops, tensors = {}, {}
    for node_id, quoted, plain, color in _NODE.findall(source):
        label = quoted if quoted else plain
        if color:  # a tensor node (output, view base, leaf variable, saved tensor)
            tensors[node_id] = label.split("\n")[0]
        else:
            ops[node_id] = label
    edges, leaf_names = Counter(), {}
    for src, dst in _EDGE.findall(source):
        if src in tensors and dst in ops and ops[dst] == "AccumulateGrad":
            leaf_names[dst] = tensors[src]
        elif src in ops and dst in ops:
            edges[(dst, src)] += 1
    return ops, edges, leaf_names


def _ours(graph):
    ids = [str(id(graph.grad_fn(i))) for i in range(len(graph))]
    ops = {ids[i]: n.op for i, n in enumerate(graph.nodes)}
    edges = Counter((ids[i], ids[j]) for i, j in graph.edges)
    leaves = {ids[i]: (n.label if n.label != n.op else "")
              for i, n in enumerate(graph.nodes) if n.op == "AccumulateGrad"}
    return ops, edges, leaves


def _mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)), torch.randn(5, 4)


def _cnn():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 3 * 3, 2))
    return model, torch.randn(2, 1, 8, 8)


def _transformer_layer():
    return nn.TransformerEncoderLayer(16, 2, 32), torch.randn(3, 2, 16)


class _LSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5, num_layers=2)

    def forward(self, x):
        return self.lstm(x)[0]


def _lstm():
    return _LSTM(), torch.randn(4, 2, 3)


@pytest.mark.parametrize("build", [_mlp, _cnn, _transformer_layer, _lstm], ids=["mlp", "cnn", "transformer-layer", "lstm"])
def test_trace_equals_make_dot_after_mapping(build):
    torch.manual_seed(0)
    model, x = build()
    model.train()
    loss = model(x).pow(2).mean()
    params = dict(model.named_parameters())
    graph = trace(loss, params=params)
    try:
        ops, edges, leaves = _ours(graph)
        want_ops, want_edges, want_leaves = _make_dot_mapped(loss, params)
        assert Counter(ops.values()) == Counter(want_ops.values())
        assert ops == want_ops
        assert edges == want_edges
        assert len(graph.edges) > len(params)
        assert leaves == {k: want_leaves.get(k, "") for k in leaves}
        assert sorted(v for v in leaves.values() if v) == sorted(params)
    finally:
        graph.close()
