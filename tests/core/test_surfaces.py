"""Surfaces, their grids and the geometry the views draw (no Qt)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gradviz.core.contours import contour_levels, contour_segments
from gradviz.core.expr import ExpressionError
from gradviz.core.meshes import (
    arrow_field_segments,
    arrow_mesh,
    ball_pose,
    balls_mesh,
    flat_arrow,
    project_point,
    trail_segments,
)
from gradviz.core.mininet import MiniNetwork
from gradviz.core.surfaces import (
    SCENE_HEIGHT,
    SURFACE_KEYS,
    SURFACES,
    compute_grid,
    custom_surface,
    grid_values,
    mininet_surface,
    shaded_colours,
)


def test_every_surface_in_the_issue_is_offered():
    assert set(SURFACE_KEYS) == {"bowl", "chapter", "elongated", "saddle", "rosenbrock",
                                 "himmelblau", "bumpy", "mininet", "custom"}


@pytest.mark.parametrize("key", list(SURFACES))
def test_grid_is_the_function_on_an_ij_meshgrid(key):
    s = SURFACES[key]
    xs, ys, f = grid_values(s, 57)
    assert f.shape == (57, 57) and f.dtype == np.float32
    for i, j in [(0, 0), (3, 50), (56, 17), (28, 28)]:
        expected = s.fn(torch.tensor(xs[i]), torch.tensor(ys[j]))
        assert f[i, j] == pytest.approx(float(expected), rel=1e-5, abs=1e-5)
    assert xs[0] == s.domain.x0 and xs[-1] == s.domain.x1
    assert ys[0] == s.domain.y0 and ys[-1] == s.domain.y1


def test_a_grid_is_one_vectorized_call():
    calls = []
    bowl = SURFACES["bowl"]

    def counting(x, y):
        calls.append(x.shape)
        return bowl.fn(x, y)

    from dataclasses import replace

    grid_values(replace(bowl, fn=counting), 200)
    assert calls == [(200, 200)]


@pytest.mark.parametrize("n", [49, 401])
def test_grid_size_is_bounded(n):
    with pytest.raises(ValueError, match="grid size"):
        grid_values(SURFACES["bowl"], n)


def test_the_chapters_surface_has_its_partials_and_a_caption_about_no_minimum():
    s = SURFACES["chapter"]
    for x, y in [(1.0, 2.0), (-0.5, 1.5), (0.3, -1.1)]:
        f, dfx, dfy = s.value_and_grad(x, y)
        assert f == pytest.approx(x * x + 2 * x * y, rel=1e-6)
        assert (dfx, dfy) == pytest.approx((2 * x + 2 * y, 2 * x), rel=1e-6)
    assert "no minimum" in s.caption and "run away" in s.caption
    assert s.gradient == "∂f/∂x = 2x + 2y,  ∂f/∂y = 2x"


def test_himmelblau_has_four_minima_at_zero():
    s = SURFACES["himmelblau"]
    for x, y in [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                 (3.584428, -1.848126)]:
        assert s.value_and_grad(x, y)[0] == pytest.approx(0.0, abs=1e-4)


def test_mininet_surface_is_the_shared_networks_mse():
    net = MiniNetwork()
    s = mininet_surface(net)
    assert s.names == ("w", "b") and s.start == (net.w, net.b)
    assert s.domain.contains(net.w, net.b)
    xs, ys, f = grid_values(s, 60)
    i, j = 11, 42
    w, b = torch.tensor(xs[i]), torch.tensor(ys[j])
    data_x, data_y = net.dataset()
    by_hand = ((w * data_x + b - data_y) ** 2).mean()
    assert f[i, j] == pytest.approx(float(by_hand), rel=1e-5)
    net.seed = 7
    assert not np.array_equal(grid_values(mininet_surface(net), 60)[2], f)


def test_custom_expression_compiles_safely_or_says_where_it_is_wrong():
    s = custom_surface("sin(x)*cos(y)")
    assert s.fn(torch.tensor(0.5), torch.tensor(0.0)) == pytest.approx(np.sin(0.5))
    with pytest.raises(ExpressionError) as info:
        custom_surface("x**2 + __import__('os')")
    assert info.value.column > 0
    with pytest.raises(ExpressionError):
        custom_surface("x + z")


def test_non_finite_values_and_spikes_do_not_break_the_grid():
    g = compute_grid(custom_surface("log(x) + 1/y"), 80)
    assert np.isfinite(g.height).all()
    assert g.hi > g.lo and np.isfinite([g.lo, g.hi]).all()
    assert shaded_colours(g).shape == (80, 80, 4)


def test_grid_lines_are_baked_into_the_colours():
    g = compute_grid(SURFACES["bowl"], 101)
    plain = shaded_colours(g, lines=0)
    lined = shaded_colours(g, lines=11)
    assert np.all(lined[50, :, :3] >= plain[50, :, :3]) and lined[50, 3, 0] > plain[50, 3, 0]
    assert np.array_equal(lined[51, 3], plain[51, 3])


def test_heights_span_the_scene_and_log_surfaces_use_a_log_scale():
    g = compute_grid(SURFACES["bowl"], 101)
    h = g.height
    assert h.min() == pytest.approx(0.0, abs=1e-6) and h.max() == pytest.approx(SCENE_HEIGHT)
    r = compute_grid(SURFACES["rosenbrock"], 101)
    mid = r.height_of(r.lo + (r.hi - r.lo) / 100)
    assert mid > 0.3 * SCENE_HEIGHT  # a linear scale would put it at 1 %


def test_contour_segments_lie_on_their_level():
    g = compute_grid(SURFACES["bowl"], 120)
    levels = np.array([0.5, 2.0, 4.5])
    segs = contour_segments(g.xs, g.ys, g.f, levels)
    r2 = (segs ** 2).sum(-1).ravel()
    # every end point is on one of the circles x² + y² = level
    assert np.min(np.abs(r2[:, None] - levels[None, :]), axis=1).max() < 0.01
    assert len(segs) > 100
    assert len(contour_levels(g, 9)) == 9


def test_contours_of_a_saddle_cell_pair_up():
    xs = ys = np.array([0.0, 1.0])
    f = np.array([[1.0, 0.0], [0.0, 1.0]])  # corners above, below, above, below
    segs = contour_segments(xs, ys, f, np.array([0.5]))
    assert segs.shape == (2, 2, 2)


def test_arrow_field_points_downhill():
    segs = arrow_field_segments(SURFACES["bowl"], 9)
    shafts = segs[: len(segs) // 3]
    tail, tip = shafts[:, 0], shafts[:, 1]
    mid = (tail + tip) / 2
    # -∇f of x² + y² points at the origin: the tip is closer to it than the tail
    moving = np.linalg.norm(mid, axis=1) > 0.3
    assert (np.linalg.norm(tip, axis=1) < np.linalg.norm(tail, axis=1))[moving].all()


def test_ball_pose_sits_on_the_surface_and_its_arrow_goes_downhill():
    g = compute_grid(SURFACES["bowl"], 100)
    f, dfx, dfy = SURFACES["bowl"].value_and_grad(1.5, 1.2)
    pose = ball_pose(g, 1.5, 1.2, f, dfx, dfy)
    assert pose.centre[:2] == pytest.approx([0.75, 0.6])
    assert pose.centre[2] > float(g.height_of(f))
    move = pose.arrow_end - pose.arrow_start
    assert move[2] < 0  # downhill
    xy = move[:2] / np.linalg.norm(move[:2])
    assert xy == pytest.approx(-np.array([dfx, dfy]) / np.hypot(dfx, dfy), abs=1e-6)
    flat = flat_arrow(g, 1.5, 1.2, dfx, dfy)
    assert flat.shape == (6, 2) and np.linalg.norm(flat[1]) < np.linalg.norm(flat[0])
    still = ball_pose(g, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert np.array_equal(still.arrow_start, still.arrow_end)


def test_arrow_mesh_runs_from_start_to_end():
    verts, faces = arrow_mesh(np.zeros(3), np.array([0.0, 0.0, 1.0]), 0.02, 0.05, 0.2, 10)
    assert verts[-1] == pytest.approx([0, 0, 1]) and faces.max() < len(verts)
    assert np.abs(verts[:, :2]).max() == pytest.approx(0.05, rel=1e-5)
    empty, none = arrow_mesh(np.zeros(3), np.zeros(3), 0.02, 0.05, 0.2)
    assert len(empty) == 0 and len(none) == 0


def test_project_point_follows_the_matrix():
    assert project_point(np.eye(4), np.zeros(3), 200, 100) == (100.0, 50.0)
    assert project_point(np.eye(4), np.array([1.0, 1.0, 0.0]), 200, 100) == (200.0, 0.0)


def test_all_balls_and_arrows_make_one_mesh_and_all_trails_one_line_set():
    g = compute_grid(SURFACES["bowl"], 60)
    poses = [ball_pose(g, 1.5, 1.2, *SURFACES["bowl"].value_and_grad(1.5, 1.2)), None,
             ball_pose(g, -1.0, 0.5, *SURFACES["bowl"].value_and_grad(-1.0, 0.5))]
    red, pink, white = (1, 0, 0, 1), (1, 0, 1, 1), (1, 1, 1, 1)
    verts, faces, cols = balls_mesh(poses, [red, pink, white], True, (1, 1, 0, 1))
    assert faces.max() < len(verts) and len(cols) == len(verts)
    no_arrows = balls_mesh(poses, [red, pink, white], False, (1, 1, 0, 1))[0]
    assert len(no_arrows) < len(verts)
    # the first sphere is centred on the first pose and is red (lit, so darker or lighter)
    first = no_arrows[: len(no_arrows) // 2]
    assert first.mean(axis=0) == pytest.approx(poses[0].centre, abs=1e-3)
    assert (cols[:10, 0] > cols[:10, 1]).all()
    assert len(balls_mesh([None], [red], True, red)[0]) == 0
    pos, tc = trail_segments([np.zeros((3, 3)), np.zeros((1, 3))], [red, pink])
    assert pos.shape == (4, 3) and tc.shape == (4, 4)
