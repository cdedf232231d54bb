"""What the surface panel shows, computed without Qt: frames, trails, status lines, readout."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gradviz.core.loss_surface import LossSurface
from gradviz.core.numbers import fmt
from gradviz.core.surface_view import (
    LogScale,
    ball_status,
    caption_text,
    inside,
    loss_symbol,
    race_frame,
    readout_text,
    trail_in_scene,
)
from gradviz.core.surfaces import SCENE_HEIGHT, SURFACES


def test_a_frame_has_one_entry_per_ball_and_follows_the_race():
    s = LossSurface()
    s.from_dict(s.values_for_preset("race_elongated"))
    s.step(7)
    frame = race_frame(s.grid_data(), s.race, show_arrow=True)
    n = len(s.race.balls)
    assert n == 4
    for part in (frame.poses, frame.trails3d, frame.positions, frame.trails2d, frame.arrows2d,
                 frame.names, frame.losses):
        assert len(part) == n
    for ball, pos, trail, losses in zip(s.race.balls, frame.positions, frame.trails2d,
                                        frame.losses, strict=True):
        assert pos == ball.position
        assert trail.shape == (ball.steps + 1, 2) and tuple(trail[-1]) == ball.position
        assert losses[-1] == ball.loss
    assert all(a is not None and a.shape == (6, 2) for a in frame.arrows2d)
    assert frame.names[0] == s.race.balls[0].label
    no_arrows = race_frame(s.grid_data(), s.race, show_arrow=False)
    assert all(a is None for a in no_arrows.arrows2d)


def test_a_ball_that_ran_off_the_plot_is_not_drawn_and_its_trail_is_cut():
    s = LossSurface()
    s.from_dict({"lr1": 10.0})
    s.step(3)
    ball = s.race.balls[0]
    grid = s.grid_data()
    frame = race_frame(grid, s.race, show_arrow=True)
    assert not inside(grid.surface.domain, *ball.position)
    assert frame.poses == [None] and frame.positions == [None]
    assert ball.message in frame.names[0]
    trail = frame.trails3d[0]
    assert 1 <= len(trail) < ball.steps + 1
    assert np.all(np.abs(trail[:, :2]) <= 1.0)


def test_the_trail_lies_just_above_the_surface_in_scene_coordinates():
    s = LossSurface()
    s.step(5)
    grid = s.grid_data()
    ball = s.race.balls[0]
    trail = trail_in_scene(grid, ball.path_array(), ball.loss_array())
    assert trail.dtype == np.float32 and trail.shape == (6, 3)
    nx, ny = grid.surface.domain.normalised(*ball.position)
    assert trail[-1, 0] == pytest.approx(nx) and trail[-1, 1] == pytest.approx(ny)
    surface_height = grid.height_of(ball.loss)
    assert 0 < trail[-1, 2] - surface_height < 0.1 * SCENE_HEIGHT


def test_the_readout_shows_autograds_numbers_at_the_ball():
    s = LossSurface()
    s.from_dict(s.values_for_preset("chapter_saddle"))
    ball = s.race.balls[0]
    p = torch.tensor(ball.position, requires_grad=True)
    f = s.current_surface().fn(p[0], p[1])
    f.backward()
    text, tip = readout_text(ball, 1, s.current_surface(), "#E8231E")
    assert f"f = {fmt(f.item())}" in text
    assert f"∂f/∂x = {fmt(p.grad[0].item())}" in text
    assert f"∂f/∂y = {fmt(p.grad[1].item())}" in text
    assert "#E8231E" in text and "loss.backward()" in tip


def test_status_lines_say_settled_outside_and_stopped():
    s = LossSurface()
    s.from_dict({"lr1": 0.5})  # SGD with lr 0.5 on x² + y² lands on the minimum in one step
    s.step(3)
    ball = s.race.balls[0]
    domain = s.current_surface().domain
    assert ball_status(ball, domain).startswith("settled at step")
    s.from_dict({"lr1": 10.0})
    s.restart()
    s.step(3)
    wild = s.race.balls[0]
    assert ball_status(wild, domain) == wild.message != ""
    s.from_dict({"lr1": 0.05})
    s.restart()
    assert ball_status(s.race.balls[0], domain) == f"step 0, f = {fmt(s.race.balls[0].loss)}"


def test_the_mini_network_calls_its_loss_l_and_captions_carry_the_formula():
    s = LossSurface()
    assert loss_symbol(s.surface_for("mininet")) == "L"
    assert loss_symbol(SURFACES["bowl"]) == "f"
    chapter = SURFACES["chapter"]
    text = caption_text(chapter)
    assert chapter.formula in text and chapter.gradient in text and chapter.caption in text


@pytest.mark.parametrize("lr", [1e-4, 3e-3, 0.05, 1.05, 10.0])
def test_the_log_scale_round_trips_within_a_slider_step(lr):
    setting = LossSurface.setting("lr1")
    scale = LogScale(setting.lo, setting.hi)
    back = scale.value(scale.position(lr))
    assert back == pytest.approx(lr, rel=0.01)
    assert scale.position(setting.lo) == 0 and scale.position(setting.hi) == scale.steps
    assert scale.position(setting.hi * 10) == scale.steps
