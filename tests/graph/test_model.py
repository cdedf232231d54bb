"""Graph structure: nodes, typed ports, edges, the DAG rule, names, values and events."""

from unittest.mock import Mock

import pytest

from gradviz.graph import KINDS, Edge, Graph, GraphError


@pytest.fixture
def g():
    graph = Graph()
    graph.add_node("input", "x", 2.0, requires_grad=True)  # 1
    graph.add_node("input", "y", 3.0, requires_grad=True)  # 2
    graph.add_node("mul", "a")  # 3
    graph.add_node("add", "z")  # 4
    graph.add_node("output")  # 5
    graph.connect(1, 3, "a")
    graph.connect(2, 3, "b")
    graph.connect(3, 4, "a")
    graph.connect(1, 4, "b")
    graph.connect(4, 5)
    return graph


def test_every_kind_of_the_issue_exists_with_typed_ports():
    expected = {"input", "constant", "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sin",
                "cos", "tanh", "sigmoid", "relu", "square", "detach", "output"}
    assert set(KINDS) == expected
    assert KINDS["pow"].port_names == ("base", "exponent")
    assert KINDS["input"].inputs == () and KINDS["output"].has_output is False
    assert all(p.type == "tensor" for s in KINDS.values() for p in s.inputs)


def test_connect_refuses_a_cycle_and_names_it(g):
    with pytest.raises(GraphError, match=r"cycle: z → a → z") as info:
        g.connect(4, 3, "a", replace=True)
    assert isinstance(info.value, ValueError)
    assert g.edge_at(3, "a") == Edge(1, 3, "a")  # nothing changed
    g.add_node("neg", node_id=10)
    with pytest.raises(GraphError, match="cycle"):
        g.connect(10, 10)


def test_an_input_port_takes_one_edge_but_an_output_fans_out(g):
    with pytest.raises(GraphError, match="already connected to x"):
        g.connect(2, 3, "a")
    assert len(g.edges_from(1)) == 2  # x feeds mul and add
    old_edges = g.edges
    with pytest.raises(GraphError, match="no input port 'c'"):
        g.connect(2, 3, "c")
    with pytest.raises(GraphError, match="no free input"):
        g.connect(2, 3)
    with pytest.raises(GraphError, match="no output to connect from"):
        g.connect(5, 3, "a", replace=True)
    with pytest.raises(GraphError, match="no node with id 99"):
        g.connect(99, 3, "a")
    assert g.edges == old_edges


def test_replace_swaps_the_edge_on_a_port(g):
    spy = Mock()
    g.events.edge_removed.connect(spy)
    g.connect(2, 3, "a", replace=True)
    assert g.edge_at(3, "a") == Edge(2, 3, "a")
    spy.assert_called_once_with(Edge(1, 3, "a"))


def test_remove_node_takes_its_edges_along(g):
    removed = g.remove_node(3)
    assert set(removed) == {Edge(1, 3, "a"), Edge(2, 3, "b"), Edge(3, 4, "a")}
    assert 3 not in g and all(3 not in (e.src, e.dst) for e in g.edges)
    assert g.add_node("mul").id == 6  # ids are never reused by add_node


def test_events_fire_for_every_change_and_only_for_real_changes(g):
    names = ["node_added", "node_removed", "edge_added", "edge_removed", "value_changed",
             "requires_grad_changed", "renamed", "moved", "changed"]
    spies = {n: Mock() for n in names}
    for n, spy in spies.items():
        getattr(g.events, n).connect(spy)
    g.set_value(1, 2.0)  # same value: silent
    g.set_value(1, 5.0)
    g.set_requires_grad(2, False)
    g.rename(3, "prod")
    g.move_node(3, (10.0, 20.0))
    g.move_node(3, (10.0, 20.0))
    g.disconnect(4, "b")
    g.connect(2, 4, "b")
    node = g.add_node("exp")
    g.remove_node(node.id)
    spies["value_changed"].assert_called_once_with(1, 5.0)
    spies["requires_grad_changed"].assert_called_once_with(2, False)
    spies["renamed"].assert_called_once_with(3, "prod")
    spies["moved"].assert_called_once_with(3, (10.0, 20.0))
    spies["edge_removed"].assert_called_once_with(Edge(1, 4, "b"))
    spies["edge_added"].assert_called_once_with(Edge(2, 4, "b"))
    spies["node_added"].assert_called_once_with(node)
    spies["node_removed"].assert_called_once_with(node)
    assert spies["changed"].call_count == 8


def test_names_values_and_flags_are_validated(g):
    with pytest.raises(GraphError, match="already an input named 'x'"):
        g.add_node("input", "x", 1.0)
    with pytest.raises(GraphError, match="already an input named 'y'"):
        g.rename(1, "y")
    for bad in ("2x", "for", "torch", "a b", "x" * 65, "ä"):
        with pytest.raises(GraphError):
            g.rename(3, bad)
    with pytest.raises(GraphError, match="needs a name"):
        g.add_node("input", "", 1.0)
    for bad in (float("nan"), float("inf"), 1e300, "2", True, None):
        with pytest.raises(GraphError):
            g.set_value(1, bad)
    with pytest.raises(GraphError, match="only inputs and constants"):
        g.set_value(3, 1.0)
    with pytest.raises(GraphError, match="only an input"):
        g.set_requires_grad(3, True)
    with pytest.raises(GraphError, match="no value of its own"):
        g.add_node("mul", value=1.0)
    with pytest.raises(GraphError, match="unknown node kind"):
        g.add_node("matmul")
    with pytest.raises(GraphError, match="position"):
        g.move_node(1, (float("nan"), 0.0))
    # intermediates may share a name (c = c + e rebinds c); the latest binding wins
    g.rename(4, "a")
    assert g.node_id("a") == 4


def test_nodes_are_immutable_snapshots(g):
    before = g.node(1)
    g.set_value(1, 9.0)
    assert before.value == 2.0 and g.node(1).value == 9.0
    with pytest.raises(AttributeError):
        before.value = 1.0


def test_topological_order_respects_every_edge(g):
    order = g.topological_order()
    where = {n: i for i, n in enumerate(order)}
    assert all(where[e.src] < where[e.dst] for e in g.edges)


def test_size_limit(monkeypatch):
    import gradviz.graph.model as model

    monkeypatch.setattr(model, "MAX_NODES", 3)
    graph = Graph()
    for _ in range(3):
        graph.add_node("neg")
    with pytest.raises(GraphError, match="at most 3 nodes"):
        graph.add_node("neg")
