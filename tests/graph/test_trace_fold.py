"""Folding a traced graph (modules, depth, ×N repeats, search) and its layered layout."""

import pytest
import torch
from torch import nn

from gradviz.graph.trace import trace, trace_module
from gradviz.graph.trace_fold import TraceFolding, find_repeats
from gradviz.graph.trace_layout import (
    COLUMN_GAP,
    ROW_GAP,
    LayoutCancelled,
    gradient_order,
    layered_layout,
)


@pytest.fixture(scope="module")
def encoder_graph():
    torch.manual_seed(0)
    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32), 6,
                                  enable_nested_tensor=False)
    x = torch.randn(3, 2, 16, requires_grad=True)  # so that layer 0 looks like the others
    g = trace_module(model, x, capture_grads=False)
    yield g
    g.close()


def _check_view(graph, view):
    assert len(view.item_of_node) == len(graph)
    assert sum(item.size for item in view.items) == len(graph)
    for a, b, count in view.edges:
        assert a != b and count >= 1
    kept = sum(c for _, _, c in view.edges)
    inner = sum(1 for i, j in graph.edges if view.item_of_node[i] == view.item_of_node[j])
    assert kept + inner == len(graph.edges)


def test_identical_consecutive_blocks_fold_into_one_badge(encoder_graph):
    repeats = find_repeats(encoder_graph)
    assert [(r.parent, r.modules, r.badge) for r in repeats] == [
        ("layers", tuple(f"layers.{k}" for k in range(6)), "×6")]
    fold = TraceFolding(encoder_graph)
    seen = []
    fold.changed.connect(lambda: seen.append(1))
    fold.fold_repeats()
    view = fold.view()
    badge = [it for it in view.items if it.kind == "repeat"]
    assert [(it.name, it.badge) for it in badge] == [("layers.0–5", "×6")]
    in_layers = sum(1 for n in encoder_graph.nodes if n.module.startswith("layers."))
    assert badge[0].size == in_layers and seen == [1]
    _check_view(encoder_graph, view)
    fold.unfold("layers.2")  # opening one block opens the run
    assert all(it.kind == "node" for it in fold.view().items)


def test_different_blocks_do_not_repeat():
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 5))
    g = trace_module(model, torch.randn(2, 4, requires_grad=True), capture_grads=False)
    assert [r.modules for r in find_repeats(g)] == [("0", "1", "2")]
    g.close()


def test_fold_unfold_and_depth(encoder_graph):
    fold = TraceFolding(encoder_graph)
    full = fold.view()
    assert len(full.items) == len(encoder_graph)
    fold.fold("layers.1.self_attn")
    folded = fold.view()
    inside = sum(1 for n in encoder_graph.nodes if n.module.startswith("layers.1.self_attn"))
    assert len(folded.items) == len(encoder_graph) - inside + 1
    _check_view(encoder_graph, folded)
    fold.unfold("layers.1.self_attn")
    assert fold.view() == full
    fold.fold_to_depth(2)
    names = {it.name for it in fold.view().items if it.kind == "module"}
    assert names == {f"layers.{k}" for k in range(6)}
    fold.fold_to_depth(1)
    assert [it.name for it in fold.view().items if it.kind == "module"] == ["layers"]
    with pytest.raises(KeyError):
        fold.fold("no.such.module")


def test_search_and_reveal(encoder_graph):
    fold = TraceFolding(encoder_graph)
    hits = fold.search("OUT_PROJ")
    assert hits and all("out_proj" in encoder_graph.nodes[i].module
                        or "out_proj" in encoder_graph.nodes[i].label for i in hits)
    assert fold.search("  ") == []
    fold.fold_repeats()
    item = fold.view().items[fold.view().item_of_node[hits[0]]]
    assert item.kind == "repeat"
    fold.reveal(hits[0])
    item = fold.view().items[fold.view().item_of_node[hits[0]]]
    assert item.kind == "node" and item.node == hits[0]


def _assert_no_overlap(pos):
    columns = {}
    for x, y in pos:
        columns.setdefault(x, []).append(y)
    for ys in columns.values():
        ys.sort()
        assert all(b - a >= ROW_GAP - 1e-6 for a, b in zip(ys, ys[1:], strict=False))
    xs = sorted(columns)
    assert all(b - a >= COLUMN_GAP - 1e-6 for a, b in zip(xs, xs[1:], strict=False))


def test_layout_never_overlaps_and_flows_left_to_right(encoder_graph):
    pos = layered_layout(len(encoder_graph), encoder_graph.edges)
    assert len(pos) == len(encoder_graph)
    _assert_no_overlap(pos)
    # The gradient flows from the output (right) towards the inputs (left).
    assert all(pos[i][0] > pos[j][0] for i, j in encoder_graph.edges)
    fold = TraceFolding(encoder_graph)
    fold.fold_to_depth(2)
    view = fold.view()
    folded = layered_layout(len(view.items), view.edges)
    _assert_no_overlap(folded)


def test_layout_of_small_and_odd_graphs():
    assert layered_layout(0, []) == []
    assert layered_layout(1, []) == [(0.0, 0.0)]
    x = torch.tensor(2.0, requires_grad=True)
    g = trace(x * x, capture_grads=False)
    pos = layered_layout(len(g), g.edges)
    assert pos[0][0] > pos[1][0]
    cyc = layered_layout(3, [(0, 1), (1, 2), (2, 0)])  # not from autograd, but must not hang
    assert len(set(cyc)) == 3


def test_layout_reports_progress_and_can_be_cancelled(encoder_graph):
    seen = []
    layered_layout(len(encoder_graph), encoder_graph.edges, progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(LayoutCancelled):
        layered_layout(len(encoder_graph), encoder_graph.edges,
                       progress=lambda done: done < 0.5)


def test_gradient_order_puts_every_node_after_the_nodes_feeding_it(encoder_graph):
    order = gradient_order(len(encoder_graph), encoder_graph.edges)
    assert sorted(order) == list(range(len(encoder_graph)))
    place = {v: k for k, v in enumerate(order)}
    assert all(place[i] < place[j] for i, j in encoder_graph.edges)
