""""Copy as editable graph" (no Qt): a traced graph whose every operation is one of the graph
editor's scalar kinds is rebuilt as a :class:`~gradviz.graph.Graph`; any other says why not."""

from __future__ import annotations

import re
from typing import Any

from gradviz.graph import Graph
from gradviz.graph.ops import KINDS
from gradviz.graph.trace_layout import layered_layout
from gradviz.graph.trace_model import TracedGraph

#: Autograd node names of the editor's kinds (``x ** 2`` is PowBackward0 with its exponent
#: kept inside the node, so only a tensor exponent, PowBackward1, has both inputs in the graph).
OP_KINDS = {
    "AddBackward0": "add", "SubBackward0": "sub", "MulBackward0": "mul", "DivBackward0": "div",
    "PowBackward1": "pow", "NegBackward0": "neg", "ExpBackward0": "exp", "LogBackward0": "log",
    "SinBackward0": "sin", "CosBackward0": "cos", "TanhBackward0": "tanh",
    "SigmoidBackward0": "sigmoid", "ReluBackward0": "relu", "AccumulateGrad": "input",
}
#: The editor's positions are spaced about 170 × 90 per column and row; the traced layout's 190 × 64.
_SX, _SY = 170.0 / 190.0, 90.0 / 64.0
#: The editor holds small hand-made graphs.
MAX_EDITABLE = 60


def _inputs(graph: TracedGraph) -> list[list[int]]:
    """For each node, the nodes it takes as arguments, in argument order."""
    args: list[list[int]] = [[] for _ in graph.nodes]
    for i, j in graph.edges:
        args[i].append(j)
    return args


def editable_problem(graph: TracedGraph) -> str:
    """Why ``graph`` cannot be copied into the editor ("" when it can)."""
    if not graph.nodes:
        return "there is no traced graph"
    if len(graph.nodes) > MAX_EDITABLE:
        return (f"{len(graph.nodes):,} operations: the editor is for small hand-made graphs "
                f"(at most {MAX_EDITABLE})")
    args = _inputs(graph)
    for i, node in enumerate(graph.nodes):
        kind = OP_KINDS.get(node.op)
        if kind is None:
            return f"{node.op} is not one of the editor's operations ({', '.join(sorted(set(OP_KINDS.values())))})"
        if node.shape != ():
            return f"{node.label} works on a tensor of shape {node.shape}: the editor works with scalars"
        wanted = len(KINDS[kind].inputs)
        if len(args[i]) != wanted:
            return (f"{node.op} has {len(args[i])} input(s) in the graph, the editor's {kind} "
                    f"needs {wanted}: a constant operand (as in x * 2) is not recorded by autograd")
        if kind == "input":
            v = graph.value(i)
            if v is None or v.mean is None:
                return f"the value of {node.label} is not known"
    return ""


def _name(label: str, taken: set[str], k: int) -> str:
    name = re.sub(r"\W", "_", label).strip("_") or f"x{k}"
    if name[0].isdigit() or name == "AccumulateGrad":
        name = f"x{k}"
    while name in taken:
        name = f"{name}_{k}"
    taken.add(name)
    return name


def to_editable(graph: TracedGraph) -> Graph:
    """The editor's graph for ``graph`` (check :func:`editable_problem` first)."""
    problem = editable_problem(graph)
    if problem:
        raise ValueError(problem)
    out = Graph()
    pos = layered_layout(len(graph.nodes), graph.edges)
    ids: dict[int, int] = {}
    taken: set[str] = set()
    for i, node in enumerate(graph.nodes):
        kind = OP_KINDS[node.op]
        x, y = pos[i][0] * _SX, pos[i][1] * _SY
        if kind == "input":
            ids[i] = out.add_node("input", _name(node.label, taken, i), graph.value(i).mean,
                                  True, (x, y)).id
        else:
            ids[i] = out.add_node(kind, "", None, False, (x, y)).id
    for i, args in enumerate(_inputs(graph)):
        if args:
            ports = KINDS[OP_KINDS[graph.nodes[i].op]].port_names
            for port, j in zip(ports, args, strict=True):
                out.connect(ids[j], ids[i], port)
    right = max(p[0] for p in pos) * _SX + 170.0
    for r in range(graph.n_roots):
        sink = out.add_node("output", "", None, False, (right, pos[r][1] * _SY)).id
        out.connect(ids[r], sink, "x")
    return out


class ReplaceEditorGraph:
    """The undoable command: the editor's graph becomes ``new`` (a ``Graph.to_dict()``)."""

    def __init__(self, graph: Graph, new: dict[str, Any]) -> None:
        self.obj = graph
        self.label = "Copy traced graph into the editor"
        self._new = new
        self._old: dict[str, Any] | None = None

    def do(self) -> None:
        if self._old is None:
            self._old = self.obj.to_dict()
        self.obj.from_dict(self._new)

    def undo(self) -> None:
        if self._old is not None:
            self.obj.from_dict(self._old)
