"""The zero_grad trap on real tensors: accumulation, zeroing forms, graph reuse, non-scalar loss."""

from __future__ import annotations

from unittest.mock import Mock

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import StateError
from gradviz.core.numbers import fmt
from gradviz.core.trap import TrapModel, TrapSession, press_backward
from gradviz.core.trap_code import trap_code, update_code
from gradviz.core.trap_reading import (
    ApplyUpdateCommand,
    gradient_update,
    non_scalar_backward,
    nudge,
)


def one_press_gradient(net: MiniNetwork) -> torch.Tensor:
    """PyTorch's gradient for one backward(), computed independently of the module under test."""
    w = torch.tensor(net.w, requires_grad=True)
    b = torch.tensor(net.b, requires_grad=True)
    ((w * torch.tensor(net.x) + b - torch.tensor(net.y)) ** 2).backward()
    return w.grad


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_without_zero_grad_the_gradient_piles_up(n):
    net = MiniNetwork()
    grads = press_backward(n, zero_grad=False)
    one = one_press_gradient(net)
    assert len(grads) == n
    for k, g in enumerate(grads, start=1):
        # Accumulated in float32 exactly as PyTorch does it: k additions of one press's gradient.
        expected = torch.zeros(())
        for _ in range(k):
            expected = expected + one
        assert_close(torch.tensor(g), expected)
    assert_close(torch.tensor(grads[-1]), n * one)


@pytest.mark.parametrize("form", ["optimizer", "tensor"])
def test_with_zero_grad_every_press_gives_one_press(form):
    one = one_press_gradient(MiniNetwork())
    grads = press_backward(5, zero_grad=True, zero_form=form)
    for g in grads:
        assert_close(torch.tensor(g), one)


def test_float32_values_show_as_the_chapter_numbers():
    grads = press_backward(3, zero_grad=False)
    assert grads[0] != 0.4 and abs(grads[0] - 0.4) < 1e-7  # really float32: 0.39999998
    assert [fmt(g) for g in grads] == ["0.4", "0.8", "1.2"]


def test_press_backward_uses_the_given_network_and_checks_its_argument():
    net = MiniNetwork(x=2.0, w=1.0, y=0.0)  # loss = (2w)^2 → dL/dw = 8w = 8
    assert press_backward(2, False, net=net) == [8.0, 16.0]
    assert press_backward(0, True) == []
    with pytest.raises(ValueError):
        press_backward(-1, True)
    with pytest.raises(ValueError):
        press_backward(2.5, True)


def test_reusing_the_graph_raises_pytorchs_error_and_retain_graph_accumulates():
    s = TrapSession(MiniNetwork())
    first = s.press("reuse")
    assert first.ok and fmt(first.w_grad) == "0.4"
    second = s.press("reuse")
    assert not second.ok and second.error.exc_type == "RuntimeError"
    assert "backward through the graph a second time" in second.error.message
    assert "retain_graph" in second.error.fix
    assert fmt(second.w_grad) == "0.4"  # .grad untouched by the failed call

    r = TrapSession(MiniNetwork())
    grads = [r.press("reuse", retain_graph=True).w_grad for _ in range(4)]
    one = one_press_gradient(MiniNetwork())
    assert_close(torch.tensor(grads[-1]), 4 * one)
    assert [fmt(g) for g in grads] == ["0.4", "0.8", "1.2", "1.6"]


def test_the_two_zeroing_forms():
    s = TrapSession(MiniNetwork())
    failed = s.zero("tensor")  # before the first backward .grad is None
    assert failed.error is not None and failed.error.exc_type == "AttributeError"
    assert "zero_" in failed.error.message and failed.w_grad is None
    assert s.zero("optimizer").w_grad is None and s.zero("optimizer").error is None

    s.press("without")
    zeroed = s.zero("tensor")
    assert zeroed.error is None and zeroed.w_grad == 0.0 and zeroed.b_grad == 0.0
    s.press("without")
    to_none = s.zero("optimizer")
    assert to_none.w_grad is None and s.w.grad is None  # set_to_none, PyTorch's default


def test_non_scalar_backward_shows_pytorchs_message_and_the_fix():
    net = MiniNetwork()
    demo = non_scalar_backward(net, examples=3)
    assert demo.error.message == "grad can be implicitly created only for scalar outputs"
    xs, ys = net.dataset()
    w = torch.tensor(net.w, requires_grad=True)
    ((w * xs[:3] + net.b - ys[:3]) ** 2).mean().backward()
    assert_close(torch.tensor(demo.mean_w_grad), w.grad)
    assert demo.sum_w_grad == pytest.approx(3 * demo.mean_w_grad, rel=1e-5)


@pytest.mark.parametrize("delta", [1e-3, 0.01, 0.1, 0.5, 1.5, -0.7])
def test_nudge_prediction_is_first_order(delta):
    n = nudge(MiniNetwork(), delta)
    assert fmt(n.w_grad) == "0.4"
    assert n.predicted == pytest.approx(0.4 * delta, rel=1e-6)
    # For (0.2 + δ)² − 0.04 the exact gap is δ²; small δ: equal, large δ: apart.
    assert n.gap == pytest.approx(delta ** 2, rel=1e-3, abs=2e-7)


def test_gradient_update_moves_downhill_and_leaves_the_network_alone():
    net = MiniNetwork()
    u = gradient_update(net, 0.1)
    assert u.w_after == pytest.approx(0.5 - 0.1 * 0.4, rel=1e-6)
    assert u.loss_after < u.loss_before
    assert net.w == 0.5
    assert any("with torch.no_grad():" in line for line in update_code(0.1).lines)
    assert "w -= 0.1 * w.grad" in update_code(0.1).text


def test_code_listing_highlights_the_line_that_matters():
    net = MiniNetwork()
    code = trap_code(net, "without")
    assert "loss.backward()" in code.lines[code.highlight[0]]
    code = trap_code(net, "with", "optimizer")
    assert "optimizer.zero_grad()" in code.lines[code.highlight[0]]
    code = trap_code(net, "with", "tensor")
    assert all("zero_()" in code.lines[i] for i in code.highlight)
    code = trap_code(net, "reuse", retain_graph=True)
    assert "retain_graph=True" in code.lines[code.highlight[0]]
    assert "torch.tensor(1.0)" in trap_code(net, "without").text  # float literal, not int


def test_model_emits_and_restarts_when_the_shared_network_changes():
    net = MiniNetwork()
    trap = TrapModel(net)
    pressed, restarted = Mock(), Mock()
    trap.events.pressed.connect(pressed)
    trap.events.restarted.connect(restarted)
    for _ in range(3):
        trap.press()
    assert pressed.call_count == 3 and len(trap.history) == 3
    assert fmt(trap.current_grads()[0]) == "1.2"
    net.w = 1.0
    restarted.assert_called_once()
    assert trap.history == [] and trap.current_grads() == (None, None)
    assert trap.press().w_grad == pytest.approx(2 * (1.0 - 0.3), rel=1e-6)


def test_model_settings_validate_and_round_trip():
    trap = TrapModel(MiniNetwork())
    trap.mode = "with"
    trap.delta = 0.25
    state = trap.to_dict()
    other = TrapModel(MiniNetwork())
    other.from_dict(state)
    assert other.to_dict() == state
    with pytest.raises(StateError):
        other.from_dict({"mode": "sometimes", "delta": 0.1})
    assert other.mode == "with"  # nothing half-loaded
    with pytest.raises(StateError):
        other.mode = "never"
    other.reset()
    assert other.mode == "without" and other.history == []


def test_apply_update_is_one_undo_step_and_refuses_to_leave_the_range():
    net = MiniNetwork()
    trap = TrapModel(net)
    trap.press()
    cmd = ApplyUpdateCommand(net, gradient_update(net, 0.1))
    cmd.do()
    assert net.w == pytest.approx(0.46, rel=1e-6) and net.b == pytest.approx(-0.04, rel=1e-6)
    assert trap.history == []  # the experiment restarted on the new network
    cmd.undo()
    assert (net.w, net.b) == (0.5, 0.0)
    with pytest.raises(StateError):
        ApplyUpdateCommand(net, gradient_update(net, 1e4))  # w would jump to -3999.5
    assert (net.w, net.b) == (0.5, 0.0)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 12),
       x=st.floats(-3, 3), y=st.floats(-3, 3), w=st.floats(-3, 3), b=st.floats(-3, 3))
def test_n_presses_give_n_times_one_press_for_any_network(n, x, y, w, b):
    net = MiniNetwork(x=x, y=y, w=w, b=b)
    one = one_press_gradient(net)
    piled = press_backward(n, zero_grad=False, net=net)
    assert_close(torch.tensor(piled[-1]), n * one, rtol=1e-5, atol=1e-5)
    for g in press_backward(n, zero_grad=True, net=net):
        assert_close(torch.tensor(g), one)
