"""The chain-rule explorer: local derivatives multiply into autograd's answer."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz.core.chain import (
    LINK_PRESETS,
    ChainModel,
    composed_text,
    evaluate_chain,
    local_derivative,
)
from gradviz.core.derivative_code import chain_code
from gradviz.core.model import StateError


def test_default_chain_gives_the_product_of_locals():
    m = ChainModel()
    r = evaluate_chain(m.links, m.x)
    assert composed_text(m.links) == "3 * sin(x**2) + 1"
    assert r.locals_ == pytest.approx((2.0, 0.5403023058681398, 3.0))
    assert r.by_hand == pytest.approx(2.0 * 0.5403023058681398 * 3.0)
    assert r.autograd == pytest.approx(r.by_hand, rel=1e-12)
    assert r.upstream[0] == r.by_hand and r.upstream[-1] == 3.0


def test_relu_local_derivative_at_zero_matches_autograd():
    assert local_derivative("relu(x)", 0.0) == 0.0
    r = evaluate_chain(["3*x + 1", "relu(x)"], -1 / 3)
    assert r.autograd == r.by_hand


_LINKS = st.sampled_from([p.source for p in LINK_PRESETS] + ["x**3 - x", "cos(x)", "0.5*x"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_LINKS, min_size=2, max_size=4), st.floats(-2.0, 2.0))
def test_hand_product_agrees_with_autograd_for_random_chains(links, x):
    r = evaluate_chain(links, x)
    assert r.agree(1e-6), r


def test_links_edits_are_validated():
    m = ChainModel()
    assert m.with_link_added("tanh(x)") == ["x**2", "sin(x)", "3*x + 1", "tanh(x)"]
    m.links = m.with_link_added("tanh(x)")
    with pytest.raises(StateError, match="2 to 4"):
        m.with_link_added("exp(x)")
    assert m.with_link_moved(0, 1)[:2] == ["sin(x)", "x**2"]
    with pytest.raises(ValueError):
        m.with_link_moved(3, 1)
    m.links = ["x**2", "sin(x)"]
    with pytest.raises(StateError):
        m.with_link_removed(0)
    with pytest.raises(StateError):
        m.with_link_replaced(0, "x^2")
    with pytest.raises(StateError):
        m.from_dict({"links": ["x**2", "open('f')"], "x": 0.0})
    assert m.links == ["x**2", "sin(x)"]
    m.from_dict({"links": ["exp(x)", "x**2"], "x": 0.5})
    assert m.to_dict() == {"links": ["exp(x)", "x**2"], "x": 0.5}


def test_chain_code_prints_the_panel_numbers():
    links, x = ["x**2", "sin(x)", "3*x + 1"], 1.0
    r = evaluate_chain(links, x)
    out = subprocess.run([sys.executable, "-c", chain_code(links, x)], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    hand = float(re.search(r"by hand: dy/dx = (\S+)", out).group(1))
    auto = float(re.search(r"autograd: dy/dx = (\S+)", out).group(1))
    locals_ = [float(v) for v in re.search(r"locals: (.*)", out).group(1).split(" x ")]
    assert hand == pytest.approx(r.by_hand, rel=1e-5)
    assert auto == pytest.approx(r.autograd, rel=1e-5)
    assert locals_ == pytest.approx(list(r.locals_), rel=1e-5)
