"""The traced graph as a page of the graph editor: the switch, the read-only notice, the editing
chrome hidden, copy as editable, and the forward then backward animation on the editor's player."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from gradviz.core.commands import SetFieldCommand
from gradviz.core.model import AppModel
from gradviz.graph import Graph
from gradviz.graph.trace import trace, trace_module
from gradviz.graph.trace_model import TracedGraph
from gradviz.ui.panels.graph_editor.display import BACKWARD, FORWARD
from gradviz.ui.panels.graph_editor.panel import QtGraphEditorPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.viewer import _swap_traced
from gradviz.ui.window_common import settle


@pytest.fixture
def editor(make_panel, app_model):
    yield lambda: make_panel(QtGraphEditorPanel, size=(1400, 900))
    graph = app_model.get("traced")
    if graph is not None:
        graph.close()


def _mlp() -> TracedGraph:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    return trace_module(net, torch.randn(16, 4))


def _scalar() -> TracedGraph:
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    return trace(x * y + x.exp(), params={"x": x, "y": y})


def test_a_plain_app_has_no_switch_and_no_traced_page(qtbot):
    model = AppModel()
    model.register(Graph.starting_with("two_paths"))
    panel = QtGraphEditorPanel(PanelContext(model=model))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    assert model.get("traced") is None
    assert not panel.traced.row.isVisible() and panel.traced.page is None
    assert panel.canvas_stack.currentIndex() == 0 and panel.can_step()
    panel.show_page("traced")  # nothing to show: the editor stays
    assert panel.canvas_stack.currentIndex() == 0 and panel.traced.page is None
    panel.teardown()


def test_an_empty_traced_model_shows_no_switch_until_a_graph_arrives(editor, app_model):
    if "traced" not in app_model:  # every app model has one since issue 15's lesson work
        app_model.register(TracedGraph())  # registered but empty, as every app may have it
    panel = editor()
    assert not panel.traced.row.isVisible() and panel.traced.page is None
    _swap_traced(app_model, _mlp())  # the viewer replaces the sub-model per add_graph
    assert panel.traced.row.isVisible()
    assert panel.traced.page is None  # built only when shown
    panel.show_page("traced", "my mlp")
    assert panel.traced.traced_button.text() == "Your PyTorch graph: my mlp"
    assert len(panel.traced.page.drawing) == len(app_model["traced"])


def test_the_traced_page_is_read_only_with_a_notice_and_switches_back_and_forth(
        editor, app_model):
    panel = editor()
    hand_built = len(app_model["graph"])
    _swap_traced(app_model, _mlp())
    panel.show_page("traced")
    page = panel.traced.page
    assert panel.canvas_stack.currentWidget() is page and page.isVisible()
    notice = page.controls.notice.text()
    assert "Traced from your code" in notice and "read-only" in notice
    assert "as PyTorch recorded it" in panel.header.explainer.text()
    for chrome in (panel.toolbar_section, panel.typed_line, panel.palette_list, panel.properties,
                   panel.code, panel.view, panel.banner):
        assert not chrome.isVisible()
    for tool in (page.controls.depth, page.controls.search, page.controls.backward,
                 panel.play_button, panel.step_button):
        assert tool.isVisible()
    panel.traced.editor_button.click()
    assert panel.canvas_stack.currentIndex() == 0
    assert panel.view.isVisible() and panel.palette_list.isVisible()
    assert "Wire tensors" in panel.header.explainer.text()
    assert len(app_model["graph"]) == hand_built and len(page.drawing) == len(app_model["traced"])
    panel.traced.traced_button.click()
    assert page.isVisible() and not panel.view.isVisible()


def test_undo_on_the_traced_page_leaves_the_traced_graph_alone(editor, app_model):
    panel = editor()
    graph = _mlp()
    _swap_traced(app_model, graph)
    panel.show_page("traced")
    before = len(graph)
    assert panel.open_example("chain")  # an undoable edit of the hand-built graph
    assert len(graph) == before and app_model["traced"] is graph


def test_copy_as_editable_is_enabled_only_for_editor_kinds_and_says_why_not(editor, app_model):
    panel = editor()
    _swap_traced(app_model, _mlp())
    panel.show_page("traced")
    copy = panel.traced.page.controls.copy
    assert copy.isVisible() and not copy.isEnabled()
    assert "AddmmBackward0 is not one of the editor's operations" in copy.toolTip()
    _swap_traced(app_model, _scalar())
    assert copy.isEnabled()
    copy.click()
    assert sorted(n.kind for n in app_model["graph"].nodes) == \
        ["add", "exp", "input", "input", "mul", "output"]
    assert panel.canvas_stack.currentIndex() == 0  # the copy is shown, ready to edit
    assert panel.traced.row.isVisible()  # and the traced graph is one click away


def _mlp_page(editor, app_model):
    """The editor showing a traced MLP: (panel, traced page, graph)."""
    panel = editor()
    graph = _mlp()
    _swap_traced(app_model, graph)
    panel.show_page("traced")
    return panel, panel.traced.page, graph


def _inputs(page) -> list[set[int]]:
    edges = page.drawing.edge_items
    return [set(edges[edges[:, 0] == k, 1].tolist()) for k in range(len(page.drawing))]


def test_forward_frames_follow_topological_order_then_the_backward_pass(editor, app_model):
    panel, page, graph = _mlp_page(editor, app_model)
    inputs = _inputs(page)
    computed_at: dict[int, int] = {}
    phases = []
    for pos in range(1, 10_000):
        if not panel.step(+1):
            break
        frame = page.player.current()
        phases.append(frame.phase)
        if frame.phase == FORWARD:
            for k in page.canvas.item.current:
                computed_at[k] = pos
            assert not page.canvas.item.pending[list(page.canvas.item.current)].any()
            assert "Forward step" in page.controls.step_label.text()
    n_forward = phases.count(FORWARD)
    assert phases == [FORWARD] * n_forward + [BACKWARD] * (len(phases) - n_forward)
    assert n_forward > 2 and len(phases) > n_forward
    assert sorted(computed_at) == list(range(len(page.drawing)))  # every box once
    for k, sources in enumerate(inputs):
        assert all(computed_at[j] < computed_at[k] for j in sources), k
    assert page.canvas.item.reached.all() and graph.grad_runs == 1  # the backward pass ran
    assert not panel.step(+1)


def test_forward_step_shows_the_value_summary_of_what_it_computes(editor, app_model):
    panel, page, graph = _mlp_page(editor, app_model)
    panel.restart()
    assert page.canvas.item.pending.all()  # before the forward pass nothing is computed
    assert panel.step(+1)
    k = next(iter(page.canvas.item.current))
    node = page.folding.view().items[k].node
    mean = graph.value(node).mean
    assert f"{mean:.4g}" in page.controls.step_label.text()
    assert panel.step(-1) and page.canvas.item.pending.all()


def test_play_uses_the_editor_row_and_follows_a_large_folded_graph(editor, app_model, qtbot):
    torch.manual_seed(0)
    net = nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), 6,
                                enable_nested_tensor=False)
    graph = trace_module(net, torch.randn(5, 2, 32))
    _swap_traced(app_model, graph)
    panel = editor()
    panel.show_page("traced")
    page = panel.traced.page
    page.folding.unfold_all()
    page.canvas.zoom_by(1.0 / page.canvas.zoom())  # 100 %: most boxes out of view
    panel.speed.setCurrentIndex(panel.speed.count() - 1)
    panel.play_button.click()
    assert page.player.playing and panel.play_button.text().startswith("⏸")
    qtbot.waitUntil(lambda: page.player.pos is not None and page.player.pos > 5, timeout=5000)
    panel.play_button.click()
    assert not page.player.playing
    lit = page.drawing.rects[sorted(page.canvas.item.current)]
    view = page.canvas.mapToScene(page.canvas.viewport().rect()).boundingRect()
    centre = lit[:, [0, 2]].mean(), lit[:, [1, 3]].mean()
    assert view.contains(*centre)  # the view followed the lit boxes
    assert np.isfinite(lit).all()


def test_a_scene_naming_the_old_traced_panel_opens_the_page(make_window, app_model):
    window = make_window()
    _swap_traced(app_model, _mlp())
    assert "traced" in window.docks and "traced" not in list(window.docks)
    assert window.show_panel("traced")
    editor = window.panel("graph")
    assert editor.traced.showing == "traced"
    assert editor.canvas_stack.currentWidget() is editor.traced.page
    app_model["traced"].close()


def test_undo_of_a_hand_built_edit_brings_the_hand_built_page_back(make_window, app_model):
    """Undo is window-wide: undoing an edit of the hidden hand-built graph must not change it
    out of sight, while an undo of another panel's setting leaves the traced page shown."""
    window = make_window()
    editor = window.panel("graph")
    assert editor.open_example("chain")  # one undoable edit of the hand-built graph
    _swap_traced(app_model, _mlp())
    assert window.show_panel("traced") and editor.traced.showing == "traced"
    graph_nodes = len(editor.graph)
    window.undo_stack.undo()
    assert len(editor.graph) != graph_nodes  # the example load was undone...
    assert editor.traced.showing == "editor"  # ...where the user can see it
    assert editor.canvas_stack.currentIndex() == 0
    window.show_panel("traced")
    window.undo_stack.redo()
    assert editor.traced.showing == "editor" and len(editor.graph) == graph_nodes
    settle()  # the user's next action comes on a later turn of the event loop
    window.show_panel("traced")
    tangent = app_model["tangent"]
    assert window.push(SetFieldCommand(tangent, "x", tangent.x + 0.5))
    window.undo_stack.undo()
    assert editor.traced.showing == "traced"  # not the hand-built graph's edit: page stays
    app_model["traced"].close()


def test_opening_a_playground_neuron_shows_it_on_the_hand_built_page(make_window, app_model):
    window = make_window()
    editor = window.panel("graph")
    _swap_traced(app_model, _mlp())
    assert window.show_panel("traced") and editor.traced.showing == "traced"
    window.show_panel("playground")
    playground = window.panel("playground")
    x, y = playground.network_view.positions[1][0]
    playground.network_view.click_at(x, y)  # hidden layer 1, neuron 0
    assert playground.links_section.graph_button.isEnabled()
    playground.links_section.graph_button.click()
    assert editor.traced.showing == "editor" and editor.canvas_stack.currentIndex() == 0
    app_model["traced"].close()
