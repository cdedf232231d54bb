"""Undoable commands: labels, exact undo/redo, merging, and random sequences undone in full."""

from unittest.mock import Mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.core.commands import Command
from gradviz.graph import (
    KINDS,
    AddNode,
    BoundCommand,
    Connect,
    Disconnect,
    Edge,
    Graph,
    GraphError,
    MoveNodes,
    RemoveNode,
    Rename,
    SetRequiresGrad,
    SetValue,
    load_example,
)
from gradviz.graph.commands import (
    AddConnected,
    Macro,
    PasteNodes,
    ReplaceGraph,
    delete_nodes,
    fresh_input_name,
    new_node_command,
)


@pytest.fixture
def g():
    return load_example("two_paths")


def ids(g, *names):
    return [g.node_id(n) for n in names]


def test_labels_read_like_the_edit_menu(g):
    x, y, a, b, z = ids(g, "x", "y", "a", "b", "z")
    mul = AddNode("mul")
    mul.do(g)
    assert mul.label == "Add mul"
    assert AddNode("input", "w", 1.0).label == "Add input w"
    assert Connect(x, mul.node_id, "a", graph=g).label == "Connect x → mul"
    assert MoveNodes({x: (0, 0), y: (1, 1), a: (2, 2)}).label == "Move 3 nodes"
    assert MoveNodes({x: (5, 5)}, graph=g).label == "Move x"
    assert SetValue(x, 2, graph=g).label == "Set x = 2.0"
    assert SetValue(x, 0.39999998, graph=g).label == "Set x = 0.4"
    assert SetRequiresGrad(y, False, graph=g).label == "Set y.requires_grad = False"
    assert Rename(x, "w", graph=g).label == "Rename x to w"
    assert RemoveNode(z, graph=g).label == "Remove z"
    assert Disconnect(z, "a", graph=g).label == "Disconnect a → z"
    # without the graph the label is generic until the first do()
    cmd = Connect(x, mul.node_id, "b")
    assert cmd.label == "Connect"
    cmd.do(g)
    assert cmd.label == "Connect x → mul"


def test_remove_node_undo_restores_its_edges_and_id(g):
    before = g.to_dict()
    a = g.node_id("a")
    cmd = RemoveNode(a)
    cmd.do(g)
    assert a not in g
    added = Mock()
    g.events.edge_added.connect(added)
    cmd.undo(g)
    assert g.to_dict() == before
    assert {c.args[0] for c in added.call_args_list} == {Edge(1, a, "a"), Edge(2, a, "b"),
                                                          Edge(a, g.node_id("z"), "a")}
    cmd.do(g)
    assert a not in g


def test_connect_onto_an_occupied_port_replaces_and_undo_restores(g):
    before = g.to_dict()
    y, b = ids(g, "y", "b")
    cmd = Connect(y, b, "base")
    cmd.do(g)
    assert g.edge_at(b, "base").src == y
    cmd.undo(g)
    assert g.to_dict() == before


def test_a_refused_command_changes_nothing(g):
    before = g.to_dict()
    z, x, a = ids(g, "z", "x", "a")
    with pytest.raises(GraphError, match="cycle"):
        Connect(z, a, "a").do(g)
    with pytest.raises(GraphError):
        SetValue(x, float("nan")).do(g)
    with pytest.raises(GraphError):
        Rename(x, "y").do(g)
    assert g.to_dict() == before


def test_set_value_merges_a_scrub_into_one_undo_step(g):
    x = g.node_id("x")
    first = SetValue(x, 2.5, graph=g)
    first.do(g)
    for v in (2.6, 2.7, 3.0):
        nxt = SetValue(x, v, graph=g)
        nxt.do(g)
        assert nxt.merge_key == first.merge_key
        assert first.merge_with(nxt)
    assert first.label == "Set x = 3.0"
    first.undo(g)
    assert g.node(x).value == 2.0
    assert not first.merge_with(SetValue(g.node_id("y"), 1.0))
    assert not first.merge_with(Rename(x, "w"))
    assert MoveNodes({x: (1, 1)}).merge_key is None


def test_bound_command_follows_the_core_command_protocol(g):
    x = g.node_id("x")
    bound = BoundCommand(SetValue(x, 4.0, graph=g), g)
    assert isinstance(bound, Command)
    bound.do()
    assert g.node(x).value == 4.0
    other = BoundCommand(SetValue(x, 5.0), g)
    other.do()
    assert bound.merge_key == other.merge_key and bound.merge_with(other)
    bound.undo()
    assert g.node(x).value == 2.0
    assert not bound.merge_with(BoundCommand(SetValue(x, 1.0), Graph()))


# --------------------------------------------------------------------------- compound edits


def test_macro_is_one_step_and_a_failing_part_leaves_the_graph_unchanged(g):
    before = g.to_dict()
    x, y, z = ids(g, "x", "y", "z")
    macro = Macro("Two values", [SetValue(x, 5.0), SetValue(y, 6.0)])
    macro.do(g)
    assert (g.node(x).value, g.node(y).value) == (5.0, 6.0)
    macro.undo(g)
    assert g.to_dict() == before
    # The second part closes a cycle: the first (already done) is taken back.
    failing = Macro("Bad", [SetValue(x, 9.0), Connect(z, g.node_id("a"), "a")])
    with pytest.raises(GraphError, match="cycle"):
        failing.do(g)
    assert g.to_dict() == before


def test_delete_nodes_is_one_command_and_undo_brings_every_edge_back(g):
    before = g.to_dict()
    x, y = ids(g, "x", "y")
    single = delete_nodes(g, [x])
    assert isinstance(single, RemoveNode) and single.label == "Remove x"
    both = delete_nodes(g, [y, x, y])
    assert both.label == "Delete 2 nodes"
    both.do(g)
    assert x not in g and y not in g
    assert all(x not in (e.src, e.dst) and y not in (e.src, e.dst) for e in g.edges)
    both.undo(g)
    assert g.to_dict() == before


def test_new_nodes_get_the_chapters_defaults_and_free_names(g):
    assert fresh_input_name(g) == "w"  # x and y are taken
    add = new_node_command(g, "input", (1.0, 2.0))
    assert (add.kind, add.name, add.value, add.requires_grad) == ("input", "w", 1.0, True)
    assert add.position == (1.0, 2.0)
    const = new_node_command(g, "constant", (0.0, 0.0))
    assert (const.value, const.requires_grad) == (2.0, False)
    assert new_node_command(g, "mul", (0.0, 0.0)).value is None
    for name in ("w", "b", "u", "v", "p", "q"):
        AddNode("input", name, 1.0).do(g)
    assert fresh_input_name(g) == "x2"


def test_paste_copies_nodes_and_inner_edges_with_fresh_names_and_redo_keeps_ids(g):
    x, y, a = ids(g, "x", "y", "a")
    nodes = [g.node(i) for i in (x, y, a)]
    before = g.to_dict()
    n_edges = len(g.edges)
    paste = PasteNodes(nodes, g.edges, offset=(30.0, 30.0))
    assert paste.label == "Paste 3 nodes"
    # Only the edges among the copied nodes are copied (a → z is left out).
    assert {(e.src, e.dst) for e in paste.edges} == {(x, a), (y, a)}
    paste.do(g)
    new = paste.new_ids
    assert len(new) == 3 and not set(new) & {x, y, a}
    assert [g.node(i).name for i in new[:2]] == ["x2", "y2"]
    assert g.node(new[0]).position == (g.node(x).position[0] + 30, g.node(x).position[1] + 30)
    assert len(g.edges) == n_edges + 2
    assert {(e.src, e.dst) for e in g.edges_into(new[2])} == {(new[0], new[2]), (new[1], new[2])}
    after = g.to_dict()
    paste.undo(g)
    assert g.to_dict() == before
    paste.do(g)
    assert g.to_dict() == after and paste.new_ids == new


def test_add_connected_adds_and_feeds_the_new_node_in_one_step(g):
    before = g.to_dict()
    z = g.node_id("z")
    add = new_node_command(g, "exp", (5.0, 5.0))
    cmd = AddConnected(add, z, g)
    assert cmd.label == "Add exp fed by z"
    cmd.do(g)
    (edge,) = g.edges_into(add.node_id)
    assert edge.src == z
    cmd.undo(g)
    assert g.to_dict() == before
    cmd.do(g)
    assert g.edges_into(add.node_id)[0].src == z


def test_add_connected_into_a_node_without_inputs_changes_nothing(g):
    before = g.to_dict()
    cmd = AddConnected(new_node_command(g, "input", (0.0, 0.0)), g.node_id("z"), g)
    with pytest.raises(GraphError):
        cmd.do(g)
    assert g.to_dict() == before


def test_replace_graph_swaps_the_whole_graph_and_bad_data_changes_nothing(g):
    before = g.to_dict()
    chain = load_example("chain").to_dict()
    cmd = ReplaceGraph(chain, "Open example Chain")
    cmd.do(g)
    assert g.to_dict() == chain
    cmd.undo(g)
    assert g.to_dict() == before
    bad = ReplaceGraph({"format_version": 1, "nodes": [{"id": "oops"}], "edges": []}, "Bad")
    with pytest.raises(ValueError):
        bad.do(g)
    assert g.to_dict() == before


# --------------------------------------------------------------------------- random sequences


@st.composite
def command_for(draw, g: Graph):
    """A command that makes sense for ``g`` now (it may still be refused, e.g. a cycle)."""
    nodes = g.nodes
    node_ids = [n.id for n in nodes]
    choices = ["add"] + (["remove", "connect", "move", "value", "flag", "rename"] if nodes else [])
    if g.edges:
        choices.append("disconnect")
    what = draw(st.sampled_from(choices))
    if what == "add":
        kind = draw(st.sampled_from(sorted(KINDS)))
        name = draw(st.sampled_from(["", "x", "y", "w", "h"]))
        if kind == "input":
            name = name or "x"
        value = draw(st.floats(-5, 5)) if kind in ("input", "constant") else None
        rg = kind == "input" and draw(st.booleans())
        return AddNode(kind, name, value, rg, (draw(st.floats(-100, 100)), 0.0))
    if what == "remove":
        return RemoveNode(draw(st.sampled_from(node_ids)))
    if what == "connect":
        dst = draw(st.sampled_from(node_ids))
        ports = KINDS[g.node(dst).kind].port_names
        port = draw(st.sampled_from(ports)) if ports else "a"
        return Connect(draw(st.sampled_from(node_ids)), dst, port)
    if what == "disconnect":
        e = draw(st.sampled_from(g.edges))
        return Disconnect(e.dst, e.port)
    if what == "move":
        chosen = draw(st.lists(st.sampled_from(node_ids), min_size=1, max_size=3, unique=True))
        return MoveNodes({i: (draw(st.floats(-50, 50)), draw(st.floats(-50, 50))) for i in chosen})
    if what == "value":
        return SetValue(draw(st.sampled_from(node_ids)), draw(st.floats(-10, 10)))
    if what == "flag":
        return SetRequiresGrad(draw(st.sampled_from(node_ids)), draw(st.booleans()))
    return Rename(draw(st.sampled_from(node_ids)), draw(st.sampled_from(["", "x", "q", "h"])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), start=st.sampled_from(["chain", "two_paths", "mini_network", None]))
def test_random_command_sequences_undo_to_an_equal_graph(data, start):
    g = load_example(start) if start else Graph()
    initial = g.to_dict()
    done = []
    for _ in range(data.draw(st.integers(1, 25))):
        cmd = data.draw(command_for(g))
        before = g.to_dict()
        try:
            cmd.do(g)
        except GraphError:
            assert g.to_dict() == before  # a refused edit leaves no trace
            continue
        done.append((cmd, before, g.to_dict()))
    final = g.to_dict()
    for cmd, before, _ in reversed(done):
        cmd.undo(g)
        assert g.to_dict() == before
    assert g.to_dict() == initial
    for cmd, _, after in done:  # redo everything
        cmd.do(g)
        assert g.to_dict() == after
    assert g.to_dict() == final
    g.run()  # whatever the edits made, running gives answers, not exceptions
