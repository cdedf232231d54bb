"""The Playground's data: the six generated sets, hand-added points, and CSV files refused whole
(naming the bad line) when any row is wrong — fuzzed with hypothesis."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.core.model import StateError
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_data import (
    DATASETS,
    GENERATORS,
    MAX_USER_POINTS,
    N_GENERATED,
    check_points,
    parse_csv,
    split,
    task_of,
)


@pytest.mark.parametrize("name", DATASETS)
def test_each_generator_is_seeded_float32_and_labelled_for_its_task(name):
    xy, labels = GENERATORS[name](N_GENERATED, 0.2, torch.Generator().manual_seed(1))
    again, _ = GENERATORS[name](N_GENERATED, 0.2, torch.Generator().manual_seed(1))
    other, _ = GENERATORS[name](N_GENERATED, 0.2, torch.Generator().manual_seed(2))
    assert xy.shape == (N_GENERATED, 2) and xy.dtype == torch.float32
    assert torch.equal(xy, again) and not torch.equal(xy, other)
    task = task_of(name)
    if task == "regression":
        assert labels.min() < -0.5 and labels.max() > 0.5
    else:
        classes = 3 if task == "multiclass" else 2
        counts = torch.bincount(labels.long(), minlength=classes)
        assert len(counts) == classes and counts.min() > N_GENERATED // (classes + 1)


def test_noise_moves_the_points():
    clean, _ = GENERATORS["circle"](200, 0.0, torch.Generator().manual_seed(0))
    noisy, _ = GENERATORS["circle"](200, 0.5, torch.Generator().manual_seed(0))
    radius = clean.norm(dim=1)
    assert ((radius < 0.5) | (radius > 0.7)).all()
    assert not torch.allclose(clean, noisy)


def test_split_follows_the_fraction_and_covers_every_point():
    train, test = split(1000, 0.3, torch.Generator().manual_seed(0))
    assert len(train) == 300 and len(test) == 700
    assert sorted(torch.cat([train, test]).tolist()) == list(range(1000))


def test_hand_added_points_join_the_data_and_restart():
    model = PlaygroundModel()
    model.step(2)
    model.points = model.with_point(0.25, -0.5, 1)
    assert model.steps == 0
    x = torch.cat([model.data()[0], model.data()[2]])
    assert (x == torch.tensor([0.25, -0.5])).all(dim=1).any()
    assert len(x) == N_GENERATED + 1


def test_erase_near_removes_only_close_points():
    model = PlaygroundModel()
    model.points = ((0.0, 0.0, 1.0), (0.05, 0.0, 0.0), (0.5, 0.5, 1.0))
    assert model.without_points_near(0.0, 0.0, 0.1) == ((0.5, 0.5, 1.0),)
    with pytest.raises(ValueError):
        model.without_points_near(math.nan, 0.0, 0.1)  # NaN is "near" nothing, not everything


def test_labels_must_fit_the_dataset():
    model = PlaygroundModel()
    with pytest.raises(ValueError, match="label"):
        model.points = ((0.0, 0.0, 2.0),)
    model.dataset = "three_class"
    model.points = ((0.0, 0.0, 2.0),)
    with pytest.raises(ValueError, match="point 1"):
        model.dataset = "xor"
    assert model.dataset == "three_class"
    model.dataset = "plane"  # every real value is a fine regression target
    assert model.points == ((0.0, 0.0, 2.0),)


def test_at_most_5000_points():
    ok = [(0.0, 0.0, 1)] * MAX_USER_POINTS
    assert len(check_points(ok, "binary")) == MAX_USER_POINTS
    with pytest.raises(StateError, match="at most"):
        check_points(ok + [(0.0, 0.0, 1)], "binary")


def test_csv_with_header_and_blank_lines_loads():
    model = PlaygroundModel()
    model.load_csv("x1,x2,label\n0.5, -0.25, 1\n\n-1e-1,2,0\n")
    assert model.points == ((0.5, -0.25, 1.0), (-0.1, 2.0, 0.0))


@pytest.mark.parametrize(("text", "line"), [
    ("0,0,1\n0,0\n", "line 2"), ("0,0,1\n1,2,3\n", "line 2"), ("a,b,c\n", "line 1"),
    ("0,0,1\n0,nan,1\n", "line 2"), ("0,0,1\n0,0,1\n0,1e9,0\n", "line 3"),
    ("0,0,0.5\n", "line 1"), ("0,0,1,4\n", "line 1"), ("0,inf,1\n", "line 1")])
def test_a_bad_row_refuses_the_whole_file_naming_its_line(text, line):
    model = PlaygroundModel()
    model.points = ((0.1, 0.1, 1.0),)
    with pytest.raises(ValueError, match=line):
        model.load_csv(text)
    assert model.points == ((0.1, 0.1, 1.0),)


def test_an_empty_file_is_refused():
    with pytest.raises(StateError, match="no points"):
        parse_csv("x1,x2,label\n\n", "binary")


_cell = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.integers(-3, 3).map(str), st.text(max_size=6))
_row = st.lists(_cell, min_size=0, max_size=4).map(",".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(rows=st.lists(_row, max_size=8), task=st.sampled_from(["binary", "multiclass",
                                                              "regression"]))
def test_csv_fuzz_either_loads_valid_points_or_names_a_line(rows, task):
    text = "\n".join(rows)
    try:
        points = parse_csv(text, task)
    except StateError as exc:
        assert str(exc)  # a plain message, never another exception type
        return
    assert 0 < len(points) <= len(rows)
    for x1, x2, label in points:
        assert math.isfinite(x1) and math.isfinite(x2) and math.isfinite(label)
        if task != "regression":
            assert label in ((0, 1, 2) if task == "multiclass" else (0, 1))
