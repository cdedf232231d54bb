"""Hardening: random mutations of a real lesson file are refused cleanly or load completely.

Never another exception type, never a half-loaded model, and oversized files answer at once.
"""

from __future__ import annotations

import copy
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.app import build_model
from gradviz.core.resources import resource_path
from gradviz.lesson.files import open_lesson
from gradviz.lesson.format import decode_lesson
from gradviz.lesson.safe_json import LessonError

TOUR = resource_path("lessons", "why-derivatives.gradviz")
RAW = TOUR.read_bytes()
DATA = json.loads(RAW)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _paths(value, prefix=()):
    """Every path into the JSON tree, so mutations reach deep validation code."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(DATA) if p]
REPLACEMENTS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([1e308, -1e308, 0.0]),
    st.text(max_size=30), st.just("x" * 5000), st.just([]), st.just({}),
    st.just({"models": {}}), st.just([[[[[]]]]]),
)


def _set(tree, path, value):
    # A copy: st.just() hands out one shared object, and a later mutation inside it could
    # otherwise make the tree refer to itself (which no JSON file can).
    value = copy.deepcopy(value)
    target = tree
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _check_loads_completely_or_refuses(raw: bytes) -> None:
    try:
        lesson = decode_lesson(raw, build_model, "fuzzed.gradviz")
    except LessonError:
        return
    # Accepted: the state must load into a fresh model in full, and survive a round trip.
    model = build_model()
    model.from_dict(lesson.model)
    assert model.to_dict() == lesson.model


def test_the_bundled_lesson_itself_loads():
    lesson = open_lesson(TOUR, build_model)
    assert lesson.model["models"]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), REPLACEMENTS), min_size=1, max_size=3))
def test_json_level_mutations_are_refused_or_load_fully(mutations):
    data = json.loads(RAW)
    for path, value in mutations:
        try:
            _set(data, path, value)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation replaced a parent: this path is gone
    _check_loads_completely_or_refuses(json.dumps(data).encode())


@FUZZ
@given(st.data())
def test_byte_level_damage_is_refused_cleanly(data):
    raw = bytearray(RAW)
    kind = data.draw(st.sampled_from(["truncate", "flip", "insert", "latin1"]))
    if kind == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif kind == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
    elif kind == "insert":
        i = data.draw(st.integers(0, len(raw)))
        raw[i:i] = data.draw(st.binary(min_size=1, max_size=20))
    else:
        raw = bytearray(RAW.decode().replace("e", "\u00e9").encode("latin-1", "replace"))
    _check_loads_completely_or_refuses(bytes(raw))


def test_a_100_megabyte_lesson_is_refused_within_a_second(tmp_path):
    big = tmp_path / "huge.gradviz"
    with open(big, "wb") as f:
        f.write(RAW[:-1])
        f.seek(100 * 2**20)
        f.write(b"}")
    t0 = time.perf_counter()
    with pytest.raises(LessonError, match="MB|large|big"):
        open_lesson(big, build_model)
    assert time.perf_counter() - t0 < 1.0


def test_deeply_nested_file_is_refused_without_recursion_error(tmp_path):
    nested = tmp_path / "deep.gradviz"
    nested.write_bytes(b'{"format": "gradviz-lesson", "model": ' + b"[" * 100_000
                       + b"]" * 100_000 + b"}")
    with pytest.raises(LessonError):
        open_lesson(nested, build_model)
