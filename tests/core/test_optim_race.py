"""The race uses real torch.optim: its positions equal the optimizers run directly."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz.core.optim_race import (
    OPTIMIZERS,
    OptimizerRace,
    OptimizerSettings,
    run_directly,
)
from gradviz.core.surfaces import SURFACES, custom_surface

SETTINGS = [
    OptimizerSettings("sgd", 0.05),
    OptimizerSettings("momentum", 0.02, momentum=0.8),
    OptimizerSettings("nesterov", 0.02, momentum=0.9),
    OptimizerSettings("rmsprop", 0.01),
    OptimizerSettings("adagrad", 0.3),
    OptimizerSettings("adam", 0.05, beta1=0.85, beta2=0.99),
]


@pytest.mark.parametrize("surface", ["bowl", "elongated", "rosenbrock", "himmelblau", "bumpy"])
def test_positions_after_n_steps_equal_torch_optim_run_directly(surface):
    s = SURFACES[surface]
    lr_scale = 0.01 if surface in ("rosenbrock", "himmelblau") else 1.0
    settings = [OptimizerSettings(o.kind, o.lr * lr_scale, o.momentum, o.beta1, o.beta2)
                for o in SETTINGS]
    for group in (settings[:4], settings[4:]):
        race = OptimizerRace(s.fn, s.domain, s.start, group)
        race.run(25)
        for ball, opt in zip(race.balls, group, strict=True):
            expected = run_directly(s.fn, s.start, opt, ball.steps)
            got = torch.tensor(ball.path, dtype=torch.float32)
            torch.testing.assert_close(got, torch.from_numpy(expected), rtol=0, atol=0)
            assert ball.steps == 25 and not ball.stopped


def test_every_optimizer_is_covered_and_builds_the_real_class():
    kinds = {s.kind for s in SETTINGS}
    assert kinds == set(OPTIMIZERS)
    p = torch.zeros(2, requires_grad=True)
    assert isinstance(OptimizerSettings("adam").make([p]), torch.optim.Adam)
    nesterov = OptimizerSettings("nesterov", 0.1, momentum=0.9).make([p])
    assert isinstance(nesterov, torch.optim.SGD) and nesterov.defaults["nesterov"] is True
    assert "betas=(0.9, 0.999)" in OptimizerSettings("adam", 0.01).code()
    assert OptimizerSettings("momentum", 0.1, momentum=0.5).code() == \
        "torch.optim.SGD([p], lr=0.1, momentum=0.5)"


def test_sgd_ball_equals_the_manual_no_grad_update():
    s = SURFACES["chapter"]
    lr = 0.05
    race = OptimizerRace(s.fn, s.domain, (1.0, -0.3), [OptimizerSettings("sgd", lr)])
    race.run(10)
    p = torch.tensor([1.0, -0.3], requires_grad=True)
    for _ in range(10):
        loss = s.fn(p[0], p[1])
        loss.backward()
        with torch.no_grad():
            p -= lr * p.grad
        p.grad.zero_()
    # torch's SGD adds -lr*grad in one fused operation, the manual form rounds twice:
    # the two agree to float32 precision.
    assert race.balls[0].position == pytest.approx(tuple(float(v) for v in p.detach()),
                                                   rel=1e-6)


def test_the_ball_reads_the_chapters_partial_derivatives():
    s = SURFACES["chapter"]
    race = OptimizerRace(s.fn, s.domain, (1.0, 2.0), [OptimizerSettings("sgd", 0.01)])
    ball = race.balls[0]
    assert ball.loss == pytest.approx(1 + 2 * 1 * 2)
    assert ball.grad == pytest.approx((2 * 1 + 2 * 2, 2 * 1))  # (2x + 2y, 2x)


def test_a_diverging_ball_stops_with_a_message_and_the_others_go_on():
    s = SURFACES["bowl"]
    race = OptimizerRace(s.fn, s.domain, s.start,
                         [OptimizerSettings("sgd", 10.0), OptimizerSettings("sgd", 0.1)])
    race.run(50)
    wild, calm = race.balls
    assert wild.stopped and "ran off the surface" in wild.message
    assert wild.steps < 5
    assert not calm.stopped and calm.steps == 50 and calm.loss < 1e-6
    assert race.running


def test_non_finite_loss_stops_the_ball():
    s = custom_surface("sqrt(x) + y**2")
    race = OptimizerRace(s.fn, s.domain, (0.5, 0.5), [OptimizerSettings("sgd", 2.0)])
    race.run(20)
    ball = race.balls[0]
    assert ball.stopped and "no longer finite" in ball.message
    assert not race.running
    race.step()  # a stopped race steps without error and without moving
    assert ball.steps == len(ball.path) - 1


def test_lr_ten_never_hangs_on_any_surface():
    for s in SURFACES.values():
        race = OptimizerRace(s.fn, s.domain, s.start,
                             [OptimizerSettings(k, 10.0) for k in ("sgd", "momentum", "adam",
                                                                  "rmsprop")])
        race.run(200)
        for ball in race.balls:
            assert ball.stopped or all(math.isfinite(v) for v in ball.position)


def test_race_size_is_one_to_four():
    s = SURFACES["bowl"]
    with pytest.raises(ValueError):
        OptimizerRace(s.fn, s.domain, s.start, [])
    with pytest.raises(ValueError):
        OptimizerRace(s.fn, s.domain, s.start, [OptimizerSettings()] * 5)


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(sorted(OPTIMIZERS)),
       lr=st.floats(1e-4, 1.0),
       momentum=st.floats(0.0, 0.99),
       x=st.floats(-2.0, 2.0), y=st.floats(-2.0, 2.0),
       surface=st.sampled_from(["bowl", "chapter", "saddle", "bumpy"]))
def test_any_settings_match_torch_optim_run_directly(kind, lr, momentum, x, y, surface):
    s = SURFACES[surface]
    opt = OptimizerSettings(kind, lr, momentum=momentum)
    race = OptimizerRace(s.fn, s.domain, (x, y), [opt])
    race.run(8)
    ball = race.balls[0]
    expected = run_directly(s.fn, (x, y), opt, ball.steps)
    got = torch.tensor(ball.path, dtype=torch.float32)
    torch.testing.assert_close(got, torch.from_numpy(expected), rtol=0, atol=0, equal_nan=True)
    assert ball.stopped or ball.steps == 8


def test_a_ball_at_the_bottom_is_settled_and_a_moving_one_is_not():
    s = SURFACES["bowl"]
    race = OptimizerRace(s.fn, s.domain, s.start,
                         [OptimizerSettings("sgd", 0.5), OptimizerSettings("sgd", 0.01)])
    race.run(3)
    fast, slow = race.balls
    assert fast.settled(s.domain)  # lr 0.5 on x² + y² lands on the minimum in one step
    assert not slow.settled(s.domain)
