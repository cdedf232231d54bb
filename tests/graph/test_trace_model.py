"""TracedGraph: gradient capture, backward refusals, close, save/load and bad-data refusal."""

import copy
import json

import pytest
import torch
from torch import nn

from gradviz.core.model import AppModel, StateError, SubModel
from gradviz.graph.trace import trace, trace_module
from gradviz.graph.trace_model import TracedGraph
from gradviz.graph.trace_node import TraceError
from gradviz.graph.trace_values import summarize


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))


def _stats(s):
    return s.min, s.mean, s.max, s.norm


def test_captured_gradients_equal_the_leaves_grad():
    model = _mlp()
    loss = model(torch.randn(6, 3)).pow(2).mean()
    g = trace(loss, module=model)
    runs = []
    g.events.grads_captured.connect(runs.append)
    assert g.grad(0) is None
    loss.backward()
    assert runs == [1]
    for name, p in model.named_parameters():
        i = next(k for k, n in enumerate(g.nodes) if n.label == name)
        assert _stats(g.grad(i)) == pytest.approx(_stats(summarize(p.grad)))
        into = [e for e, (_, j) in enumerate(g.edges) if j == i]
        assert len(into) == 1
        assert _stats(g.edge_grad(into[0])) == pytest.approx(_stats(summarize(p.grad)))
    assert g.grad(0).shape == () and g.grad(0).mean == 1.0  # d loss / d loss
    g.close()


def test_edge_gradients_are_what_each_node_sent():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    g = trace(y)
    y.backward()
    # Each of the two edges from the multiplication to x carries x (the other factor).
    assert [g.edge_grad(e).preview for e in (1, 2)] == [(1.0, 2.0, 3.0)] * 2
    assert g.grad(2).preview == (2.0, 4.0, 6.0)  # x.grad, the sum of both
    g.close()


def test_the_viewer_backward_runs_again_and_close_removes_the_hooks():
    model = _mlp()
    loss = model(torch.randn(6, 3)).sum()
    w = model[0].weight
    once = torch.autograd.grad(loss, w, retain_graph=True)[0]
    g = trace(loss, module=model)
    assert g.can_backward()
    g.backward()
    g.backward()
    assert g.grad_runs == 2
    assert torch.allclose(w.grad, 2 * once)
    g.close()
    assert not g.is_live and not g.can_backward() and "closed" in g.backward_problem()
    loss.backward()  # no hook left to capture it
    assert g.grad_runs == 2
    g.close()  # twice is harmless


def test_a_graph_whose_saved_tensors_were_freed_traces_but_refuses_backward():
    model = _mlp()
    loss = model(torch.randn(6, 3)).pow(2).sum()
    loss.backward()  # frees the saved tensors
    g = trace(loss, module=model)
    assert len(g) > 5 and g.nodes[0].op == "SumBackward0"
    assert not g.can_backward()
    assert "retain_graph=True" in g.backward_problem()
    with pytest.raises(TraceError, match="retain_graph=True"):
        g.backward()
    g.close()


def _traced_mlp_with_grads():
    model = _mlp()
    g = trace_module(model, torch.randn(5, 3))
    g.backward()
    return g


def test_save_and_reopen_keeps_structure_and_summaries_but_no_tensors():
    g = _traced_mlp_with_grads()
    data = json.loads(json.dumps(g.to_dict()))  # plain JSON data, nothing else
    reopened = TracedGraph()
    events = []
    reopened.events.rebuilt.connect(lambda: events.append("rebuilt"))
    reopened.from_dict(data)
    assert events == ["rebuilt"] and reopened.reopened and not reopened.is_live
    assert reopened.nodes == g.nodes and reopened.edges == g.edges
    assert reopened.edge_slots == g.edge_slots and reopened.n_roots == g.n_roots
    for i in range(len(g)):
        assert reopened.value(i) == g.value(i) and reopened.grad(i) == g.grad(i)
    assert any(reopened.value(i) is not None for i in range(len(g)))
    assert all(reopened.edge_grad(e) == g.edge_grad(e) for e in range(len(g.edges)))
    assert reopened.grad_fn(0) is None
    assert "reopened" in reopened.backward_problem()
    assert reopened.to_dict() == data
    g.close()


def _bad_variants(data):
    """(description, mutate) pairs that each make the data invalid."""
    def set_(path, value):
        def mutate(d):
            target = d
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return mutate

    return [
        ("not a dict", lambda d: d.clear()),
        ("edge out of range", set_(["edges", 0], [0, 10_000])),
        ("edge not a pair", set_(["edges", 0], [0])),
        ("unknown dtype", set_(["nodes", 0, "dtype"], "os.system")),
        ("non-finite stat", set_(["nodes", 0, "grad", "mean"], float("nan"))),
        ("infinite preview", set_(["nodes", 0, "value", "preview", 0], [float("inf")] * 2)),
        ("negative dim", set_(["nodes", 0, "shape"], [-1])),
        ("op not text", set_(["nodes", 0, "op"], 7)),
        ("label too long", set_(["nodes", 0, "label"], "x" * 10_000)),
        ("unknown field", set_(["nodes", 0, "code"], "print(1)")),
        ("too many nodes", set_(["nodes"], [{}] * 100_001)),
        ("n_roots too large", set_(["n_roots"], 10**9)),
        ("edge_slots mismatch", set_(["edge_slots"], [])),
        ("bool as number", set_(["nodes", 0, "value", "min"], True)),
    ]


@pytest.mark.parametrize("case", range(14))
def test_bad_data_is_refused_and_the_model_is_unchanged(case):
    g = _traced_mlp_with_grads()
    good = g.to_dict()
    g.close()
    model = TracedGraph()
    model.from_dict(good)
    name, mutate = _bad_variants(good)[case]
    bad = copy.deepcopy(good)
    mutate(bad)
    if name == "not a dict":
        bad = ["nodes"]
    with pytest.raises(StateError):
        model.from_dict(bad)
    assert model.to_dict() == good, name


def test_it_is_a_sub_model_with_its_own_key_and_version():
    app = AppModel()
    traced = app.register(TracedGraph())
    assert isinstance(traced, SubModel) and traced.key == "traced"
    g = _traced_mlp_with_grads()
    state = app.to_dict()
    # An empty traced graph is left out of saved states: the entry is added here.
    state["models"]["traced"] = {"version": TracedGraph.format_version, "state": g.to_dict()}
    app.from_dict(state)
    assert len(app["traced"]) == len(g)
    app.reset()
    assert len(app["traced"]) == 0 and app["traced"].to_dict()["nodes"] == []
    g.close()


def test_a_failed_backward_does_not_stop_later_captures():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    calls = []

    def fail_once(grad):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("user hook failed")
        return grad

    y.register_hook(fail_once)
    z = (y * y).sum()
    g = trace(z)
    runs = []
    g.events.grads_captured.connect(runs.append)
    with pytest.raises(RuntimeError, match="user hook failed"):
        z.backward(retain_graph=True)
    assert runs == []
    z.backward()
    assert runs == [1]
    leaf = next(i for i, n in enumerate(g.nodes) if n.op == "AccumulateGrad")
    assert g.grad(leaf).preview == pytest.approx((18.0, 36.0))  # d/dx (3x)^2 = 18x
    g.close()


def test_whatever_is_saved_can_be_reopened():
    x = torch.randn(2000, requires_grad=True)
    odd = "weird\nname " + "x" * 1000  # a user's name: not printable, far too long
    parts = torch.unbind(x)  # one output per element
    g = trace(parts[0] * parts[1999], params={odd: x})
    g.backward()
    data = json.loads(json.dumps(g.to_dict()))
    reopened = TracedGraph()
    reopened.from_dict(data)
    assert reopened.edges == g.edges and reopened.edge_slots == g.edge_slots
    leaf = next(n for n in reopened.nodes if n.op == "AccumulateGrad")
    assert leaf.label.startswith("weird?name") and len(leaf.label) < len(odd)
    unbind = next(n for n in reopened.nodes if n.op.startswith("Unbind"))
    assert len(unbind.extra_outputs) == 1999
    g.close()


def test_plain_trace_shows_the_values_autograd_keeps_anyway():
    x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
    y = torch.tanh(x).sum() * 3
    g = trace(y, params={"x": x})
    ops = [n.op for n in g.nodes]
    tanh, leaf = ops.index("TanhBackward0"), ops.index("AccumulateGrad")
    assert g.value(tanh).preview == pytest.approx(tuple(torch.tanh(x).tolist()))
    assert g.value(leaf).preview == (0.0, 1.0, 2.0)
    assert g.value(0) is None  # a multiplication does not save its result
    y.backward()
    fresh = trace(y, params={"x": x})  # freed: the saved result is gone, the leaf stays
    assert fresh.value(tanh) is None and fresh.value(leaf).max == 2.0
    g.close()
    fresh.close()
