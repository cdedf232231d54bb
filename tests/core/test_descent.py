"""1-D gradient descent: the chapter's numbers, divergence, and the descent code view."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import pytest

from gradviz.core.derivative_code import descent_code
from gradviz.core.descent import DescentRow, describe_run, gradient_descent_1d
from gradviz.core.expr import ExpressionError


def test_chapter_numbers_for_x_minus_3_squared():
    rows = gradient_descent_1d("(x - 3)**2", x0=0.0, lr=0.1, steps=3)
    assert [r.step for r in rows] == [0, 1, 2]
    assert [round(r.loss, 4) for r in rows] == [9.0, 5.76, 3.6864]
    assert [round(r.x, 4) for r in rows] == [0.0, 0.6, 1.08]
    assert rows[0].grad == -6.0
    assert rows[1]["loss"] == pytest.approx(5.76, rel=1e-6)


def test_converges_to_three_with_shrinking_steps():
    rows = gradient_descent_1d("(x - 3)**2", 0.0, 0.1, 80)
    assert rows[-1].x == pytest.approx(3.0, abs=1e-5)
    moves = [b.x - a.x for a, b in zip(rows, rows[1:], strict=False)]
    assert all(m > 0 for m in moves[:40])
    assert all(abs(b) < abs(a) for a, b in zip(moves[:40], moves[1:40], strict=False))
    text, key = describe_run(rows[:10], 0.1)
    assert "shrink" in text and key == "neutral"


def test_overshooting_and_divergence_are_named():
    bouncing = gradient_descent_1d("(x - 3)**2", 0.0, 0.9, 6)
    assert (bouncing[1].x - 3) * (bouncing[2].x - 3) < 0
    assert describe_run(bouncing, 0.9)[1] == "warning"
    flying = gradient_descent_1d("(x - 3)**2", 0.0, 1.5, 500)
    assert len(flying) < 500  # stopped once |x| passed the limit
    text, key = describe_run(flying, 1.5)
    assert key == "error" and "Diverged" in text


def test_rows_are_read_before_the_update_and_match_autograd():
    rows = gradient_descent_1d("sin(x)", 1.0, 0.5, 4)
    for a, b in zip(rows, rows[1:], strict=False):
        assert b.x == pytest.approx(a.x - 0.5 * a.grad, rel=1e-6)
        assert a.grad == pytest.approx(math.cos(a.x), rel=1e-5)


def test_bad_input_is_refused():
    with pytest.raises(ExpressionError):
        gradient_descent_1d("x^2", 0.0, 0.1, 3)
    with pytest.raises(ValueError):
        gradient_descent_1d("x**2", math.nan, 0.1, 3)
    with pytest.raises(ValueError):
        gradient_descent_1d("x**2", 0.0, 0.1, -1)
    assert gradient_descent_1d("x**2", 0.0, 0.1, 0) == []


def test_constant_function_has_zero_gradient():
    rows = gradient_descent_1d("2 + pi", 1.0, 0.1, 3)
    assert [r.grad for r in rows] == [0.0, 0.0, 0.0]
    assert isinstance(rows[0], DescentRow)


def test_descent_code_prints_the_same_rows():
    rows = gradient_descent_1d("(x - 3)**2", 0.0, 0.1, 5)
    out = subprocess.run([sys.executable, "-c", descent_code("(x - 3)**2", 0.0, 0.1, 5)],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "with torch.no_grad():" in descent_code("x**2", 1.0, 0.1, 1)
    printed = re.findall(r"step (\d+): x = (\S+), loss = (\S+), grad = (\S+)", out)
    assert len(printed) == 5
    for row, (step, x, loss, grad) in zip(rows, printed, strict=True):
        assert int(step) == row.step
        assert float(x) == pytest.approx(row.x, rel=1e-5, abs=1e-6)
        assert float(loss) == pytest.approx(row.loss, rel=1e-5)
        assert float(grad) == pytest.approx(row.grad, rel=1e-5)


def test_undefined_loss_and_zero_learning_rate_are_named():
    rows = gradient_descent_1d("log(x)", -1.0, 0.1, 5)
    assert len(rows) == 1 and math.isnan(rows[0].loss)
    text, key = describe_run(rows, 0.1)
    assert "Stuck" in text and key == "error"
    still = gradient_descent_1d("x**2", 1.0, 0.0, 3)
    assert [r.x for r in still] == [1.0, 1.0, 1.0]
    assert "learning rate is 0" in describe_run(still, 0.0)[0]
