"""Typing a graph live, one line at a time: the issue's lecture sequence and its refusals."""

import pytest

from gradviz.graph import CodeImportError, Graph
from gradviz.graph.commands import GraphCommand
from gradviz.graph.typed_line import TypeLine, read_line

LEAVES = ("x = torch.tensor(2.0, requires_grad=True); "
          "y = torch.tensor(3.0, requires_grad=True)")


def type_line(graph: Graph, text: str) -> TypeLine:
    command = TypeLine(graph, text)
    command.do(graph)
    return command


def test_the_lecture_sequence_gives_the_chapters_gradients():
    g = Graph()
    type_line(g, LEAVES)
    type_line(g, "z = x*y + x**2")
    run = g.run()
    assert run.grads == pytest.approx({"x": 7.0, "y": 2.0})
    type_line(g, "w = z * y")
    run = g.run()
    assert run.grads["x"] == pytest.approx(21.0) and run.grads["y"] == pytest.approx(16.0)
    assert run.values["w"] == pytest.approx(30.0)


def test_existing_nodes_keep_their_places_and_new_ones_do_not_cover_them():
    g = Graph()
    type_line(g, LEAVES)
    type_line(g, "z = x*y + x**2")
    before = {n.id: n.position for n in g.nodes if n.kind != "output"}
    type_line(g, "w = z * y")
    after = {n.id: n.position for n in g.nodes}
    assert all(after[i] == p for i, p in before.items())
    positions = [n.position for n in g.nodes]
    assert len(set(positions)) == len(positions)
    w = g.node(g.node_id("w"))
    z = g.node(g.node_id("z"))
    assert w.position[0] > z.position[0]


def test_each_line_is_one_undo_step():
    g = Graph()
    first = type_line(g, LEAVES)
    second = type_line(g, "z = x*y + x**2")
    assert isinstance(second, GraphCommand)
    n = len(g)
    second.undo(g)
    assert len(g) < n and g.node_id("z") is None and g.node_id("x") is not None
    first.undo(g)
    assert len(g) == 0


def test_the_last_assigned_name_becomes_the_output():
    g = Graph()
    type_line(g, LEAVES)
    type_line(g, "a = x * y; b = a + x")
    outputs = [n for n in g.nodes if n.kind == "output"]
    assert len(outputs) == 1
    assert g.edges_into(outputs[0].id)[0].src == g.node_id("b")


@pytest.mark.parametrize("text, column, words", [
    ("x = torch.tensor(5.0)", 1, "already exists"),
    ("z = x * q", 9, "'q' is not defined"),
    ("z = x ^ y", 5, "not a power"),
    ("z = (x * ", 0, "not valid Python"),
    ("z = torch.exp2(x)", 5, "torch.exp2 is not supported"),
    ("x += y", 1, "overwrite"),
])
def test_a_refused_line_says_where_and_changes_nothing(text, column, words):
    g = Graph()
    type_line(g, LEAVES)
    before = g.to_dict()
    with pytest.raises(CodeImportError) as info:
        TypeLine(g, text)
    assert words in str(info.value)
    if column:
        assert info.value.column == column
    assert g.to_dict() == before


def test_blank_and_multi_line_input_is_refused():
    with pytest.raises(CodeImportError):
        read_line(Graph(), "   ")
    with pytest.raises(CodeImportError, match="one line"):
        read_line(Graph(), "a = 1\nb = 2")
