"""Edits the canvas makes that combine several graph commands into one undo step.

They follow the graph commands' protocol (``do(graph)``, ``undo(graph)``, ``label``) and touch
only the model; the canvas redraws from the graph's events. None of them imports Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gradviz.graph import AddNode, Connect, Edge, Graph, GraphCommand, Node, RemoveNode


class Macro(GraphCommand):
    """Several graph commands as one undo step ("Delete 3 nodes"); undo runs them backwards.

    If one command fails, the ones already done are undone, so the graph is unchanged.
    """

    def __init__(self, label: str, commands: Sequence[GraphCommand]) -> None:
        self.label = label
        self.commands = list(commands)

    def do(self, graph: Graph) -> None:
        done: list[GraphCommand] = []
        try:
            for c in self.commands:
                c.do(graph)
                done.append(c)
        except Exception:
            for c in reversed(done):
                c.undo(graph)
            raise

    def undo(self, graph: Graph) -> None:
        for c in reversed(self.commands):
            c.undo(graph)


def delete_nodes(graph: Graph, node_ids: Sequence[int]) -> GraphCommand:
    """One command removing ``node_ids`` (their edges go with them; undo brings all back)."""
    ids = sorted(set(node_ids))
    if len(ids) == 1:
        return RemoveNode(ids[0], graph=graph)
    return Macro(f"Delete {len(ids)} nodes", [RemoveNode(i, graph=graph) for i in ids])


def unique_input_name(graph: Graph, wanted: str, taken: set[str] | None = None) -> str:
    """``wanted`` if no input uses it yet, else ``wanted2``, ``wanted3``, …"""
    taken = taken or set()
    if graph.input_named(wanted) is None and wanted not in taken:
        return wanted
    base = wanted.rstrip("0123456789") or "x"
    k = 2
    while graph.input_named(f"{base}{k}") is not None or f"{base}{k}" in taken:
        k += 1
    return f"{base}{k}"


#: Names offered to new inputs, in order: the chapter's usual letters.
INPUT_NAMES = ("x", "y", "w", "b", "u", "v", "p", "q")


def fresh_input_name(graph: Graph) -> str:
    for name in INPUT_NAMES:
        if graph.input_named(name) is None:
            return name
    return unique_input_name(graph, "x")


def new_node_command(graph: Graph, kind: str, position: tuple[float, float]) -> AddNode:
    """An :class:`AddNode` with the defaults a new node of ``kind`` gets on the canvas."""
    if kind == "input":
        return AddNode("input", fresh_input_name(graph), 1.0, True, position)
    if kind == "constant":
        return AddNode("constant", "", 2.0, False, position)
    return AddNode(kind, "", None, False, position)


class PasteNodes(GraphCommand):
    """Paste copies of nodes (and the edges among them), shifted by ``offset``.

    Inputs get fresh names where the originals' are taken. The new ids are fixed on the first
    ``do``, so redo brings back the very same nodes.
    """

    def __init__(self, nodes: Sequence[Node], edges: Sequence[Edge],
                 offset: tuple[float, float], label: str = "Paste") -> None:
        self.nodes = list(nodes)
        self.edges = [e for e in edges
                      if e.src in {n.id for n in nodes} and e.dst in {n.id for n in nodes}]
        self.offset = offset
        n = len(self.nodes)
        self.label = f"{label} {n} node{'s' if n != 1 else ''}"
        self.commands: list[GraphCommand] | None = None
        self.new_ids: list[int] = []

    def _plan(self, graph: Graph) -> tuple[list[AddNode], dict[int, AddNode]]:
        adds: dict[int, AddNode] = {}
        taken: set[str] = set()
        for n in self.nodes:
            name = n.name
            if n.kind == "input":
                name = unique_input_name(graph, n.name, taken)
                taken.add(name)
            pos = (n.position[0] + self.offset[0], n.position[1] + self.offset[1])
            adds[n.id] = AddNode(n.kind, name, n.value, n.requires_grad, pos)
        return list(adds.values()), adds

    def do(self, graph: Graph) -> None:
        if self.commands is None:
            add_list, adds = self._plan(graph)
            done: list[GraphCommand] = []
            try:
                for c in add_list:
                    c.do(graph)
                    done.append(c)
                for e in self.edges:
                    c = Connect(adds[e.src].node_id, adds[e.dst].node_id, e.port)
                    c.do(graph)
                    done.append(c)
            except Exception:
                for c in reversed(done):
                    c.undo(graph)
                raise
            self.commands = done
            self.new_ids = [c.node_id for c in add_list]
            return
        Macro(self.label, self.commands).do(graph)

    def undo(self, graph: Graph) -> None:
        Macro(self.label, self.commands or []).undo(graph)


class AddConnected(GraphCommand):
    """Add a node and connect an existing output to its first input, as one step."""

    def __init__(self, add: AddNode, src: int, graph: Graph) -> None:
        self.add, self.src = add, src
        self.connect: Connect | None = None
        self.label = f"{add.label} fed by {graph.node(src).label}"

    def do(self, graph: Graph) -> None:
        self.add.do(graph)
        try:
            if self.connect is None:
                self.connect = Connect(self.src, self.add.node_id, None)
            self.connect.do(graph)
        except Exception:
            self.add.undo(graph)
            raise

    def undo(self, graph: Graph) -> None:
        self.connect.undo(graph)
        self.add.undo(graph)


class ReplaceGraph(GraphCommand):
    """Replace the whole graph (an example, imported code or JSON); undo restores the old one.

    ``data`` is a graph's ``to_dict()``; it is validated by ``Graph.from_dict`` before anything
    changes, so bad data leaves the graph as it was.
    """

    def __init__(self, data: dict[str, Any], label: str) -> None:
        self.data = data
        self.old: dict[str, Any] | None = None
        self.label = label

    def do(self, graph: Graph) -> None:
        old = graph.to_dict()
        graph.from_dict(self.data)
        self.old = old

    def undo(self, graph: Graph) -> None:
        graph.from_dict(self.old)
