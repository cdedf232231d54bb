"""The graph editor's traced page on real traced graphs: folding, ×N badges, search, values and
gradients, the backward button and animation, copy as editable, and large graphs."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtCore import Qt
from torch import nn

from gradviz.graph.trace import trace, trace_module
from gradviz.ui.panels.graph_editor.panel import QtGraphEditorPanel
from gradviz.ui.panels.traced.drawing import fmt
from gradviz.ui.viewer import _swap_traced
from gradviz.ui.window_common import settle


@pytest.fixture
def make(make_panel, app_model):
    """The graph editor's traced page on the shared test model, after ``graph`` was added as
    the viewer adds it."""
    def build(graph=None):
        if graph is not None:
            _swap_traced(app_model, graph)
        editor = make_panel(QtGraphEditorPanel, size=(1400, 900))
        editor.traced.show_page("traced", force=True)  # also when there is no graph yet
        return editor.traced.page

    yield build
    graph = app_model.get("traced")
    if graph is not None:
        graph.close()


def _mlp():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    return net, trace_module(net, torch.randn(16, 4))


def _encoder(layers: int):
    torch.manual_seed(0)
    net = nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), layers,
                                enable_nested_tensor=False)
    return trace_module(net, torch.randn(5, 2, 32))


def test_empty_panel_says_how_to_trace_then_shows_a_registered_graph(make, app_model):
    panel = make()
    assert "gradviz.show" in panel.details.text.text()
    assert not panel.controls.backward.isEnabled() and not panel.can_step()
    _, graph = _mlp()
    _swap_traced(app_model, graph)  # as the viewer's first add_graph does
    assert panel.drawing is not None and len(panel.drawing) == len(graph)
    assert panel.controls.backward.isEnabled()


def test_a_large_model_opens_folded_with_a_repeat_badge_and_unfolds(make):
    graph = _encoder(6)
    panel = make(graph)
    badges = [b for b in panel.drawing.badges if b]
    assert badges == ["×5"], badges  # layers.1–5 are equal blocks; layers.0 sees the input
    assert len(panel.drawing) < 10
    repeat = panel.drawing.badges.index("×5")
    panel._on_item_clicked(repeat)
    assert not any(panel.drawing.badges)
    assert "layers.3" in panel.drawing.titles  # the repeat opened into its five layers
    panel.controls.depth.setValue(panel.controls.depth.maximum())  # every operation
    assert len(panel.drawing) == len(graph)
    panel.controls.depth.setValue(1)
    assert panel.drawing.titles == ["layers"]


def test_search_reveals_a_folded_parameter_and_shows_its_shape_and_values(make, qtbot):
    graph = _encoder(6)
    panel = make(graph)
    panel.controls.search.setText("layers.3.linear1.weight")
    qtbot.keyClick(panel.controls.search, Qt.Key.Key_Return)
    k = panel.canvas.item.selected
    node = panel.folding.view().items[k].node
    assert graph.nodes[node].label == "layers.3.linear1.weight"
    text = panel.details.text.text()
    assert "(64, 32) float32" in text
    assert fmt(graph.value(node).norm) in text
    assert panel.controls.search_result.text() == "1 of 1"


def test_run_backward_captures_gradients_and_the_animation_reaches_every_box(make, qtbot):
    net, graph = _mlp()
    panel = make(graph)
    qtbot.mouseClick(panel.controls.backward, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: graph.grad_runs == 1)
    leaf = next(k for k, t in enumerate(panel.drawing.titles) if t == "2.bias")
    panel._on_item_clicked(leaf)
    grad_text = panel.details.grad_text.text()
    assert f"norm {fmt(float(net[2].bias.grad.norm()))}" in grad_text
    steps = 0
    while panel.step(+1):
        steps += 1
        if steps == 1:  # the gradient starts at the traced output, on the right
            assert panel.canvas.item.current == {0}
    assert steps == len(panel.schedule.steps) > 2
    assert panel.canvas.item.reached.all()
    assert panel.step(-1) and not panel.canvas.item.reached.all()


def test_backward_on_freed_tensors_is_refused_naming_retain_graph(make):
    x = torch.randn(3, requires_grad=True)
    loss = (x.tanh() * x).sum()
    loss.backward()  # frees the saved tensors
    panel = make(trace(loss))
    button = panel.controls.backward
    assert not button.isEnabled()
    assert "retain_graph=True" in button.toolTip()
    panel._on_run_backward()
    assert "retain_graph=True" in panel.controls.error.text()
    assert panel.step(+1)  # the animation still shows the order, without gradients
    assert "no gradients captured" in panel.controls.step_label.text()


def test_copy_as_editable_rebuilds_a_scalar_graph_in_the_editor(make, app_model):
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = x * y + x.exp()
    panel = make(trace(z, params={"x": x, "y": y}))
    assert panel.controls.copy.isEnabled()
    panel.controls.copy.click()
    editor = app_model["graph"]
    kinds = sorted(n.kind for n in editor.nodes)
    assert kinds == ["add", "exp", "input", "input", "mul", "output"]
    run = editor.run()
    assert run.values["x"] == 2.0 and run.grads["x"] == pytest.approx(3.0 + float(x.detach().exp()))


def test_copy_is_disabled_with_the_reason_for_a_tensor_graph(make):
    _, graph = _mlp()
    panel = make(graph)
    assert not panel.controls.copy.isEnabled()
    assert "AddmmBackward0 is not one of the editor's operations" in panel.controls.copy.toolTip()


def test_a_very_large_graph_warns_lays_out_in_the_worker_and_can_be_cancelled(make, qtbot):
    x = torch.ones(1, requires_grad=True)
    with pytest.warns(UserWarning, match="folded by module"):
        graph = trace(torch.cat([x * float(i) for i in range(50_000)]).sum(),
                      capture_grads=False)
    panel = make(graph)
    assert panel.controls.warning.isVisible() and "50,00" in panel.controls.warning.text()
    assert panel.controls.busy_row.isVisible()  # the window is not blocked: a worker lays out
    qtbot.mouseClick(panel.controls.cancel, Qt.MouseButton.LeftButton)
    assert not panel.controls.busy_row.isVisible()
    assert "cancelled" in panel.controls.error.text()
    settle(50)
    assert panel.drawing is None or len(panel.drawing) == 0  # no late result was drawn
