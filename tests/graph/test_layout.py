"""The automatic layered layout: left to right, no overlaps, few crossings, fast."""

import itertools
import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz.graph import Edge, Graph
from gradviz.graph.layout import LAYER_GAP, NODE_GAP, layered_layout


def _crossings(pos, edges):
    """Count proper crossings of straight edges between the node centres."""
    def ccw(a, b, c):
        return (c[1] - a[1]) * (b[0] - a[0]) - (b[1] - a[1]) * (c[0] - a[0])

    count = 0
    for e, f in itertools.combinations(edges, 2):
        if {e.src, e.dst} & {f.src, f.dst}:
            continue
        p1, p2, q1, q2 = pos[e.src], pos[e.dst], pos[f.src], pos[f.dst]
        if ccw(p1, p2, q1) * ccw(p1, p2, q2) < 0 and ccw(q1, q2, p1) * ccw(q1, q2, p2) < 0:
            count += 1
    return count


def _check(pos, ids, edges):
    assert set(pos) == set(ids)
    for e in edges:
        assert pos[e.src][0] < pos[e.dst][0]  # every edge points right
    by_column = {}
    for x, y in pos.values():
        by_column.setdefault(x, []).append(y)
    for ys in by_column.values():  # no overlaps: a full gap between nodes of a column
        ys.sort()
        assert all(b - a >= NODE_GAP - 1e-6 for a, b in itertools.pairwise(ys))


@st.composite
def dags(draw):
    n = draw(st.integers(1, 25))
    edges = set()
    for dst in range(2, n + 1):
        for port in ("a", "b"):
            if draw(st.booleans()):
                edges.add(Edge(draw(st.integers(1, dst - 1)), dst, port))
    return list(range(1, n + 1)), sorted(edges)


@settings(max_examples=60, deadline=None)
@given(dag=dags())
def test_layered_left_to_right_without_overlaps(dag):
    ids, edges = dag
    _check(layered_layout(ids, edges), ids, edges)


def test_two_paths_has_no_crossing_and_reads_left_to_right():
    g = Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\n"
                        "y = torch.tensor(3.0, requires_grad=True)\n"
                        "a = x * y\nb = x ** 2\nz = a + b\nz.backward()")
    pos = {n.id: n.position for n in g.nodes}
    assert _crossings(pos, g.edges) == 0
    assert pos[g.node_id("x")][0] == 0 and pos[g.node_id("z")][0] == 2 * LAYER_GAP


def test_crossing_reduction_untangles_a_crossed_ladder():
    # inputs 1..4 feed 5..8 in reverse order: drawn in id order every pair would cross
    edges = [Edge(i, 9 - i, "x") for i in range(1, 5)]
    pos = layered_layout(range(1, 9), edges)
    assert _crossings(pos, edges) == 0


def test_a_thousand_node_program_is_laid_out_fast_and_cleanly():
    rnd = random.Random(1)
    lines = [f"p{i} = torch.tensor({i}.0, requires_grad=True)" for i in range(10)]
    names = [f"p{i}" for i in range(10)]
    for i in range(500):
        a, b = rnd.choice(names[-8:]), rnd.choice(names)
        lines.append(f"v{i} = torch.tanh({a} * {b})")
        names.append(f"v{i}")
    g = Graph.from_code("\n".join(lines), layout=False)
    assert len(g) > 1000
    t0 = time.perf_counter()
    pos = g.layout_positions()
    assert time.perf_counter() - t0 < 2.0
    _check(pos, [n.id for n in g.nodes], g.edges)


def test_layout_command_moves_and_emits():
    g = Graph.from_code("x = torch.tensor(1.0)\ny = x.exp()", layout=False)
    assert {n.position for n in g.nodes} == {(0.0, 0.0)}
    g.layout()
    assert len({n.position for n in g.nodes}) == len(g)
