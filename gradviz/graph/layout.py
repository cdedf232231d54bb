"""Automatic layered layout, left to right (a Sugiyama-style layout written for GradViz).

1. **Layers** by longest path from the sources, then sources (inputs, constants) moved right to
   sit just before their first consumer, so a constant does not trail a long edge.
2. **Dummy nodes** split edges that span several layers, so a long edge reserves room in every
   layer it crosses (within a budget: a pathological graph must not explode into dummies).
3. **Crossing reduction** by barycentre sweeps down and up, keeping the order with the fewest
   crossings (counted exactly, by inversions, after each sweep).
4. **Coordinates**: each layer is a column; a node is pulled towards the mean height of its
   neighbours, subject to a minimum gap in its column (solved exactly by isotonic regression),
   so nodes never overlap and keep the order step 3 chose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gradviz.graph.elements import Edge
from gradviz.graph.run import topological_order

#: Horizontal distance between layers and minimum vertical gap between node centres.
LAYER_GAP = 170.0
NODE_GAP = 90.0
SWEEPS = 8
#: Dummy nodes allowed per real node before long edges are left without reserved room.
DUMMY_BUDGET_PER_NODE = 2


def _layers(ids: list[int], edges: list[Edge]) -> dict[int, int]:
    order = topological_order(ids, edges)
    preds: dict[int, list[int]] = {i: [] for i in ids}
    succs: dict[int, list[int]] = {i: [] for i in ids}
    for e in edges:
        preds[e.dst].append(e.src)
        succs[e.src].append(e.dst)
    layer: dict[int, int] = {}
    for n in order:
        layer[n] = max((layer[p] + 1 for p in preds[n]), default=0)
    for n in reversed(order):
        if not preds[n] and succs[n]:
            layer[n] = min(layer[s] for s in succs[n]) - 1
    return layer


def _count_crossings(upper: dict[int, int], lower: dict[int, int],
                     links: list[tuple[int, int]]) -> int:
    """Crossings between two adjacent layers: inversions of the lower ends, sorted by upper."""
    if len(links) < 2:
        return 0
    ends = [lower[v] for _, v in sorted(links, key=lambda uv: (upper[uv[0]], lower[uv[1]]))]
    size = max(ends) + 1
    tree = [0] * (size + 1)
    crossings = 0
    for seen, pos in enumerate(ends):
        # Fenwick tree: how many earlier ends lie strictly below this one.
        i, not_above = pos + 1, 0
        while i > 0:
            not_above += tree[i]
            i -= i & -i
        crossings += seen - not_above
        i = pos + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return crossings


def _isotonic(targets: Sequence[float], gap: float) -> list[float]:
    """Heights as close as possible (least squares) to ``targets`` with ``y[i+1] - y[i] >= gap``.

    Subtracting ``i * gap`` turns the constraint into "non-decreasing", solved by pooling
    adjacent violators.
    """
    blocks: list[list[float]] = []  # [mean, weight]
    for i, t in enumerate(targets):
        blocks.append([t - i * gap, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2 = blocks.pop()
            m1, w1 = blocks[-1]
            blocks[-1] = [(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2]
    out = []
    for mean, weight in blocks:
        out.extend([mean] * int(weight))
    return [v + i * gap for i, v in enumerate(out)]


def layered_layout(node_ids: Iterable[int], edges: Iterable[Edge], layer_gap: float = LAYER_GAP,
                   node_gap: float = NODE_GAP) -> dict[int, tuple[float, float]]:
    """Node id → ``(x, y)`` centre for a left-to-right layered drawing of the DAG."""
    ids = sorted(node_ids)
    edge_list = sorted(edges)
    if not ids:
        return {}
    layer = _layers(ids, edge_list)
    links = _split_long_edges(edge_list, layer, DUMMY_BUDGET_PER_NODE * len(ids))
    base = min(layer.values())
    columns: list[list[int]] = [[] for _ in range(max(layer.values()) + 1 - base)]
    for n in sorted(layer, key=lambda n: (n < 0, abs(n))):
        columns[layer[n] - base].append(n)
    up: dict[int, list[int]] = {n: [] for n in layer}
    down: dict[int, list[int]] = {n: [] for n in layer}
    for u, v in links:
        down[u].append(v)
        up[v].append(u)
    # Crossings are counted between adjacent columns only; links that skip columns (over
    # budget) still steer the barycentres.
    adjacent: list[list[tuple[int, int]]] = [[] for _ in columns]
    for u, v in links:
        if layer[v] - layer[u] == 1:
            adjacent[layer[u] - base].append((u, v))
    columns = _reduce_crossings(columns, adjacent, up, down)
    y = _heights(columns, up, down, node_gap)
    top = min(y[n] for n in ids)
    return {n: ((layer[n] - base) * layer_gap, y[n] - top) for n in ids}


def _split_long_edges(edges: list[Edge], layer: dict[int, int],
                      budget: int) -> list[tuple[int, int]]:
    """Unit-length links: an edge spanning several layers goes through dummy nodes (negative
    ids, added to ``layer``), shortest edges first, while the budget of dummies lasts."""
    links: list[tuple[int, int]] = []
    next_dummy = -1
    for e in sorted(edges, key=lambda e: layer[e.dst] - layer[e.src]):
        span = layer[e.dst] - layer[e.src]
        if not 1 < span <= budget + 1:
            links.append((e.src, e.dst))
            continue
        budget -= span - 1
        prev = e.src
        for k in range(layer[e.src] + 1, layer[e.dst]):
            layer[next_dummy] = k
            links.append((prev, next_dummy))
            prev = next_dummy
            next_dummy -= 1
        links.append((prev, e.dst))
    return links


def _reduce_crossings(columns: list[list[int]], adjacent: list[list[tuple[int, int]]],
                      up: dict[int, list[int]], down: dict[int, list[int]]) -> list[list[int]]:
    """Barycentre sweeps down and up; the column orders with the fewest crossings seen."""

    def total_crossings() -> int:
        pos = {n: i for col in columns for i, n in enumerate(col)}
        return sum(_count_crossings(pos, pos, adjacent[c]) for c in range(len(columns) - 1))

    # Positions relative to the column's length, so columns of different sizes compare (a
    # column's length never changes, only its order).
    inv = {n: 1.0 / max(len(col) - 1, 1) for col in columns for n in col}

    def sweep(cols: range, neighbours: dict[int, list[int]]) -> None:
        rel = {n: i * inv[n] for col in columns for i, n in enumerate(col)}
        for c in cols:
            keyed = []
            for n in columns[c]:
                nb = neighbours[n]
                if nb:
                    keyed.append((sum([rel[m] for m in nb]) / len(nb), rel[n], n))
                else:
                    keyed.append((rel[n], rel[n], n))
            keyed.sort()
            col = columns[c] = [n for _, _, n in keyed]
            for i, n in enumerate(col):
                rel[n] = i * inv[n]

    best = [list(col) for col in columns]
    best_crossings = total_crossings()
    stale = 0
    for _ in range(SWEEPS):
        if best_crossings == 0 or stale == 2:  # solved, or two sweeps without progress
            break
        sweep(range(1, len(columns)), up)
        sweep(range(len(columns) - 2, -1, -1), down)
        count = total_crossings()
        if count < best_crossings:
            best, best_crossings, stale = [list(col) for col in columns], count, 0
        else:
            stale += 1
    return best


def _heights(columns: list[list[int]], up: dict[int, list[int]], down: dict[int, list[int]],
             node_gap: float) -> dict[int, float]:
    """Start stacked, then pull each column towards its neighbours a few times (alternately
    those before and those after), keeping at least ``node_gap`` between nodes."""
    y: dict[int, float] = {}
    for col in columns:
        offset = -(len(col) - 1) * node_gap / 2
        for i, n in enumerate(col):
            y[n] = offset + i * node_gap
    for rnd in range(4):
        neighbours = up if rnd % 2 == 0 else down
        cols = columns if rnd % 2 == 0 else columns[::-1]
        for col in cols:
            targets = []
            for n in col:
                nb = neighbours[n] or up[n] + down[n]
                targets.append(sum(y[m] for m in nb) / len(nb) if nb else y[n])
            for n, v in zip(col, _isotonic(targets, node_gap), strict=True):
                y[n] = v
    return y
