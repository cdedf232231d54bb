"""Writing large JSON without holding Python's global lock for long.

``json.dumps`` encodes in C and does not let other threads run until it is done: a lesson with a
traced graph (megabytes) encoded in the window's worker would still freeze the window for a
tenth of a second or more. :func:`dumps_in_pieces` gives exactly the same text (compact, the
default separators) from many small ``json.dumps`` calls, between which the window's thread runs.
"""

from __future__ import annotations

import json
from typing import Any

#: List items encoded per ``json.dumps`` call (256 traced nodes: about 100 kB, a few ms).
PIECE = 256


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def dumps_in_pieces(value: Any, piece: int = PIECE) -> str:
    """``json.dumps(value, ensure_ascii=False, allow_nan=False)``, in pieces: objects key by key,
    long lists ``piece`` items at a time, lists of objects item by item. Raises what
    ``json.dumps`` raises (``TypeError``, ``ValueError``)."""
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        return "{" + ", ".join(f"{_dumps(k)}: {dumps_in_pieces(v, piece)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list) and len(value) > piece:
        return "[" + ", ".join(_dumps(value[i:i + piece])[1:-1]
                               for i in range(0, len(value), piece)) + "]"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return "[" + ", ".join(dumps_in_pieces(v, piece) for v in value) + "]"
    return _dumps(value)
