"""Large lessons are written in pieces and their nesting measured with numpy; both give exactly
what the plain (lock-holding) ways gave."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz.lesson.json_pieces import dumps_in_pieces
from gradviz.lesson.safe_json import nesting_depth

_TEXT = st.text(alphabet=st.sampled_from('ab"\\[]{}\n é'), max_size=6)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
                                                          allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=40)


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_pieces_are_the_same_text_as_one_dumps(value):
    assert dumps_in_pieces(value, piece=2) == json.dumps(value, ensure_ascii=False,
                                                         allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_nesting_depth_ignores_brackets_and_escaped_quotes_in_strings(value):
    assert nesting_depth(json.dumps(value).encode()) == _depth(value)
    assert nesting_depth(json.dumps(value, ensure_ascii=False, indent=1).encode()) == \
        _depth(value)


def _raised(encode, value):
    try:
        encode(value)
    except Exception as exc:  # noqa: BLE001 - the type is what is compared
        return type(exc)
    return None


def test_refusals_are_the_same():
    for bad in ({"x": [1.0, float("nan")]}, {"x": {"y": object()}}, [0, 1, 2, float("inf")]):
        plain = _raised(lambda v: json.dumps(v, ensure_ascii=False, allow_nan=False), bad)
        assert plain is not None and _raised(lambda v: dumps_in_pieces(v, piece=2), bad) is plain
