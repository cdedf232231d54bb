"""The canvas for a room (issue 14, item 4): while presenting, values and gradients stay drawn
in type the back row can read, and a graph too large for that zoom follows its active node."""

from __future__ import annotations

import pytest

from gradviz.graph import Graph
from gradviz.ui.panels.graph_editor.node_item import NodeItem
from gradviz.ui.window_common import settle


@pytest.fixture
def editor(window, qtbot):
    window.show_panel("graph")
    panel = window.panel("graph")
    qtbot.waitExposed(panel.view)
    settle(30)
    yield panel
    panel.set_presenting(False)
    window.undo_stack.clear()


def on_screen_value_pixels(view) -> float:
    """The smallest value/gradient type of any node, in screen pixels."""
    return min(item.value_text_pixels() * view.zoom() for item in view.nodes.values())


def long_chain(graph: Graph, n_ops: int) -> None:
    """``x`` then ``n_ops`` multiplications in a row, far wider than any screen."""
    graph.clear()
    x = graph.add_node("input", "x", 1.01, True, (0.0, 0.0)).id
    prev = x
    for i in range(n_ops):
        nid = graph.add_node("mul", "", None, False, (200.0 * (i + 1), 0.0)).id
        graph.connect(prev, nid, "a")
        graph.connect(x, nid, "b")
        prev = nid
    out = graph.add_node("output", "", None, False, (200.0 * (n_ops + 1), 0.0)).id
    graph.connect(prev, out, "x")


def test_presenting_draws_values_legibly_and_grows_with_the_scale(editor):
    view = editor.view
    assert len(view.nodes) > 0  # the two-paths example
    editor.set_presenting(True, 1.5)
    settle(20)
    at_15 = on_screen_value_pixels(view)
    assert at_15 >= 18.0
    assert NodeItem.presenting
    editor.set_presenting(True, 2.0)
    settle(20)
    assert on_screen_value_pixels(view) >= 24.0
    assert on_screen_value_pixels(view) > at_15
    editor.set_presenting(True, 1.0)
    settle(20)
    assert on_screen_value_pixels(view) >= 18.0  # never under 18 px, even at ×1
    editor.set_presenting(False)
    assert not NodeItem.presenting


def test_fit_frames_every_node_with_a_margin_when_it_fits(editor):
    view = editor.view
    editor.set_presenting(True, 1.5)
    editor.set_presenting(False)
    settle(20)
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in view.nodes.values():
        assert seen.contains(item.sceneBoundingRect().adjusted(-20, -20, 20, 20))
    assert not view.zoomer.overflowing


def test_stepping_a_graph_too_big_to_fit_keeps_the_active_node_in_view(editor, window):
    view, graph = editor.view, window.model["graph"]
    long_chain(graph, 30)
    settle(30)
    editor.rerun()
    editor.set_presenting(True, 1.5)
    settle(30)
    assert view.zoomer.overflowing
    assert on_screen_value_pixels(view) >= 18.0
    lit_seen = 0
    for _ in range(70):
        if not editor.step(1):
            break
        settle(5)
        seen = view.mapToScene(view.viewport().rect()).boundingRect()
        lit = [item for item in view.nodes.values() if item.view.lit]
        for item in lit:
            assert seen.contains(item.sceneBoundingRect()), item.view.header
        lit_seen += len(lit)
        assert on_screen_value_pixels(view) >= 18.0
    assert lit_seen > 30  # the walk crossed far more than one screen of nodes


def test_a_resize_frames_the_graph_again_unless_the_user_zoomed(editor, window):
    view = editor.view
    view.fit_all()
    zoom, width = view.zoom(), view.width()
    window.resize(window.width() - 400, window.height())
    settle(30)
    assert view.width() < width
    assert view.zoom() < zoom  # framed again at the narrower width
    view.zoom_by(1.3)
    mine = view.zoom()
    window.resize(window.width() + 400, window.height())
    settle(30)
    assert view.zoom() == pytest.approx(mine)
