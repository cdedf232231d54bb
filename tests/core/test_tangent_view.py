"""The tangent panel's view maths, without Qt: y range, tangent and secant lines, trail marks,
breaks where f′ jumps, the off-screen notice and what a new function changes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradviz.core.descent import gradient_descent_1d
from gradviz.core.functions1d import curve, probe, slope_at
from gradviz.core.tangent_view import (
    break_at_jumps,
    jump_indices,
    offscreen_text,
    secant,
    source_change,
    tangent_line,
    trail_marks,
    view_y_range,
)


def _curve(source, lo, hi):
    xs, ys, gs = curve(source, lo, hi, 1000)
    return xs.numpy(), ys.numpy(), gs.numpy()


def test_view_range_covers_the_parabola_from_its_axis():
    _xs, ys, _gs = _curve("0.5*(x - 3)**2", -2.0, 8.0)
    lo, hi = view_y_range([ys])
    assert lo < 0.0 < ys.min() + 0.01  # the minimum (0) is inside, with a margin below it
    assert ys.max() * 0.97 < hi < ys.max() * 1.2


def test_view_range_ignores_one_steep_end_and_non_numbers():
    _xs, ys, _gs = _curve("exp(x)", -3.0, 6.0)
    lo, hi = view_y_range([ys])
    assert hi < ys.max() * 0.99  # the last percent of eˣ is left out
    _xs, ys, _gs = _curve("log(x)", -1.0, 5.0)  # nan left of 0, -inf at 0
    lo, hi = view_y_range([ys])
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi


def test_view_range_of_a_constant_or_empty_curve_is_not_flat():
    assert view_y_range([np.full(100, 2.0)]) == pytest.approx((0.84, 3.16))
    lo, hi = view_y_range([np.full(10, np.nan)])
    assert lo < -1.0 and hi > 1.0


def test_tangent_line_has_the_autograd_slope_and_none_where_undefined():
    p = slope_at("x**2", 1.5)
    xs, ys = tangent_line(p, -4.0, 4.0)
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(3.0)
    assert xs.mean() == pytest.approx(1.5)
    xs, _ys = tangent_line(slope_at("log(x)", -1.0), -1.0, 5.0)
    assert xs.size == 0


@pytest.mark.parametrize("h", [1.0, 0.1, 0.001])
def test_secant_slope_is_the_difference_quotient(h):
    pr = probe("x**2", 1.0, h)
    s = secant(pr.point, pr.secant_value, h, -4.0, 4.0)
    assert s.slope == pytest.approx(2.0 + h, rel=1e-3)
    assert (s.ys[1] - s.ys[0]) / (s.xs[1] - s.xs[0]) == pytest.approx(s.slope)
    assert s.dot == pytest.approx((1.0 + h, (1.0 + h) ** 2), rel=1e-5)
    assert "secant slope" in s.text


def test_no_secant_where_f_of_x_plus_h_is_not_a_number():
    pr = probe("sqrt(x)", -0.5, 0.2)  # the point itself is undefined
    assert secant(pr.point, pr.secant_value, 0.2, -1.0, 5.0).xs.size == 0
    pr = probe("sqrt(1 - x)", 0.5, 1.0)  # f(1.5) is nan
    s = secant(pr.point, pr.secant_value, 1.0, -1.0, 1.0)
    assert s.xs.size == 0 and "no secant" in s.text


def test_trail_marks_sit_on_the_visited_points_with_their_slopes():
    rows = gradient_descent_1d("(x - 3)**2", 0.0, 0.1, 4)
    marks = trail_marks(rows, -2.0, 8.0)
    assert list(marks.xs) == [r.x for r in rows[:-1]]
    assert list(marks.ys) == [r.loss for r in rows[:-1]]
    dx = marks.tick_x[1::2] - marks.tick_x[0::2]
    dy = marks.tick_y[1::2] - marks.tick_y[0::2]
    np.testing.assert_allclose(dy / dx, [r.grad for r in rows[:-1]], rtol=1e-6)
    np.testing.assert_allclose(np.hypot(dx, dy), 2 * 0.04 * 10.0)  # one length for every tick


@pytest.mark.parametrize("source", ["abs(x)", "relu(x)"])
def test_derivative_breaks_at_the_corner(source):
    xs, _ys, gs = _curve(source, -3.0, 3.0)
    bx, bg = break_at_jumps(xs, gs)
    assert bx.size == xs.size + 1
    gap = int(np.flatnonzero(np.isnan(bg))[0])
    assert bx[gap - 1] < 0.0 < bx[gap + 1]
    assert np.all(bg[:gap] == gs[:gap]) and np.all(bg[gap + 1:] == gs[gap:])


def test_derivative_breaks_when_a_sample_sits_on_the_corner():
    xs, _ys, gs = curve("abs(x)", -1.0, 1.0, 5)  # x = 0 is a sample, where |x|′ = 0
    assert list(jump_indices(gs.numpy())) == [1, 2]


def test_a_pole_of_the_derivative_is_broken_too():
    xs, _ys, gs = _curve("log(x)", -1.0, 5.0)  # f′ = 1/x: −333 left of 0, +333 right of it
    assert list(xs[jump_indices(gs)]) == [pytest.approx(-0.003, abs=1e-3)]


@pytest.mark.parametrize("source,lo,hi", [("x**3 - 3*x", -2.5, 2.5), ("exp(x)", -3.0, 3.0),
                                          ("sqrt(x)", -1.0, 5.0), ("log(x)", 0.01, 5.0),
                                          ("tanh(x)", -4.0, 4.0), ("sin(x)", -6.3, 6.3)])
def test_smooth_derivatives_are_never_broken(source, lo, hi):
    xs, _ys, gs = _curve(source, lo, hi)
    bx, bg = break_at_jumps(xs, gs)
    assert bx is xs and bg is gs


def test_offscreen_text_says_which_side():
    assert offscreen_text(1.0, -2.0, 8.0) == ""
    assert "right" in offscreen_text(9.5, -2.0, 8.0)
    assert "←" in offscreen_text(-3.0, -2.0, 8.0) and "-3" in offscreen_text(-3.0, -2.0, 8.0)


def test_source_change_takes_the_preset_range_and_pulls_x_inside():
    assert source_change("x**2", 1.0, (-2.0, 8.0), None) == {"source": "x**2"}
    assert source_change("log(x)", -1.5, (-2.0, 8.0), (-1.0, 5.0)) == {
        "source": "log(x)", "x_lo": -1.0, "x_hi": 5.0, "x": 0.0}
    assert source_change("x", 9.0, (2.0, 4.0), None)["x"] == 2.0  # 0 is outside: nearest end
