"""The backward animation's schedule (no Qt): which items the gradient has reached at each step.

The order is :func:`~gradviz.graph.trace_layout.gradient_order` of the drawn view (every item
after every item that sends it a gradient), grouped by layout column: one step lights one
column, from the traced tensor on the right back to the parameters on the left, so a 3,900-node
graph takes a few hundred clicks and a folded one a few dozen.
"""

from __future__ import annotations

import numpy as np

from gradviz.graph.trace_layout import gradient_order


def backward_steps(n: int, edges: np.ndarray, xs: np.ndarray) -> list[list[int]]:
    """Item indices reached at each step: ``gradient_order`` grouped by column (``xs``,
    the items' centres; the gradient starts at the largest)."""
    order = gradient_order(n, [tuple(e) for e in edges.tolist()])
    rank = {i: k for k, i in enumerate(order)}
    # Items on a cycle are not in the order (never in autograd): they come last.
    ordered = sorted(range(n), key=lambda i: (-round(float(xs[i]), 3), rank.get(i, n)))
    steps: list[list[int]] = []
    last = None
    for i in ordered:
        x = round(float(xs[i]), 3)
        if x != last:
            steps.append([])
            last = x
        steps[-1].append(i)
    return steps


class BackwardSchedule:
    """Where the backward animation stands: ``pos`` is the last step shown (-1: not started)."""

    def __init__(self, steps: list[list[int]], n: int) -> None:
        self.steps = steps
        self.pos = -1
        self.reached = np.zeros(n, dtype=bool)

    @property
    def current(self) -> list[int]:
        return self.steps[self.pos] if 0 <= self.pos < len(self.steps) else []

    @property
    def done(self) -> bool:
        return self.pos >= len(self.steps) - 1

    def go(self, pos: int) -> bool:
        """Show step ``pos`` (clamped to -1 … last); whether anything changed."""
        pos = max(-1, min(len(self.steps) - 1, pos))
        if pos == self.pos:
            return False
        self.pos = pos
        self.reached[:] = False
        for step in self.steps[:pos + 1]:
            self.reached[step] = True
        return True
