"""Backprop mode and the links out of the Playground: the walked iteration's numbers equal
autograd's, hovering and clicking weights, and "Open this neuron in the Graph editor"."""

from __future__ import annotations

import copy

import pytest
import torch
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from gradviz.core.numbers import fmt
from gradviz.core.playground_net import data_loss, penalty
from gradviz.ui.panels.playground.panel import QtPlaygroundPanel
from gradviz.ui.window_common import settle


@pytest.fixture
def panel(make_panel):
    return make_panel(QtPlaygroundPanel, (1400, 900))


def edge_middle(panel, layer, j, k):
    """The view point halfway along the edge of W{layer+1}[j, k]."""
    view = panel.network_view
    i = panel._edge_index(layer, j, k)
    x0, y0, x1, y1 = view.table.segments[i]
    return (x0 + x1) / 2, (y0 + y1) / 2


def press_step(qtbot, panel, times=1):
    for _ in range(times):
        qtbot.mouseClick(panel.stepping_section.step_button, Qt.MouseButton.LeftButton)


def test_walked_gradient_and_update_equal_autograd(qtbot, panel):
    pg = panel.pg
    pg.regularization = "L2"
    pg.reg_rate = 0.01
    pg.step(3)
    frozen = copy.deepcopy(pg.network)  # the weights before the walked update
    panel.stepping_section.backprop_check.setChecked(True)
    press_step(qtbot, panel)
    assert panel.backprop_section.phase_label.text().startswith("1 · Forward")
    walk = panel.stepper.walk
    x, y = walk.x.clone(), walk.y.clone()
    press_step(qtbot, panel)
    assert "2 · Loss" in panel.backprop_section.phase_label.text()
    press_step(qtbot, panel)  # backward: the output layer first
    text = panel.backprop_section.phase_label.text()
    assert "3 · Backward" in text and "layer 3" in text and "layer 1" not in text
    press_step(qtbot, panel, 2)
    assert "layer 1" in panel.backprop_section.phase_label.text()
    # Autograd on the frozen copy, the same batch and objective.
    loss = data_loss(frozen(x), y, pg.task) + penalty(frozen, "L2", 0.01)
    grads = torch.autograd.grad(loss, list(frozen.parameters()))
    panel.network_view.click_at(*edge_middle(panel, 1, 1, 2))
    formula = panel.backprop_section.formula.toPlainText()
    assert f"torch's .grad: {fmt(grads[2][1, 2])}" in formula
    press_step(qtbot, panel)
    assert "4 · Optimizer step" in panel.backprop_section.phase_label.text()
    assert pg.steps == 4
    panel.network_view.click_at(*edge_middle(panel, 1, 1, 2))
    formula = panel.backprop_section.formula.toPlainText()
    real = float(pg.network[2].weight.detach()[1, 2]) - float(frozen[2].weight.detach()[1, 2])
    assert f"real w_new − w_old: {fmt(real)}" in formula
    assert "Adam" not in formula and "m = β1·m_old" in formula


def test_a_walked_update_is_the_same_as_a_plain_step(panel, make_panel):
    from gradviz.core.playground import PlaygroundModel

    twin = PlaygroundModel()
    twin.step(2)
    panel.pg.step(2)
    panel.stepping_section.backprop_check.setChecked(True)
    for _ in range(6):
        panel.step(1)
    twin.step(1)
    for a, b in zip(panel.pg.network.parameters(), twin.network.parameters(), strict=True):
        assert torch.equal(a, b)


def test_hovering_an_edge_shows_the_weight_and_its_gradient(qtbot, panel):
    panel.pg.step(2)
    settle(50)
    view = panel.network_view
    x, y = edge_middle(panel, 0, 3, 1)
    viewport = view.plot.viewport()
    pos = QPointF(view.plot.mapFromScene(view.plot.getViewBox().mapViewToScene(QPointF(x, y))))
    QApplication.sendEvent(viewport, QMouseEvent(
        QEvent.Type.MouseMove, pos, QPointF(viewport.mapToGlobal(pos)), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    settle(30)
    w = panel.pg.network[0].weight
    assert view.hover_label.text() == (f"W1[3,1] = {fmt(w[3, 1])}   "
                                       f"∂L/∂w = {fmt(w.grad[3, 1])}")


def test_open_a_neuron_in_the_graph_editor(qtbot, window):
    window.show_panel("playground")
    panel = window.docks["playground"].ensure_panel()
    qtbot.waitExposed(panel)
    pg = panel.pg
    pg.step(5)
    graph = window.model["graph"]
    before = graph.to_dict()
    x, y = panel.network_view.positions[1][2]
    panel.network_view.click_at(x, y)  # hidden layer 1, neuron 2
    assert panel.links_section.graph_button.isEnabled()
    panel.links_section.point_spin.setValue(4)
    qtbot.mouseClick(panel.links_section.graph_button, Qt.MouseButton.LeftButton)
    assert window.docks["graph"].isVisible()
    result = graph.run()
    xs, ys = pg.data()[0][4:5], pg.data()[1][4:5]
    grads = torch.autograd.grad(data_loss(pg.network(xs), ys, pg.task),
                                list(pg.network.parameters()))
    for k in range(2):
        assert result.grads[f"w{k}"] == pytest.approx(float(grads[0][2, k]), abs=1e-6)
    assert result.grads["b"] == pytest.approx(float(grads[1][2]), abs=1e-6)
    window.undo_stack.undo()
    assert graph.to_dict() == before
