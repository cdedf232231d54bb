"""Saving and loading: round trips, a corpus of bad data, the AppModel protocol, the examples."""

import copy
import json
from unittest.mock import Mock

import pytest

from gradviz.core.model import AppModel, StateError, SubModel
from gradviz.core.resources import resource_path
from gradviz.graph import Graph, available_examples, load_example
from gradviz.graph.examples import example_path

TRICKY = """
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(-3.0)
c = 2.5
t = x * c
t = t + y ** 2
d = t.detach()
v = torch.relu(t - d) + torch.tanh(y).square() / x.sigmoid()
"""


@pytest.fixture
def g():
    graph = Graph.from_code(TRICKY)
    graph.title = "Tricky"
    graph.description = "Rebinding, detach and a named constant."
    return graph


def test_round_trip_gives_an_equal_graph_that_runs_the_same(g):
    data = g.to_dict()
    assert json.loads(json.dumps(data)) == data  # JSON-ready
    loaded = Graph.create_from_dict(json.loads(json.dumps(data)))
    assert loaded.to_dict() == data
    assert loaded.nodes == g.nodes and loaded.edges == g.edges
    assert loaded.title == "Tricky"
    assert loaded.run().grads == g.run().grads
    assert loaded.add_node("exp").id == max(n.id for n in g.nodes) + 1


def test_optional_node_fields_may_be_left_out():
    data = {"format_version": 1, "nodes": [
        {"id": 1, "kind": "input", "name": "x", "value": 3, "requires_grad": True,
         "position": [0, 0]},
        {"id": 2, "kind": "square", "position": [1, 0]},
        {"id": 3, "kind": "output", "position": [2, 0]}],
        "edges": [{"src": 1, "dst": 2, "port": "x"}, {"src": 2, "dst": 3, "port": "x"}]}
    assert Graph.create_from_dict(data).run().grads == {"x": 6.0}


def _mutations():
    """(description, function that spoils a valid dict)."""
    def node(i, **kw):
        def spoil(d):
            d["nodes"][i].update(kw)
        return spoil

    def edge(i, **kw):
        def spoil(d):
            d["edges"][i].update(kw)
        return spoil

    def top(**kw):
        def spoil(d):
            d.update(kw)
        return spoil

    def drop(where, key):
        def spoil(d):
            target = d if where is None else d[where[0]][where[1]]
            del target[key]
        return spoil

    def add_edge(**kw):
        def spoil(d):
            d["edges"].append(kw)
        return spoil

    return [
        ("version", top(format_version=2)),
        ("version as bool", top(format_version=True)),
        ("version missing", drop(None, "format_version")),
        ("unknown top field", top(extra=1)),
        ("nodes not a list", top(nodes={"1": {}})),
        ("edges missing", drop(None, "edges")),
        ("title type", top(title=5)),
        ("title too long", top(title="t" * 201)),
        ("too many nodes", top(nodes=[{"id": i, "kind": "constant", "value": 1.0,
                                       "position": [0, 0]} for i in range(1, 5002)])),
        ("too many edges", top(edges=[{"src": 1, "dst": 2, "port": "a"}] * 10_001)),
        ("node not an object", lambda d: d["nodes"].append([1, 2])),
        ("node unknown field", node(0, colour="red")),
        ("node id missing", drop(("nodes", 0), "id")),
        ("node id string", node(0, id="1")),
        ("node id float", node(0, id=1.0)),
        ("node id zero", node(0, id=0)),
        ("node id huge", node(0, id=10**12)),
        ("duplicate id", node(1, id=1)),
        ("unknown kind", node(0, kind="matmul")),
        ("kind not text", node(0, kind=["input"])),
        ("bad name", node(0, name="1x")),
        ("keyword name", node(0, name="lambda")),
        ("input without name", node(0, name="")),
        ("duplicate input name", node(1, name="x")),
        ("value nan", node(0, value=float("nan"))),
        ("value inf", node(0, value=float("inf"))),
        ("value huge", node(0, value=1e300)),
        ("value text", node(0, value="2.0")),
        ("value bool", node(0, value=True)),
        ("input without value", node(0, value=None)),
        ("op with value", node(3, value=1.0)),
        ("requires_grad text", node(0, requires_grad="yes")),
        ("op requires grad", node(3, requires_grad=True)),
        ("position one number", node(0, position=[1.0])),
        ("position nan", node(0, position=[float("nan"), 0])),
        ("position text", node(0, position="0,0")),
        ("position huge", node(0, position=[1e9, 0])),
        ("edge unknown node", edge(0, src=999)),
        ("edge bad port", edge(0, port="c")),
        ("edge port type", edge(0, port=1)),
        ("edge extra field", edge(0, weight=1)),
        ("edge missing field", drop(("edges", 0), "port")),
        ("edge not an object", lambda d: d["edges"].append("1->2")),
        ("edge from output", add_edge(src=7, dst=3, port="a")),
        ("edge into a source", add_edge(src=3, dst=1, port="x")),
        ("two edges on one port", add_edge(src=2, dst=3, port="a")),
        ("cycle", add_edge(src=6, dst=5, port="a")),
        ("not a dict", lambda d: d.clear() or d.update({"nodes": None})),
    ]


def _valid():
    return Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\n"
                           "y = torch.tensor(3.0, requires_grad=True)\n"
                           "a = x * y\nb = torch.exp(a)\nc = torch.sin(b)\nd = c + b\n").to_dict()


@pytest.mark.parametrize(("what", "spoil"), _mutations(), ids=[m[0] for m in _mutations()])
def test_bad_data_is_refused_and_the_graph_is_left_unchanged(what, spoil):
    data = _valid()
    assert [n["kind"] for n in data["nodes"]][:4] == ["input", "input", "mul", "exp"]
    spoil(data)
    g = load_example("two_paths")
    before = g.to_dict()
    g.run()
    grad_before = g.leaf("x").grad
    spy = Mock()
    g.events.rebuilt.connect(spy)
    with pytest.raises(StateError):
        g.from_dict(data)
    assert g.to_dict() == before
    assert g.leaf("x").grad is grad_before  # not even the leaves were touched
    spy.assert_not_called()


@pytest.mark.parametrize("bad", [None, [], "graph", 3, {"format_version": 1}])
def test_not_a_graph_at_all(bad):
    with pytest.raises(StateError):
        Graph().from_dict(bad)


def test_graph_is_an_app_model_sub_model():
    model = AppModel()
    g = model.register(Graph())
    assert isinstance(g, SubModel) and model["graph"] is g
    g.from_dict(load_example("chain").to_dict())
    saved = model.to_dict()
    assert saved["models"]["graph"]["version"] == Graph.format_version
    other = AppModel()
    other.register(Graph())
    other.from_dict(copy.deepcopy(saved))
    assert other["graph"].to_dict() == g.to_dict()
    broken = copy.deepcopy(saved)
    broken["models"]["graph"]["state"]["edges"].append({"src": 1, "dst": 1, "port": "a"})
    with pytest.raises(StateError):
        other.from_dict(broken)
    assert other["graph"].to_dict() == g.to_dict()
    assert model.connection_count() >= 0
    rebuilt = Mock()
    g.events.rebuilt.connect(rebuilt)
    model.reset()
    assert len(g) == 0 and g.edges == [] and g.run().problems
    rebuilt.assert_called_once()


def test_examples_are_found_by_name_and_only_by_name():
    assert available_examples()[:3] == ["chain", "two_paths", "mini_network"]
    assert example_path("chain") == resource_path("examples", "chain.json")
    for name in ("../pyproject", "/etc/passwd", "chain.json", "", "Chain"):
        with pytest.raises(ValueError):
            load_example(name)
    with pytest.raises(FileNotFoundError, match="two_paths"):
        load_example("no_such_example")


@pytest.mark.parametrize("name", ["chain", "two_paths", "mini_network"])
def test_example_files_are_valid_complete_and_laid_out(name):
    g = load_example(name)
    assert g.title and g.description
    positions = [n.position for n in g.nodes]
    assert len(set(positions)) == len(positions)
    assert g.to_dict() == json.loads(example_path(name).read_text(encoding="utf-8"))
