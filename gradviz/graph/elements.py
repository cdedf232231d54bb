"""The graph's building blocks: immutable :class:`Node` and :class:`Edge` records and their rules.

Nodes are frozen: the graph replaces a node when it changes, so a view or a command holding a
``Node`` holds a snapshot that can never change under it.
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass
from typing import NamedTuple

from gradviz.graph.ops import KINDS

#: Size limits shared by editing, loading and code import (a lesson file is small; these bound
#: the damage a hostile or corrupt file can do).
MAX_NODES = 5000
MAX_NAME_LENGTH = 64
MAX_ABS_VALUE = 1e12
MAX_ABS_POSITION = 1e7
MAX_NODE_ID = 10**9
#: Names that would break the generated script if used as variables.
RESERVED_NAMES = frozenset({"torch", "print", "None", "True", "False"})


class GraphError(ValueError):
    """An edit the graph refuses: unknown node, occupied port, a cycle, a bad name or value."""


@dataclass(frozen=True)
class Node:
    """One node of the graph.

    Parameters
    ----------
    id
        Unique, stable integer; undo restores a removed node with the same id.
    kind
        A key of :data:`gradviz.graph.ops.KINDS` (``"input"``, ``"mul"``, ``"output"``, …).
    name
        The variable name (``"x"``, ``"z"``) or "" for an unnamed intermediate. Every input has
        one, unique among inputs; intermediates may share a name (``c = c + e`` rebinds ``c``).
    value
        The number an input or constant holds; None for every other kind.
    requires_grad
        Only inputs may require grad (they are the leaves PyTorch accumulates ``.grad`` into).
    position
        Centre of the node on the canvas, in scene units.
    """

    id: int
    kind: str
    name: str = ""
    value: float | None = None
    requires_grad: bool = False
    position: tuple[float, float] = (0.0, 0.0)

    @property
    def label(self) -> str:
        """What messages and undo labels call this node: its name, else its kind."""
        return self.name or KINDS[self.kind].title

    @property
    def spec(self):
        return KINDS[self.kind]


class Edge(NamedTuple):
    """A connection from ``src``'s output to input port ``port`` of ``dst``.

    A named tuple rather than a dataclass: edges are dictionary keys in every run, and a tuple
    hashes in C.
    """

    src: int
    dst: int
    port: str


def check_name(name: object, kind: str) -> str:
    """Return ``name`` if it is a usable variable name for a node of ``kind``; else GraphError."""
    if not isinstance(name, str):
        raise GraphError(f"a name must be text, not {type(name).__name__}")
    if name == "":
        if kind == "input":
            raise GraphError("an input needs a name (it is the leaf's variable name)")
        return name
    if len(name) > MAX_NAME_LENGTH:
        raise GraphError(f"the name {name[:20]!r}… is longer than {MAX_NAME_LENGTH} characters")
    if not name.isidentifier() or not name.isascii() or keyword.iskeyword(name):
        raise GraphError(f"{name!r} is not a valid Python variable name")
    if name in RESERVED_NAMES:
        raise GraphError(f"{name!r} is reserved in the generated PyTorch code")
    return name


def check_value(value: object, label: str = "value") -> float:
    """Return ``value`` as a float if it is a finite number within ±MAX_ABS_VALUE."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GraphError(f"{label} must be a number, not {type(value).__name__}")
    try:
        v = float(value)
    except OverflowError:
        raise GraphError(f"{label} is too large") from None
    if not math.isfinite(v) or abs(v) > MAX_ABS_VALUE:
        raise GraphError(f"{label} must be a finite number within ±{MAX_ABS_VALUE:g}, got {value!r}")
    return v


def check_position(position: object) -> tuple[float, float]:
    """Return a valid ``(x, y)`` position (finite, within ±MAX_ABS_POSITION)."""
    if not isinstance(position, tuple | list) or len(position) != 2:
        raise GraphError("a position is a pair of numbers (x, y)")
    out = []
    for c in position:
        if isinstance(c, bool) or not isinstance(c, int | float) or not math.isfinite(c) \
                or abs(c) > MAX_ABS_POSITION:
            raise GraphError(f"a position must be two finite numbers within ±{MAX_ABS_POSITION:g}")
        out.append(float(c))
    return (out[0], out[1])
