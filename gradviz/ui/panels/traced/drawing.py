"""What the traced canvas draws for one folded view: every item's box, texts and colour role,
and every edge as a line, in NumPy arrays so that culling a frame is one vectorized test.

No Qt here: the canvas turns these into painter calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradviz.graph.trace_fold import FoldView
from gradviz.graph.trace_model import TracedGraph
from gradviz.graph.trace_values import ValueSummary

#: The layout keeps 190 between columns and 64 between rows; the canvas spreads columns by
#: SPREAD_X and rows by SPREAD for boxes of NODE_W × NODE_H, sized for a title in 16-unit bold
#: ("AddmmBackward0" is 168 wide) and a shape or statistics line in 14-unit type. Columns are
#: kept close (a gap of a fifth of a box): a small graph then fits at a zoom where its text
#: reads, and a long chain scrolls less.
SPREAD = 1.35
SPREAD_X = 1.2
NODE_W = 190.0
NODE_H = 50.0 * SPREAD


def fmt(v: float | None) -> str:
    """A number in four significant digits ("—" when unknown)."""
    return "—" if v is None else f"{v:.4g}"


def shape_text(shape: tuple | None, dtype: object) -> str:
    """``(5, 2, 32) float32``; ``scalar`` for a 0-d tensor; ``?`` where torch hid it."""
    s = "?" if shape is None else ("scalar" if shape == () else str(tuple(shape)).replace(",)", ")"))
    d = "" if dtype is None else str(dtype).removeprefix("torch.")
    return f"{s} {d}".strip()


def title_lines(title: str) -> list[str]:
    """A title broken in two for a compact box: an operation before "Backward"
    (``AddmmBackward0`` → ``Addmm``, ``Backward0``), a dotted name after its last dot
    (``0.self_attn.in_proj_weight`` → ``0.self_attn.``, ``in_proj_weight``); else one line."""
    cut = title.find("Backward")
    if cut <= 0:
        cut = title.rfind(".", 0, len(title) - 1) + 1
    return [title[:cut], title[cut:]] if cut > 0 else [title]


def stats_text(summary: ValueSummary | None) -> str:
    """One short line of statistics for a node's box."""
    if summary is None:
        return ""
    if not summary.ok:
        return summary.reason.removeprefix("no summary: ")
    return f"μ {fmt(summary.mean)}  ‖·‖ {fmt(summary.norm)}"


@dataclass
class Drawing:
    """Boxes (``rects``: x0, y0, x1, y1), texts and roles of the items of a view, and its edges
    (``lines``: x1, y1, x2, y2 from the producing item's right side to the consumer's left)."""

    rects: np.ndarray
    titles: list[str]
    subtitles: list[str]
    roles: list[str]  # "op", "leaf", "root", "module", "repeat"
    badges: list[str]
    lines: np.ndarray
    edge_items: np.ndarray  # (m, 2): consumer item, producer item (the gradient's direction)
    edge_counts: list[int]

    def __len__(self) -> int:
        return len(self.titles)

    def bounds(self) -> tuple[float, float, float, float]:
        if not len(self):
            return (0.0, 0.0, 0.0, 0.0)
        return (float(self.rects[:, 0].min()), float(self.rects[:, 1].min()),
                float(self.rects[:, 2].max()), float(self.rects[:, 3].max()))

    def item_at(self, x: float, y: float) -> int:
        """The item whose box holds ``(x, y)``, or -1."""
        if not len(self):
            return -1
        r = self.rects
        hit = np.flatnonzero((r[:, 0] <= x) & (x <= r[:, 2]) & (r[:, 1] <= y) & (y <= r[:, 3]))
        return int(hit[0]) if len(hit) else -1


def _role(graph: TracedGraph, item) -> str:
    if item.kind != "node":
        return item.kind
    if item.node < graph.n_roots:
        return "root"
    return "leaf" if graph.nodes[item.node].op == "AccumulateGrad" else "op"


def _subtitle(graph: TracedGraph, item, cache: dict[int, str]) -> str:
    if item.kind == "node":
        text = cache.get(item.node)
        if text is None:
            node = graph.nodes[item.node]
            text = cache[item.node] = shape_text(node.shape, node.dtype)
        return text
    if item.kind == "repeat":
        return f"{item.badge[1:]} equal blocks · {item.size:,} ops"
    return f"module · {item.size:,} ops"


def build_drawing(graph: TracedGraph, view: FoldView, positions,
                  cache: dict[int, str] | None = None) -> Drawing:
    """The drawing of ``view`` laid out at ``positions`` (item centres, as the layout gives
    them); ``cache`` keeps each node's shape text from one drawing to the next."""
    cache = {} if cache is None else cache
    n = len(view.items)
    xy = np.asarray(positions, dtype=float).reshape(n, 2) * [SPREAD_X, SPREAD]
    half = np.array([NODE_W / 2, NODE_H / 2])
    rects = np.hstack([xy - half, xy + half]) if n else np.zeros((0, 4))
    titles = [it.name for it in view.items]  # the canvas elides what does not fit
    edge_items = np.array([(a, b) for a, b, _ in view.edges], dtype=int).reshape(-1, 2)
    if len(edge_items):
        src, dst = xy[edge_items[:, 1]], xy[edge_items[:, 0]]
        lines = np.hstack([src + [NODE_W / 2, 0], dst - [NODE_W / 2, 0]])
    else:
        lines = np.zeros((0, 4))
    return Drawing(rects, titles, [_subtitle(graph, it, cache) for it in view.items],
                   [_role(graph, it) for it in view.items], [it.badge for it in view.items],
                   lines, edge_items, [c for _, _, c in view.edges])


def stable_positions(view: FoldView, full: np.ndarray) -> np.ndarray:
    """Item centres taken from the layout of the whole graph (``full``, one row per node): a
    node keeps its place, a folded module takes the place of its member nearest the output.
    Every item sits in a slot of its own, so nothing overlaps, and folding or unfolding a
    module of a large graph moves nothing else (no new layout)."""
    of = np.asarray(view.item_of_node, dtype=int)
    first = np.empty(len(view.items), dtype=int)
    first[of[::-1]] = np.arange(len(of) - 1, -1, -1)  # the smallest node index of each item
    return full[first]
