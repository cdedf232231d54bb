"""Hardening: the code importer and graph loading under random and oversized input.

Only the importer's own error type may come out of random text or random valid-looking
programs, and resource limits answer within a second or two with a message.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.core.model import StateError
from gradviz.graph import CodeImportError, Graph, load_example

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=200))
def test_random_text_raises_only_code_import_error(text):
    try:
        Graph.from_code(text)
    except CodeImportError:
        pass


NAMES = st.sampled_from(["x", "y", "z", "a", "b", "loss", "w", "os", "torch", "__import__"])
ATOMS = st.one_of(NAMES, st.integers(-5, 5).map(str),
                  st.floats(-3, 3, allow_nan=False).map(lambda v: f"{v:.3g}"),
                  st.sampled_from(["torch.tensor(2.0, requires_grad=True)", "torch.tensor(1.5)",
                                   "torch.tensor(3.0, requires_grad=False)", "open('f')",
                                   "torch.zeros(3)", "x.grad", "torch.nn.Linear(2, 2)"]))


def _exprs():
    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "@", "%"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["torch.relu", "torch.sin", "torch.exp", "torch.log",
                                       "torch.tanh", "torch.sigmoid", "torch.square",
                                       "torch.matmul", "eval", "print"]), inner).map(
                lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, st.sampled_from([".relu()", ".detach()", ".cos()", ".exp()",
                                              ".item()", ".numpy()", ".grad"])).map(
                lambda t: f"{t[0]}{t[1]}"),
            inner.map(lambda e: f"-{e}"),
        )

    return st.recursive(ATOMS, extend, max_leaves=6)


STATEMENTS = st.one_of(
    st.tuples(NAMES, _exprs()).map(lambda t: f"{t[0]} = {t[1]}"),
    st.tuples(NAMES, _exprs()).map(lambda t: f"{t[0]} += {t[1]}"),
    NAMES.map(lambda n: f"{n}.backward()"),
    st.sampled_from(["import torch", "import os", "# a comment", "print(x)", "for i in x: pass",
                     "def f(): pass", "x.grad = None", "with torch.no_grad(): pass", ""]),
)


@FUZZ
@given(st.lists(STATEMENTS, max_size=10))
def test_random_valid_looking_programs_import_or_refuse_cleanly(lines):
    try:
        g = Graph.from_code("\n".join(lines))
    except CodeImportError:
        return
    run = g.run()  # an imported graph always runs; problems are reported, never raised
    assert isinstance(run.problems, list)


def test_one_megabyte_paste_is_refused_fast():
    source = "x = torch.tensor(2.0, requires_grad=True)\n" + "y = x * 2\n" * 100_000
    assert len(source) > 1_000_000
    t0 = time.perf_counter()
    with pytest.raises(CodeImportError, match="characters"):
        Graph.from_code(source)
    assert time.perf_counter() - t0 < 2.0


def test_a_ten_thousand_node_graph_file_is_refused_fast_and_changes_nothing():
    g = load_example("two_paths")
    before = g.to_dict()
    data = json.loads(json.dumps(before))
    template = data["nodes"][0]
    data["nodes"] = [dict(template, id=i + 1, name=f"n{i}") for i in range(10_000)]
    data["edges"] = []
    t0 = time.perf_counter()
    with pytest.raises((StateError, ValueError)) as info:
        g.from_dict(data)
    assert time.perf_counter() - t0 < 2.0
    assert "5000" in str(info.value) or "5,000" in str(info.value) or "too many" in str(info.value)
    assert g.to_dict() == before


VALID_NAMES = st.sampled_from(["x", "y", "a", "b", "z"])
VALID_ATOMS = st.one_of(st.sampled_from(["x", "y"]), st.integers(1, 4).map(str))


def _valid_exprs():
    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["torch.relu", "torch.sin", "torch.tanh", "torch.sigmoid",
                                       "torch.exp", "torch.square"]), inner).map(
                lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, st.sampled_from([".cos()", ".detach()", ".tanh()"])).map(
                lambda t: f"({t[0]}){t[1]}"),
        )

    # A bare name would only alias a node (refused by design): every statement computes.
    return st.recursive(VALID_ATOMS, extend, max_leaves=5).filter(
        lambda e: e not in ("x", "y") and not e.isdigit())


VALID_PROGRAMS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "z"]), _valid_exprs()).map(lambda t: f"{t[0]} = {t[1]}"),
    min_size=1, max_size=5).map(
    lambda body: "import torch\nx = torch.tensor(0.7, requires_grad=True)\n"
                 "y = torch.tensor(1.3, requires_grad=True)\n" + "\n".join(body))


@FUZZ
@given(VALID_PROGRAMS)
def test_valid_programs_import_and_run(source):
    g = Graph.from_code(source)
    run = g.run()
    assert isinstance(run.problems, list)
    # Whatever the program, a leaf's gradient is a number or None (detached away), never junk.
    for value in run.grads.values():
        assert value is None or isinstance(value, float)
