"""Typing a graph live: one line of PyTorch statements added to the graph on the canvas.

A lecturer types ``x = torch.tensor(2.0, requires_grad=True); y = torch.tensor(3.0,
requires_grad=True)``, then ``z = x*y + x**2``, then ``w = z * y``, and the graph grows with
each Enter. The line is read by the code importer's rules (parsed with :mod:`ast`, never run):
names already in the graph are reused, assigning to one of them is refused, and the last name
assigned becomes the output. Existing nodes keep their places; new ones are placed to the right of
what they read. Each line is one undoable :class:`TypeLine` command; a refused line changes nothing
and its error carries the column to point at.
"""

from __future__ import annotations

import ast
from typing import Any

from gradviz.graph.code_import import CodeImportError, _Reader, parse_source
from gradviz.graph.commands import GraphCommand
from gradviz.graph.elements import MAX_NODES, Edge, Node
from gradviz.graph.model import Graph
from gradviz.graph.ops import KINDS

#: Horizontal and vertical spacing of placed nodes, in canvas units (as the layered layout).
STEP_X, STEP_Y = 170.0, 90.0
MAX_LINE_CHARS = 2_000


class _LineReader(_Reader):
    """The importer's reader, seeded with the graph that is already there."""

    def __init__(self, graph: Graph) -> None:
        super().__init__()
        self.existing = {n.id for n in graph.nodes}
        self.nodes = {n.id: n for n in graph.nodes}
        self.edges = {(e.dst, e.port): e for e in graph.edges}
        self.env = {n.name: n.id for n in graph.nodes if n.name and n.kind != "output"}
        self.leaf_names = {n.name for n in graph.nodes if n.kind == "input"}
        self._next = max(self.nodes, default=0) + 1

    def new(self, kind: str, inputs: tuple[int, ...] = (), name: str = "",
            value: float | None = None, requires_grad: bool = False) -> int:
        if len(self.nodes) >= MAX_NODES:
            self.fail(f"the graph would hold more than {MAX_NODES} nodes")
        nid = self._next
        self._next += 1
        self.nodes[nid] = Node(nid, kind, name, value, requires_grad)
        for port, src in zip(KINDS[kind].port_names, inputs, strict=True):
            self.edges[(nid, port)] = Edge(src, nid, port)
        return nid

    def assign(self, name: str, value: ast.expr, st: ast.stmt) -> None:
        if name in self.env:
            self.fail(f"{name!r} already exists: choose a new name (a graph node is never "
                      "overwritten)", st.targets[0] if isinstance(st, ast.Assign) else st)
        super().assign(name, value, st)

    def augmented(self, st: ast.AugAssign) -> None:
        self.fail(f"'{ast.unparse(st)}' would overwrite {getattr(st.target, 'id', 'a name')!r}: "
                  "assign to a new name instead", st)


def read_line(graph: Graph, text: str) -> tuple[dict[int, Node], dict[tuple[int, str], Edge]]:
    """The graph's nodes and edges after ``text``, new nodes placed; raises
    :class:`CodeImportError` (with ``line`` and ``column``) and leaves ``graph`` untouched."""
    if not isinstance(text, str) or not text.strip():
        raise CodeImportError("type one or more statements, e.g. z = x * y")
    if len(text) > MAX_LINE_CHARS:
        raise CodeImportError(f"the line is {len(text):,} characters long; at most "
                              f"{MAX_LINE_CHARS:,} are read")
    if "\n" in text.strip():
        raise CodeImportError("one line at a time: separate statements with ';'")
    tree = parse_source(text.strip())
    reader = _LineReader(graph)
    try:
        for st in tree.body:
            reader.statement(st)
    except RecursionError:
        raise CodeImportError("the line is nested too deeply", 1) from None
    if reader.output is not None or reader.last_assigned is not None:
        _point_output_at(reader, reader.output or reader.last_assigned)
    _place_new_nodes(reader)
    return reader.nodes, reader.edges


def _point_output_at(reader: _LineReader, target: int) -> None:
    outputs = [n for n in reader.nodes.values() if n.kind == "output"]
    if not outputs:
        reader.new("output", (target,))
        return
    out = outputs[0]
    port = KINDS["output"].port_names[0]
    reader.edges[(out.id, port)] = Edge(target, out.id, port)


def _place_new_nodes(reader: _LineReader) -> None:
    """Right of the furthest input, at their mean height; leaves below the lowest leaf. A spot
    already taken moves down, so no new node covers an old one."""
    taken = {(round(n.position[0]), round(n.position[1] / STEP_Y)) for n in reader.nodes.values()
             if n.id in reader.existing}
    leaf_y = max((n.position[1] for n in reader.nodes.values()
                  if n.id in reader.existing and n.kind in ("input", "constant")), default=-STEP_Y)
    for nid in sorted(set(reader.nodes) - reader.existing):
        node = reader.nodes[nid]
        sources = [reader.nodes[e.src].position for e in reader.edges.values() if e.dst == nid]
        if sources:
            x = max(p[0] for p in sources) + STEP_X
            y = sum(p[1] for p in sources) / len(sources)
        else:
            leaf_y += STEP_Y
            x, y = 0.0, leaf_y
        while (round(x), round(y / STEP_Y)) in taken:
            y += STEP_Y
        taken.add((round(x), round(y / STEP_Y)))
        reader.nodes[nid] = Node(node.id, node.kind, node.name, node.value, node.requires_grad,
                                 (x, y))
    out = next((n for n in reader.nodes.values() if n.kind == "output"), None)
    if out is not None:
        src = reader.edges[(out.id, KINDS["output"].port_names[0])].src
        sx, sy = reader.nodes[src].position
        if out.position[0] <= sx:
            reader.nodes[out.id] = Node(out.id, out.kind, out.name, out.value, out.requires_grad,
                                        (sx + STEP_X, sy))


class TypeLine(GraphCommand):
    """Add one typed line to the graph (one undo step): ``do`` swaps in the graph with the line's
    nodes, ``undo`` the graph as it was. The line is read when the command is made, so a refused
    line raises :class:`CodeImportError` before anything is pushed."""

    def __init__(self, graph: Graph, text: str) -> None:
        nodes, edges = read_line(graph, text)
        self.before = graph.to_dict()
        self.after = _as_dict(graph, nodes, edges)
        shown = text.strip()
        self.label = f"Type {shown if len(shown) <= 40 else shown[:37] + '…'}"

    def do(self, graph: Graph) -> None:
        graph.from_dict(self.after)

    def undo(self, graph: Graph) -> None:
        graph.from_dict(self.before)


def _as_dict(graph: Graph, nodes: dict[int, Node], edges: dict[tuple[int, str], Edge]
             ) -> dict[str, Any]:
    data = graph.to_dict()
    data["nodes"] = [{"id": n.id, "kind": n.kind, "name": n.name, "value": n.value,
                      "requires_grad": n.requires_grad, "position": list(n.position)}
                     for n in nodes.values()]
    data["edges"] = [{"src": e.src, "dst": e.dst, "port": e.port} for e in edges.values()]
    return data
