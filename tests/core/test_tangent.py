"""The tangent sub-model and the slopes it reads off autograd."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from unittest.mock import Mock

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz.core.commands import SetFieldsCommand
from gradviz.core.derivative_code import tangent_code
from gradviz.core.functions1d import (
    PRESETS,
    VERDICT_DOWN,
    VERDICT_FLAT,
    VERDICT_UP,
    curve,
    explain_point,
    slope_at,
    verdict,
)
from gradviz.core.model import StateError
from gradviz.core.tangent import TangentModel


def test_chapter_preset_is_flat_at_three_and_signs_either_side():
    assert PRESETS[0].source == "0.5*(x - 3)**2"
    assert slope_at("0.5*(x - 3)**2", 3.0).slope == 0.0
    assert slope_at("0.5*(x - 3)**2", 0.0).slope == -3.0
    assert slope_at("0.5*(x - 3)**2", 5.0).slope == 2.0
    assert verdict(0.0)[0] == VERDICT_FLAT
    assert verdict(-3.0) == (VERDICT_DOWN, "negative")
    assert verdict(2.0) == (VERDICT_UP, "positive")


@pytest.mark.parametrize("source, x, value, slope", [
    ("x**2", 3.0, 9.0, 6.0),
    ("x**3 - 3*x", 1.0, -2.0, 0.0),
    ("sin(x)", 0.0, 0.0, 1.0),
    ("exp(x)", 0.0, 1.0, 1.0),
    ("relu(x)", 2.0, 2.0, 1.0),
    ("sigmoid(x)", 0.0, 0.5, 0.25),
    ("tanh(x)", 0.0, 0.0, 1.0),
])
def test_known_slopes(source, x, value, slope):
    p = slope_at(source, x)
    assert p.value == pytest.approx(value, abs=1e-6)
    assert p.slope == pytest.approx(slope, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([p.source for p in PRESETS if "log" not in p.source
                        and "sqrt" not in p.source and "abs" not in p.source
                        and "relu" not in p.source]),
       st.floats(-2.5, 2.5))
def test_autograd_slope_agrees_with_central_differences(source, x):
    p = slope_at(source, x, torch.float64)
    h = 1e-6
    fd = (slope_at(source, x + h, torch.float64).value
          - slope_at(source, x - h, torch.float64).value) / (2 * h)
    assert p.slope == pytest.approx(fd, rel=1e-5, abs=1e-5)


def test_curve_is_one_vectorized_pass_and_matches_pointwise_slopes():
    xs, ys, gs = curve("x**3 - 3*x", -2.0, 2.0, 1000)
    assert xs.shape == ys.shape == gs.shape == (1000,)
    assert torch.allclose(gs, 3 * xs**2 - 3, atol=1e-5)
    i = 123
    assert gs[i].item() == pytest.approx(slope_at("x**3 - 3*x", xs[i].item()).slope, rel=1e-6)


def test_undefined_and_infinite_points_are_explained():
    assert "nan" in explain_point("log(x)", -1.0)
    assert "-inf" in explain_point("log(x)", 0.0)
    assert "infinite" in explain_point("sqrt(x)", 0.0)
    corner = explain_point("abs(x)", 0.0)
    assert "corner" in corner.lower() and "returns 0" in corner
    assert "corner" in explain_point("relu(x)", 0.0).lower()
    assert explain_point("x**2", 1.0) == ""
    assert explain_point("sin(x)", 2.0) == ""


def test_model_validates_whole_state_before_loading():
    m = TangentModel()
    good = m.to_dict()
    with pytest.raises(StateError, match="source"):
        m.from_dict({**good, "source": "import os", "x": 2.0})
    assert m.x == 0.0  # nothing loaded
    with pytest.raises(StateError):
        m.from_dict({**good, "x_lo": 5.0, "x_hi": 1.0})
    with pytest.raises(StateError):
        m.from_dict({**good, "x": math.inf})
    m.from_dict({**good, "source": "x**2", "x": 1.5})
    assert (m.source, m.x) == ("x**2", 1.5)


def test_x_event_fires_once_per_real_change():
    m = TangentModel()
    seen = Mock()
    m.events.x.connect(seen)
    m.x = 1.0
    m.x = 1.0
    assert seen.call_count == 1


def test_descent_steps_move_the_point_and_build_a_trail():
    m = TangentModel(source="(x - 3)**2", x=0.0, lr=0.1)
    assert m.trail() == []
    for _ in range(2):
        SetFieldsCommand(m, m.next_step(), "Step").do()
    rows = m.trail()
    assert [round(r.x, 4) for r in rows] == [0.0, 0.6, 1.08]
    assert [round(r.loss, 4) for r in rows] == [9.0, 5.76, 3.6864]
    assert m.x == rows[-1].x
    # Moving the point by hand ends the trail; the next step starts a new one from there.
    m.x = 2.0
    assert m.trail() == []
    SetFieldsCommand(m, m.next_step(), "Step").do()
    assert m.descent_x0 == 2.0 and m.descent_steps == 1
    back = m.previous_step()
    SetFieldsCommand(m, back, "Back").do()
    assert m.x == 2.0


def test_step_that_would_fly_off_is_refused():
    m = TangentModel(source="exp(x)", x=10.0, lr=100.0)
    assert m.next_step() is None


def test_undo_of_a_step_restores_the_model():
    m = TangentModel(source="(x - 3)**2")
    before = m.to_dict()
    cmd = SetFieldsCommand(m, m.next_step(), "Step")
    cmd.do()
    assert m.to_dict() != before
    cmd.undo()
    assert m.to_dict() == before


def test_tangent_code_prints_the_panel_numbers():
    code = tangent_code("0.5*(x - 3)**2", 0.0)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    values = dict(re.findall(r"^(.*?) = (\S+)$", out, re.M))
    p = slope_at("0.5*(x - 3)**2", 0.0)
    assert float(values["f(x)"]) == pytest.approx(p.value)
    assert float(values["f'(x)"]) == pytest.approx(p.slope)
    assert "backward()" in code and "requires_grad=True" in code


@pytest.mark.parametrize("source", ["sin(x)", "x**3 - 3*x", "exp(x)", "abs(x)", "sigmoid(x)"])
def test_vectorized_probe_gives_exactly_the_scalar_backward(source):
    from gradviz.core.functions1d import corner_slopes, probe

    for x in (-1.3, 0.0, 0.7, 2.0):
        pr = probe(source, x, h=0.5)
        assert pr.point == slope_at(source, x)
        assert pr.secant_value == slope_at(source, x + 0.5).value
    assert (corner_slopes(probe(source, 0.0)) is not None) == (source == "abs(x)")
