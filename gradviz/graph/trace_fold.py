"""Folding a traced graph by module (Qt-free): what the canvas shows of a large graph.

A module is named by the qualified names the trace gives its nodes (``node.module``, e.g.
``"layers.3.self_attn"``); its ancestors (``"layers"``, ``"layers.3"``) are modules too. A
*folded* module is drawn as one item standing for every node inside it; edges between items are
the traced edges mapped onto them and counted. A *repeat* is a run of N consecutive numbered
sibling modules (``layers.0`` … ``layers.53``) with the same structure (the same operations,
shapes and internal edges, module for module); folded, the whole run is one item with a "×N"
badge.

The view is recomputed per distinct module name, then per node and edge with dictionary look-ups
only, so folding and unfolding stay far below 100 ms at thousands of nodes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from psygnal import Signal

from gradviz.graph.trace_model import TracedGraph
from gradviz.graph.trace_node import FOLD_WARNING_NODES


@dataclass(frozen=True, slots=True)
class Repeat:
    """N consecutive numbered sibling modules with the same structure.

    Parameters
    ----------
    parent : str
        The module holding them (``"layers"``).
    modules : tuple of str
        Their qualified names, in order (``("layers.0", …, "layers.53")``).
    """

    parent: str
    modules: tuple[str, ...]

    @property
    def badge(self) -> str:
        return f"×{len(self.modules)}"

    @property
    def name(self) -> str:
        first, last = (m.rpartition(".")[2] for m in (self.modules[0], self.modules[-1]))
        prefix = f"{self.parent}." if self.parent else ""
        return f"{prefix}{first}–{last}"


@dataclass(frozen=True, slots=True)
class FoldItem:
    """One item of a folded view: a single node, a folded module, or a folded repeat.

    ``kind`` is ``"node"``, ``"module"`` or ``"repeat"``; ``name`` the node's label or the
    module's (repeat's) name; ``node`` the node index for a single node (else -1); ``size`` how
    many traced nodes it stands for; ``badge`` "×N" for a repeat, else "".
    """

    kind: str
    name: str
    node: int
    size: int
    badge: str = ""


@dataclass(frozen=True, slots=True)
class FoldView:
    """What to draw: items, edges ``(a, b, count)`` between item indices (gradient direction,
    in first-seen order, self-loops of folded items dropped), and the item of every node."""

    items: list[FoldItem]
    edges: list[tuple[int, int, int]]
    item_of_node: list[int]


def ancestors(module: str) -> list[str]:
    """``"a.b.c"`` → ``["a", "a.b", "a.b.c"]`` ("" → [])."""
    if not module:
        return []
    parts = module.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts) + 1)]


def _numbered_siblings(modules: set[str]) -> dict[str, list[tuple[int, str]]]:
    """Parent → its children whose last name part is a number, sorted by that number."""
    by_parent: dict[str, list[tuple[int, str]]] = {}
    for m in modules:
        parent, _, last = m.rpartition(".")
        if last.isdigit():
            by_parent.setdefault(parent, []).append((int(last), m))
    return {p: sorted(kids) for p, kids in by_parent.items() if len(kids) > 1}


def _signatures(graph: TracedGraph, candidates: set[str]) -> dict[str, tuple]:
    """A structure signature per candidate module: its nodes (relative module, op, shape) and
    internal edges, as sorted multisets, so equal blocks compare equal whatever the trace order."""
    members: dict[str, list[int]] = {c: [] for c in candidates}
    home: list[set[str]] = []
    for i, node in enumerate(graph.nodes):
        inside = {a for a in ancestors(node.module) if a in members}
        for a in inside:
            members[a].append(i)
        home.append(inside)
    internal: dict[str, Counter] = {c: Counter() for c in candidates}
    nodes = graph.nodes
    for i, j in graph.edges:
        for a in home[i] & home[j]:
            k = len(a)
            internal[a][(nodes[i].module[k:], nodes[i].op, nodes[j].module[k:], nodes[j].op)] += 1
    out = {}
    for c, idx in members.items():
        k = len(c)
        ops = Counter((nodes[i].module[k:], nodes[i].op, nodes[i].shape) for i in idx)
        out[c] = (tuple(sorted(ops.items(), key=repr)),
                  tuple(sorted(internal[c].items(), key=repr)))
    return out


def find_repeats(graph: TracedGraph) -> list[Repeat]:
    """Every maximal run (N ≥ 2) of consecutive numbered sibling modules with equal structure."""
    modules = {a for node in graph.nodes for a in ancestors(node.module)}
    siblings = _numbered_siblings(modules)
    signature = _signatures(graph, {m for kids in siblings.values() for _, m in kids})
    repeats = []
    for parent, kids in siblings.items():
        run = [kids[0]]
        for k, m in kids[1:] + [(-2, "")]:
            prev_k, prev_m = run[-1]
            if m and k == prev_k + 1 and signature[m] == signature[prev_m]:
                run.append((k, m))
                continue
            if len(run) > 1 and signature[run[0][1]][0]:
                repeats.append(Repeat(parent, tuple(name for _, name in run)))
            run = [(k, m)]
    return sorted(repeats, key=lambda r: r.modules[0])


class TraceFolding:
    """Fold state of one traced graph: folded modules and repeats, and the view they give.

    Parameters
    ----------
    graph : TracedGraph
        The graph (not changed). A graph of ``FOLD_WARNING_NODES`` nodes or more starts
        folded to depth 1. Fold state belongs to one graph's content: make a new
        ``TraceFolding`` when the graph emits ``events.rebuilt``.

    Only ``trace_module`` knows the module of every operation; after a plain ``trace(t,
    module=m)`` only the parameters carry one, so folding gathers little more than them.

    Attributes
    ----------
    changed : psygnal.Signal
        Emitted after every change of the fold state.
    """

    changed = Signal()

    def __init__(self, graph: TracedGraph) -> None:
        self.graph = graph
        self.modules: list[str] = sorted({a for n in graph.nodes for a in ancestors(n.module)})
        self._module_set = set(self.modules)
        self.folded: set[str] = set()
        self.folded_repeats: set[Repeat] = set()
        self._repeats: list[Repeat] | None = None
        self._view: FoldView | None = None
        if len(graph) >= FOLD_WARNING_NODES:
            self.fold_to_depth(1)

    @property
    def repeats(self) -> list[Repeat]:
        """The graph's repeats (found on first use)."""
        if self._repeats is None:
            self._repeats = find_repeats(self.graph)
        return self._repeats

    def _changed(self) -> None:
        self._view = None
        self.changed.emit()

    def _check(self, module: str) -> None:
        if module not in self._module_set:
            raise KeyError(f"no module named {module!r} in this graph")

    def fold(self, module: str) -> None:
        """Show ``module`` as one item."""
        self._check(module)
        if module not in self.folded:
            self.folded.add(module)
            self._changed()

    def unfold(self, module: str) -> None:
        """Show the inside of ``module`` (and of a repeat it belongs to)."""
        self._check(module)
        hit = {r for r in self.folded_repeats if module in r.modules}
        if module in self.folded or hit:
            self.folded.discard(module)
            self.folded_repeats -= hit
            self._changed()

    def fold_to_depth(self, depth: int | None) -> None:
        """Fold every module ``depth`` levels deep (1 = the model's direct children), unfold
        the rest; ``None`` unfolds everything."""
        self.folded = set() if depth is None else {
            m for m in self.modules if m.count(".") + 1 == depth}
        self.folded_repeats = set()
        self._changed()

    def fold_repeats(self) -> None:
        """Fold every repeat into one "×N" item."""
        self.folded_repeats = set(self.repeats)
        self._changed()

    def unfold_all(self) -> None:
        self.fold_to_depth(None)

    def search(self, text: str) -> list[int]:
        """Indices of the nodes whose label, op or module contains ``text`` (any case)."""
        needle = text.strip().lower()
        if not needle:
            return []
        return [i for i, n in enumerate(self.graph.nodes)
                if needle in n.label.lower() or needle in n.op.lower()
                or needle in n.module.lower()]

    def reveal(self, node: int) -> None:
        """Unfold whatever hides node ``node`` (a search hit) so that it is drawn on its own."""
        chain = set(ancestors(self.graph.nodes[node].module))
        hit = {r for r in self.folded_repeats if chain & set(r.modules)}
        if self.folded & chain or hit:
            self.folded -= chain
            self.folded_repeats -= hit
            self._changed()

    def view(self) -> FoldView:
        """The items and edges to draw for the current fold state (cached until a change)."""
        if self._view is None:
            self._view = self._build_view()
        return self._view

    def _representatives(self) -> dict[str, tuple[str, str, str] | None]:
        """Module name → the folded item it is drawn in (kind, key, badge), or None."""
        repeat_of = {m: r for r in self.folded_repeats for m in r.modules}
        names = {n.module for n in self.graph.nodes}
        reps: dict[str, tuple[str, str, str] | None] = {}
        for name in names:
            reps[name] = None
            for a in ancestors(name):
                if a in repeat_of:
                    r = repeat_of[a]
                    reps[name] = ("repeat", r.name, r.badge)
                    break
                if a in self.folded:
                    reps[name] = ("module", a, "")
                    break
        return reps

    def _build_view(self) -> FoldView:
        reps = self._representatives()
        slots: dict[object, int] = {}
        kinds: list[tuple[str, str, int, str]] = []
        sizes: list[int] = []
        item_of_node = []
        for i, node in enumerate(self.graph.nodes):
            rep = reps[node.module]
            key: object = i if rep is None else rep[:2]
            k = slots.get(key)
            if k is None:
                k = slots[key] = len(kinds)
                kinds.append(("node", node.label, i, "") if rep is None
                             else (rep[0], rep[1], -1, rep[2]))
                sizes.append(0)
            sizes[k] += 1
            item_of_node.append(k)
        counts: dict[tuple[int, int], int] = {}
        for i, j in self.graph.edges:
            a, b = item_of_node[i], item_of_node[j]
            if a != b:
                counts[(a, b)] = counts.get((a, b), 0) + 1
        items = [FoldItem(kind, name, node, size, badge)
                 for (kind, name, node, badge), size in zip(kinds, sizes, strict=True)]
        return FoldView(items, [(a, b, c) for (a, b), c in counts.items()], item_of_node)
