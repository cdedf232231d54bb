"""The training-loop pattern: a correct SGD run converges, the same loop without zero_grad does
not, and a run whose loss overflows stops as 'diverged' without raising."""

from __future__ import annotations

import math
from unittest.mock import Mock

import pytest
import torch

from gradviz.core.mininet import MiniNetwork
from gradviz.core.training import (
    PHASES,
    TrainingModel,
    TrainingRun,
    train,
    training_code,
)


def reference_fit(net: MiniNetwork) -> float:
    """The least-squares loss floor, solved in closed form (float64)."""
    xs, ys = net.dataset(torch.float64)
    a = torch.stack([xs, torch.ones_like(xs)], dim=1)
    sol = torch.linalg.lstsq(a, ys.unsqueeze(1)).solution.squeeze(1)
    return float(((a @ sol - ys) ** 2).mean())


def test_correct_run_decreases_to_the_least_squares_floor():
    net = MiniNetwork()
    losses = train(net, lr=0.1, steps=300, zero_grad=True)
    assert len(losses) == 300
    assert all(b <= a + 1e-7 for a, b in zip(losses, losses[1:], strict=False))
    assert losses[-1] == pytest.approx(reference_fit(net), rel=1e-3)


def test_buggy_run_does_not_converge():
    net = MiniNetwork()
    floor = reference_fit(net)
    losses = train(net, lr=0.1, steps=300, zero_grad=False)
    tail = losses[-100:]
    # Accumulated gradients act like momentum that never decays: it keeps swinging.
    assert max(tail) > 10 * floor
    assert max(tail) - min(tail) > 0.1
    assert sum(1 for a, b in zip(tail, tail[1:], strict=False) if b > a) > 10  # goes up again


def test_large_learning_rate_diverges_and_stops_without_raising():
    run = TrainingRun(MiniNetwork(), lr=3.0, zero_grad=True)
    for _ in range(500):
        run.step()
    assert run.diverged and run.finished and run.status == "diverged (loss → inf)"
    assert not math.isfinite(run.losses[-1])
    assert run.advance() is None
    assert len(run.losses) < 500


def test_phases_run_in_order_and_the_buggy_run_skips_zero_grad():
    model = TrainingModel(MiniNetwork())
    seen = Mock()
    model.events.stepped.connect(seen)
    names = []
    for _ in range(8):
        results = model.advance(1)
        assert {r.run for r in results} == {"correct", "buggy"}
        names.append(results[0].phase)
        buggy = [r for r in results if r.run == "buggy"][0]
        assert buggy.skipped == (buggy.phase == "zero_grad")
    assert names == list(PHASES) * 2
    assert seen.call_count == 8
    assert model.runs["correct"].steps == 2
    # After the second backward the buggy run holds the sum of both steps' gradients.
    c, b = model.runs["correct"], model.runs["buggy"]
    assert abs(b.w.grad.item()) > abs(c.w.grad.item())


def test_step_finishes_the_current_step_and_lr_changes_apply_to_live_runs():
    model = TrainingModel(MiniNetwork())
    model.advance(2)
    model.step()
    assert model.runs["correct"].steps == 1 and model.runs["correct"].next_phase == 0
    model.lr = 0.5
    assert model.runs["buggy"].optimizer.param_groups[0]["lr"] == 0.5


def test_restarts_when_the_shared_data_changes_and_on_reset():
    net = MiniNetwork()
    model = TrainingModel(net)
    restarted = Mock()
    model.events.restarted.connect(restarted)
    model.advance(8)
    net.seed = 5
    restarted.assert_called_once()
    assert model.runs["correct"].losses == []
    model.lr = 1.0
    model.reset()
    assert model.lr == 0.1 and model.runs["buggy"].steps == 0


def test_code_view_writes_the_manual_update_with_no_grad():
    code = training_code(False, 0.1)
    assert "forgotten" in code.lines[code.highlight[0]]
    assert "with torch.no_grad(): w -= lr * w.grad" in code.text
    assert "optimizer.zero_grad()" in training_code(True, 0.1).lines[4]


def test_status_says_not_started_until_the_first_phase_runs():
    from gradviz.core.mininet import MiniNetwork
    from gradviz.core.training import TrainingRun

    run = TrainingRun(MiniNetwork(), lr=0.1, zero_grad=True)
    assert run.status == "not started"
    run.advance()
    assert run.status == "in progress"
