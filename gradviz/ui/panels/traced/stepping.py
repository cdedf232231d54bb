"""The traced graph's animation schedules (no Qt): which drawn items are computed at each forward
step and which the gradient has reached at each backward step.

Both group items by layout column, so a 3,900-node graph takes a few hundred steps and a folded
one a few dozen; a folded module is one item, so it lights up as one box.

- Forward: columns from the parameters on the left to the traced tensor on the right, and an
  item never in the same step as (or before) one of its inputs, even where a folded view keeps
  places that put them in one column.
- Backward: :func:`~gradviz.graph.trace_layout.gradient_order` grouped by column (every item
  after every item that sends it a gradient), from the traced tensor back to the parameters.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradviz.graph.trace_layout import gradient_order
from gradviz.ui.panels.graph_editor.display import BACKWARD, FORWARD


def _columns(xs: np.ndarray) -> np.ndarray:
    """Each item's column, counted from the left (0) by its centre ``xs``."""
    keys = np.round(np.asarray(xs, dtype=float), 3)
    return np.searchsorted(np.unique(keys), keys)


def _group(levels: list[int] | np.ndarray, order: list[int]) -> list[list[int]]:
    """Items of equal level in one step, levels ascending; within a step in ``order``."""
    buckets: dict[int, list[int]] = {}
    for i in order:
        buckets.setdefault(int(levels[i]), []).append(i)
    return [buckets[k] for k in sorted(buckets)]


def backward_steps(n: int, edges: np.ndarray, xs: np.ndarray) -> list[list[int]]:
    """Item indices reached at each backward step: ``gradient_order`` grouped by column (the
    gradient starts at the rightmost)."""
    order = gradient_order(n, [tuple(e) for e in edges.tolist()])
    rank = {i: k for k, i in enumerate(order)}
    # Items on a cycle are not in the order (never in autograd): they come last.
    ordered = sorted(range(n), key=lambda i: rank.get(i, n))
    right = int(_columns(xs).max(initial=0))
    return _group(right - _columns(xs), ordered)


def forward_steps(n: int, edges: np.ndarray, xs: np.ndarray) -> list[list[int]]:
    """Item indices computed at each forward step: by column from the left, each item at least
    one step after every input it takes (``edges`` rows are consumer, input)."""
    pairs = [tuple(e) for e in edges.tolist()]
    order = gradient_order(n, pairs)[::-1]  # inputs before the items that use them
    order += sorted(set(range(n)) - set(order))
    inputs: list[list[int]] = [[] for _ in range(n)]
    for consumer, source in pairs:
        inputs[consumer].append(source)
    level = _columns(xs).tolist() if n else []
    for i in order:
        for j in inputs[i]:
            level[i] = max(level[i], level[j] + 1)
    return _group(level, order)


class TracedFrame(NamedTuple):
    """One frame of the player: the ``index``-th step of a ``phase`` ("forward"/"backward")."""

    phase: str
    index: int


class TracedSchedule:
    """Both passes of one drawing: ``forward`` and ``steps`` (the backward steps), each item's
    step in each (``forward_rank``, ``backward_rank``), and the player's frames."""

    def __init__(self, n: int, edges: np.ndarray, xs: np.ndarray) -> None:
        self.forward = forward_steps(n, edges, xs)
        self.steps = backward_steps(n, edges, xs)
        self.forward_rank = _ranks(self.forward, n)
        self.backward_rank = _ranks(self.steps, n)
        self.frames = ([TracedFrame(FORWARD, k) for k in range(len(self.forward))]
                       + [TracedFrame(BACKWARD, k) for k in range(len(self.steps))])

    def items(self, frame: TracedFrame) -> list[int]:
        """The items that frame lights."""
        return (self.forward if frame.phase == FORWARD else self.steps)[frame.index]

    def computed(self, frame: TracedFrame) -> np.ndarray:
        """Which items hold a value at that frame (every item once the backward pass runs)."""
        if frame.phase == FORWARD:
            return self.forward_rank <= frame.index
        return np.ones(len(self.forward_rank), dtype=bool)

    def reached(self, frame: TracedFrame) -> np.ndarray | None:
        """Which items the gradient reached at that frame (None in the forward pass)."""
        return self.backward_rank <= frame.index if frame.phase == BACKWARD else None


def _ranks(steps: list[list[int]], n: int) -> np.ndarray:
    rank = np.full(n, len(steps), dtype=int)
    for k, items in enumerate(steps):
        rank[items] = k
    return rank
