"""Reading untrusted JSON: a size limit checked before reading, strict UTF-8, a nesting limit
checked without recursion, and no NaN, Infinity or duplicate keys.

A lesson file may come from anywhere (an e-mail, a USB stick, a web page). It is only ever parsed
as data: nothing in it is executed, and everything is checked before anything is applied.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

from gradviz.core.model import StateError

#: Largest lesson file GradViz opens. Real lessons are a few hundred kilobytes at most.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Deepest nesting of lists and objects accepted (real lessons stay below 20).
MAX_DEPTH = 64

_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN = (ord("["), ord("{"))
_CLOSE = (ord("]"), ord("}"))


class LessonError(StateError):
    """A lesson file that cannot be opened; the message says what is wrong, in plain words."""


def read_limited(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, refusing files larger than ``limit`` before reading them."""
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise LessonError(f"{p.name}: no such file") from None
    except OSError as exc:
        raise LessonError(f"{p.name}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise LessonError(f"{p.name}: not a regular file")
    if info.st_size > limit:
        raise LessonError(f"{p.name} is too large to be a lesson ({_size(info.st_size)}; "
                          f"the limit is {_size(limit)})")
    try:
        with p.open("rb") as f:
            data = f.read(limit + 1)  # never more, even if the file grew meanwhile
    except OSError as exc:
        raise LessonError(f"{p.name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise LessonError(f"{p.name} is too large to be a lesson (more than {_size(limit)})")
    return data


def nesting_depth(raw: bytes) -> int:
    """How deeply lists and objects nest in JSON text, computed without recursion.

    Brackets inside strings do not count. Vectorized with numpy, whose loops let other threads
    run (a regular expression stripping the strings held the lock for 0.16 s on 8 MB), so a
    20 MB file takes milliseconds.
    """
    arr = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(arr == _QUOTE)
    escaped = quotes[(quotes > 0) & (arr[np.maximum(quotes - 1, 0)] == _BACKSLASH)]
    if escaped.size:  # rare: count the backslashes before each (an odd run escapes it)
        odd = [q for q in escaped.tolist() if _backslashes_before(raw, q) % 2 == 1]
        quotes = np.setdiff1d(quotes, np.array(odd, dtype=quotes.dtype))
    opens = (arr == _OPEN[0]) | (arr == _OPEN[1])
    idx = np.flatnonzero(opens | (arr == _CLOSE[0]) | (arr == _CLOSE[1]))
    idx = idx[np.searchsorted(quotes, idx) % 2 == 0]  # outside strings: even quotes before
    if idx.size == 0:
        return 0
    steps = np.where(opens[idx], 1, -1).astype(np.int64)
    return int(np.cumsum(steps).max())


def _backslashes_before(raw: bytes, end: int) -> int:
    start = end
    while start > 0 and raw[start - 1] == _BACKSLASH:
        start -= 1
    return end - start


def parse_json(raw: bytes, name: str = "the file", max_depth: int = MAX_DEPTH,
               limit: int = MAX_FILE_BYTES) -> Any:
    """Parse untrusted JSON bytes; :class:`LessonError` with a plain message on anything wrong."""
    if len(raw) > limit:
        raise LessonError(f"{name} is too large to be a lesson (more than {_size(limit)})")
    if not raw.strip():
        raise LessonError(f"{name} is empty")
    if raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark some editors add
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LessonError(f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                          f"{exc.start}); is it really a GradViz lesson?") from None
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise LessonError(f"{name} nests lists and objects {depth} levels deep "
                          f"(the limit is {max_depth}); it is not a GradViz lesson")
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise LessonError(f"{name} ends too early (line {exc.lineno}, column {exc.colno}): "
                              "it was probably cut off while being copied or saved") from None
        raise LessonError(f"{name} is damaged: {exc.msg} at line {exc.lineno}, "
                          f"column {exc.colno}") from None
    except RecursionError:
        raise LessonError(f"{name} nests too deeply to be a GradViz lesson") from None
    except ValueError as exc:  # _refuse_constant, duplicates, over-long integers
        raise LessonError(f"{name} is damaged: {exc}") from None


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Iteratively check the nesting of an already-parsed value (for data built in memory)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise LessonError(f"state nests more than {max_depth} levels deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number GradViz accepts")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key[:40]!r} appears twice in one object")
        out[key] = value
    return out


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} kB"
