"""Layered layout for traced graphs (thousands of nodes, in-process, no Graphviz).

The hand-built editor's layout (:mod:`gradviz.graph.layout`) reserves room for long edges with
dummy nodes and counts crossings exactly: right for a few dozen nodes, too slow for 4,000. This
one keeps the same three steps and drops what does not scale:

1. **Columns** by longest path from the traced outputs, read in the forward direction: inputs
   and parameters on the left, the traced tensor on the right. A parameter therefore sits in the
   column just before the operation that uses it.
2. **Order in a column** by barycentre sweeps (mean position of a node's neighbours in any
   column, no dummy nodes), alternately right-to-left and left-to-right.
3. **Heights**: each node is pulled towards the mean height of its already placed neighbours,
   subject to a minimum gap in its column (least squares with order constraints, solved exactly
   by pooling adjacent violators), so nodes never overlap.

It works on any DAG given as ``(n, edges)``, so it lays out a folded view just as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: Distance between columns and minimum distance between node centres in a column (scene units;
#: a traced node is drawn at most about 150 × 50).
COLUMN_GAP = 190.0
ROW_GAP = 64.0
SWEEPS = 4


class LayoutCancelled(Exception):
    """The progress callback of :func:`layered_layout` asked to stop."""


def _ranks(n: int, edges: Sequence[tuple[int, ...]]) -> tuple[list[int], list[int]]:
    """Longest path from the nodes nothing points to, along the edges, and the order in which
    Kahn's algorithm met the nodes.

    Nodes on a cycle (not in an autograd graph, but a layout must not hang) keep rank 0 and are
    left out of the order.
    """
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for e in edges:
        succ[e[0]].append(e[1])
        indeg[e[1]] += 1
    rank = [0] * n
    queue = [i for i in range(n) if indeg[i] == 0]
    for i in queue:  # the list grows while it is read: a breadth-first queue
        r = rank[i] + 1
        for j in succ[i]:
            if rank[j] < r:
                rank[j] = r
            indeg[j] -= 1
            if indeg[j] == 0:
                queue.append(j)
    return rank, queue


def gradient_order(n: int, edges: Sequence[tuple[int, ...]]) -> list[int]:
    """Node indices in an order the gradient can flow: every node after all the nodes with an
    edge into it (the backward animation's schedule; reversed, the forward one's)."""
    return _ranks(n, edges)[1]


def _report(progress: Callable[[float], object] | None, done: float) -> None:
    if progress is not None and progress(done) is False:
        raise LayoutCancelled("layout cancelled")


def _sweep(columns: list[list[int]], nbrs: list[list[int]], pos: list[float],
           order: range) -> None:
    """Re-sort each column in ``order`` by the mean position of its nodes' neighbours."""
    for c in order:
        col = columns[c]
        keys = {}
        for k, v in enumerate(col):
            near = nbrs[v]
            keys[v] = sum(pos[u] for u in near) / len(near) if near else float(k)
        col.sort(key=keys.__getitem__)
        for k, v in enumerate(col):
            pos[v] = float(k)


def _isotonic(targets: list[float], gap: float) -> list[float]:
    """Heights closest (least squares) to ``targets`` with ``y[k+1] - y[k] >= gap``."""
    means: list[float] = []
    weights: list[float] = []
    for k, t in enumerate(targets):
        means.append(t - k * gap)
        weights.append(1.0)
        while len(means) > 1 and means[-2] > means[-1]:
            m2, w2 = means.pop(), weights.pop()
            m1, w1 = means[-1], weights[-1]
            means[-1], weights[-1] = (m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2
    out: list[float] = []
    for m, w in zip(means, weights, strict=True):
        out.extend([m] * int(w))
    return [y + k * gap for k, y in enumerate(out)]


def _heights(columns: list[list[int]], nbrs: list[list[int]], n: int) -> list[float]:
    """Place columns from the outputs' side outwards, each pulled towards placed neighbours."""
    y = [0.0] * n
    placed = [False] * n
    for col in columns:
        targets = []
        for k, v in enumerate(col):
            near = [y[u] for u in nbrs[v] if placed[u]]
            targets.append(sum(near) / len(near) if near else k * ROW_GAP)
        # Keep the sweep's order: the targets only decide heights, not who is above whom.
        for v, h in zip(col, _isotonic(targets, ROW_GAP), strict=True):
            y[v] = h
            placed[v] = True
    return y


def layered_layout(n: int, edges: Sequence[tuple[int, ...]],
                   progress: Callable[[float], object] | None = None
                   ) -> list[tuple[float, float]]:
    """Positions ``(x, y)`` of node centres for ``n`` nodes and edges ``(i, j, …)`` pointing
    the way the gradient flows (from an output towards the inputs), extra fields ignored.

    Every node gets its own slot: two nodes in one column are at least ``ROW_GAP`` apart, and
    columns are ``COLUMN_GAP`` apart. ``progress``, if given, is called with the fraction done
    (0 to 1) between steps, from the calling thread; returning ``False`` stops the layout with
    :class:`LayoutCancelled` (for a worker thread with a cancel button).
    """
    if n == 0:
        return []
    _report(progress, 0.0)
    rank = _ranks(n, edges)[0]
    last = max(rank)
    columns: list[list[int]] = [[] for _ in range(last + 1)]
    for v in range(n):
        columns[rank[v]].append(v)
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for e in edges:
        if e[0] != e[1]:
            nbrs[e[0]].append(e[1])
            nbrs[e[1]].append(e[0])
    pos = [0.0] * n
    for col in columns:
        for k, v in enumerate(col):
            pos[v] = float(k)
    for s in range(SWEEPS):
        _report(progress, 0.1 + 0.2 * s)
        _sweep(columns, nbrs, pos, range(1, len(columns)) if s % 2 == 0
               else range(len(columns) - 2, -1, -1))
    _report(progress, 0.9)
    y = _heights(columns, nbrs, n)
    _report(progress, 1.0)
    return [((last - rank[v]) * COLUMN_GAP, y[v]) for v in range(n)]
