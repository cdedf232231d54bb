"""trace() and trace_module(): nodes, edges, names, shapes, modules, values, refusals."""

import pytest
import torch
from torch import nn

from gradviz.graph.trace import MAX_TRACE_DEPTH, TraceWarning, trace, trace_module
from gradviz.graph.trace_fold import TraceFolding
from gradviz.graph.trace_node import FOLD_WARNING_NODES, TraceError
from gradviz.graph.trace_values import summarize


@pytest.fixture
def closing():
    """Collect traced graphs and close them (removing their hooks) after the test."""
    graphs = []
    yield graphs.append
    for g in graphs:
        g.close()


def test_x_times_x_keeps_both_edges(closing):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    g = trace(y)
    closing(g)
    assert g.grad_fn(0) is y.grad_fn
    assert [n.op for n in g.nodes] == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    assert g.edges == [(0, 1), (1, 2), (1, 2)]
    assert g.nodes[2].label == "AccumulateGrad"  # no name given
    assert all(n.module == "" for n in g.nodes)


def test_edges_follow_next_functions_in_order(closing):
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    c = torch.randn(3)  # no grad: a None entry in next_functions, no edge
    y = (a * c + b).sum()
    g = trace(y, params={"a": a, "b": b})
    closing(g)
    for i, fn in enumerate(g.grad_fn(i) for i in range(len(g))):
        want = [g.grad_fn(j) for j in (j for (s, j) in g.edges if s == i)]
        assert want == [nxt for nxt, _ in fn.next_functions if nxt is not None]
    assert sorted(n.label for n in g.nodes if n.op == "AccumulateGrad") == ["a", "b"]


@pytest.mark.parametrize("make", [lambda: torch.randn(3), lambda: torch.randn(3).sum()])
def test_a_tensor_without_grad_is_refused_plainly(make):
    with pytest.raises(ValueError, match="does not require grad"):
        trace(make())


def test_a_leaf_and_a_non_tensor_are_refused():
    with pytest.raises(ValueError, match="leaf"):
        trace(torch.randn(2, requires_grad=True))
    with pytest.raises(TypeError, match="tensor"):
        trace([1.0])


def test_parameters_are_named_from_the_module_and_shapes_read(closing):
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).double()
    x = torch.randn(5, 4, dtype=torch.float64)
    g = trace(model(x).sum(), module=model)
    closing(g)
    leaves = {n.label: n for n in g.nodes if n.op == "AccumulateGrad"}
    assert sorted(leaves) == sorted(name for name, _ in model.named_parameters())
    for name, p in model.named_parameters():
        assert leaves[name].shape == tuple(p.shape)
        assert leaves[name].module == name.rpartition(".")[0]
    assert g.nodes[0].shape == () and g.nodes[0].dtype == torch.float64
    addmm = [n for n in g.nodes if n.op == "AddmmBackward0"]
    assert sorted(n.shape for n in addmm) == [(5, 2), (5, 3)]
    for e, (_, j) in enumerate(g.edges):
        assert g.edge_shape(e) == (g.nodes[j].shape, g.nodes[j].dtype)


def test_multi_output_ops_keep_every_output_shape(closing):
    x = torch.randn(6, 2, requires_grad=True)
    a, b = torch.split(x, [4, 2])
    g = trace(a.sum() + b.sum() * 2)
    closing(g)
    split = next(n for n in g.nodes if n.op.startswith("SplitWithSizes"))
    assert split.shape == (4, 2) and split.output(1) == ((2, 2), torch.float32)
    slots = {g.edge_slots[e] for e, (_, j) in enumerate(g.edges) if g.nodes[j] is split}
    assert slots == {0, 1}


class _Inner(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x):
        return torch.sigmoid(self.lin(x)) * 2


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = _Inner()
        self.head = nn.Linear(3, 2)

    def forward(self, x):
        h = self.inner(x)
        return {"out": self.head(h).exp(), "extra": (h.sum(), torch.zeros(2))}


def test_trace_module_tags_ops_with_the_innermost_module(closing):
    torch.manual_seed(0)
    net = _Net()
    x = torch.randn(4, 3)
    g = trace_module(net, x)
    closing(g)
    assert g.n_roots == 2  # "out" and "extra"[0]; the zeros need no grad
    by_op = {}
    for n in g.nodes:
        by_op.setdefault(n.op, set()).add(n.module)
    assert by_op["SigmoidBackward0"] == {"inner"}
    assert by_op["AddmmBackward0"] == {"inner.lin", "head"}
    assert by_op["ExpBackward0"] == {""}  # created by the top-level forward itself
    assert by_op["SumBackward0"] == {""}
    lin_w = next(n for n in g.nodes if n.label == "inner.lin.weight")
    assert lin_w.module == "inner.lin"


def test_trace_module_keeps_the_values_ops_produced(closing):
    torch.manual_seed(0)
    net = _Net()
    x = torch.randn(4, 3)
    g = trace_module(net, x)
    closing(g)
    with torch.no_grad():
        want = torch.sigmoid(net.inner.lin(x))
    i = next(k for k, n in enumerate(g.nodes) if n.op == "SigmoidBackward0")
    got = g.value(i)
    expect = summarize(want)
    assert got.shape == (4, 3) and got.dtype == "float32"
    assert got.min == pytest.approx(expect.min) and got.max == pytest.approx(expect.max)
    assert torch.allclose(torch.tensor(got.preview), torch.tensor(expect.preview))
    assert 0.0 < got.min <= got.mean <= got.max < 1.0


def test_a_value_modified_in_place_says_so(closing):
    model = nn.Linear(3, 2)
    g = trace_module(model, torch.randn(4, 3))
    closing(g)
    out = g._tensors[0]
    with torch.no_grad():
        out.mul_(2)
    assert "modified in place" in g.value(0).reason
    assert g.value(0).min is None


def test_in_place_modified_saved_tensor_blocks_backward_with_a_message(closing):
    a = torch.randn(3, requires_grad=True)
    b = a * 2
    c = (b * b).sum()
    b.add_(1)  # b was saved by the multiplication
    g = trace(c)  # tracing still works
    closing(g)
    assert len(g) == 4
    assert not g.can_backward()
    assert "modified in place" in g.backward_problem()


def test_trace_module_refuses_outputs_without_grad():
    model = nn.Linear(2, 2)
    with torch.no_grad(), pytest.raises(ValueError, match="requires grad"):
        trace_module(model, torch.randn(1, 2))
    assert model._forward_hooks == {} and model._forward_pre_hooks == {}


def test_hooks_are_removed_when_the_forward_pass_raises():
    model = nn.Linear(2, 2)
    with pytest.raises(RuntimeError):
        trace_module(model, torch.randn(1, 5))
    assert model._forward_hooks == {} and model._forward_pre_hooks == {}


class _Wide(nn.Module):
    """About 1,000 nodes side by side (a deep chain would be refused, see below)."""

    def forward(self, x):
        return torch.stack([x * float(k) for k in range(1000)]).sum(0)


def test_a_very_large_graph_warns_and_starts_folded(closing):
    blocks = nn.Sequential(*[_Wide() for _ in range(FOLD_WARNING_NODES // 1000 + 1)])
    x = torch.ones(1, requires_grad=True)
    with pytest.warns(TraceWarning, match="folded by module"):
        g = trace_module(blocks, x, capture_grads=False)
    closing(g)
    assert len(g) > FOLD_WARNING_NODES and "folded" in g.warning
    view = TraceFolding(g).view()
    assert len(view.items) <= FOLD_WARNING_NODES // 1000 + 3


def test_a_chain_too_deep_to_free_safely_is_refused():
    y = torch.ones(1, requires_grad=True)
    for _ in range(MAX_TRACE_DEPTH + 10):
        y = y * 1.0
    with pytest.raises(TraceError, match="too deep"):
        trace(y)
