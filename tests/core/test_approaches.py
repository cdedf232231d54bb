"""Symbolic vs numerical vs autograd: values, the V of |error| against h, and the cost run."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest

from gradviz.core.approaches import (
    ApproachesModel,
    CostRun,
    compare_approaches,
    error_vs_h,
    h_grid,
)
from gradviz.core.derivative_code import approaches_code, cost_code
from gradviz.core.model import StateError


def test_three_approaches_side_by_side():
    c = compare_approaches("x**2", 3.0, 1e-3)
    assert c.formula == "2*x" and c.exact == 6.0
    assert c.row("autograd").value32 == 6.0
    assert c.row("central").error64 < 1e-9  # exact for a quadratic, up to rounding
    assert c.row("forward").value64 == pytest.approx(6.001, rel=1e-9)  # truncation error h
    sin = compare_approaches("sin(x)", 1.0, 1e-4)
    assert sin.row("autograd").error64 < 1e-15
    assert sin.row("forward").error64 > sin.row("central").error64


def test_error_of_sin_at_one_has_a_v_shape():
    curves = {(c.scheme, c.dtype): c for c in error_vs_h("sin(x)", 1.0)}
    assert set(curves) == {("forward", "float32"), ("central", "float32"),
                           ("forward", "float64"), ("central", "float64")}
    for (scheme, dtype), c in curves.items():
        err = c.error
        i = int(np.argmin(np.where(np.isfinite(err), err, np.inf)))
        # Both arms rise away from the bottom: rounding on the left, truncation on the right.
        assert err[0] > 100 * c.best_error, (scheme, dtype)
        assert err[-1] > 100 * c.best_error, (scheme, dtype)
        assert 1e-15 < c.best_h < 1e-1 and c.best_h == c.h[i]
    # The textbook bottoms: about sqrt(eps) for forward, eps**(1/3) for central.
    assert 1e-10 < curves["forward", "float64"].best_h < 1e-6
    assert 1e-7 < curves["central", "float64"].best_h < 1e-3
    assert 1e-5 < curves["forward", "float32"].best_h < 1e-2
    # float32 bottoms out much higher than float64.
    assert curves["forward", "float32"].best_error > 100 * curves["forward", "float64"].best_error


def test_error_vs_h_covers_the_requested_range():
    hs = h_grid()
    assert hs[0] == pytest.approx(1e-16) and hs[-1] == 1.0 and len(hs) == 161
    with pytest.raises(ValueError):
        error_vs_h("log(x)", -1.0)


def test_model_refuses_bad_state():
    m = ApproachesModel()
    with pytest.raises(StateError):
        m.from_dict({"source": "__import__('os')", "x": 1.0, "h": 1e-3})
    with pytest.raises(StateError):
        m.from_dict({"source": "sin(x)", "x": 1.0, "h": 0.0})
    assert m.source == "sin(x)"


def test_cost_run_in_slices_measures_both_ways():
    run = CostRun(sizes=[1, 10, 200])
    slices = 0
    while not run.advance(0.002):
        slices += 1
        assert 0.0 <= run.progress <= 1.0
    assert slices >= 1  # the work was really cut into slices
    assert [r.n for r in run.results] == [1, 10, 200]
    for r in run.results:
        assert r.numerical_ms > 0 and r.autograd_ms > 0
        assert r.max_abs_diff < 1e-4  # the two gradients agree
    # n + 1 evaluations grow with n; one backward barely does.
    assert run.results[-1].numerical_ms > run.results[0].numerical_ms


def test_approaches_code_prints_the_panel_numbers():
    c = compare_approaches("sin(x)", 1.0, 1e-4)
    out = subprocess.run([sys.executable, "-c", approaches_code("sin(x)", 1.0, 1e-4)],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    values = dict(re.findall(r"^(.*?) = (.+)$", out, re.M))
    assert float(values["forward difference"]) == pytest.approx(c.row("forward").value32, rel=1e-5)
    assert float(values["central difference"]) == pytest.approx(c.row("central").value32, rel=1e-5)
    assert float(values["autograd"]) == pytest.approx(c.row("autograd").value32, rel=1e-5)
    assert values["symbolic f'(x)"] == "cos(x)"
    assert float(values["symbolic value"]) == pytest.approx(c.exact, rel=1e-5)


def test_cost_code_runs():
    out = subprocess.run([sys.executable, "-c", cost_code(50)], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    diff = float(re.search(r"largest difference: (\S+)", out).group(1))
    assert diff < 1e-4 and "numerical:" in out
    assert math.isfinite(diff)


def test_an_exact_slope_beyond_float32_shows_as_inf_without_a_warning():
    import warnings

    from gradviz.core.approaches import compare_approaches

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = compare_approaches("exp(x)", 100.0, h=1e-4)  # e^100 ≈ 2.7e43 > float32's 3.4e38
    assert c.row("symbolic").value32 == float("inf")
    assert c.row("symbolic").value64 > 1e43
