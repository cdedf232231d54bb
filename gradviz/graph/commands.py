"""Undoable graph edits, free of Qt.

Every command has ``do(graph)``, ``undo(graph)``, a ``label`` for the Edit menu ("Add mul",
"Connect x → mul", "Move 3 nodes", "Set x = 2.0") and a ``merge_key``: two consecutive commands
with the same non-None key may be merged (:meth:`GraphCommand.merge_with`), so a Qt adapter can
turn a whole slider scrub into one undo step (``QUndoCommand.id``/``mergeWith``). A command only
calls :class:`~gradviz.graph.model.Graph` methods; views update from the graph's events.

A command learns what it needs for undo (old values, removed edges) on its first ``do``; calling
``do`` again (redo) repeats exactly the same change. Labels name nodes ("Connect x → mul"): pass
``graph=`` to a constructor to have that label at once (a ``QUndoCommand`` takes its text when it
is made); without it the label is generic until the first ``do``.

Besides the one-change commands, the canvas's compound edits live here: :class:`Macro` (several
commands as one step), :class:`PasteNodes`, :class:`AddConnected` and :class:`ReplaceGraph`, with
the defaults a new node gets (:func:`new_node_command`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gradviz.core.numbers import fmt
from gradviz.graph.elements import Edge, Node
from gradviz.graph.ops import KINDS

if TYPE_CHECKING:
    from gradviz.graph.model import Graph


def _number(value: float) -> str:
    """``2 → "2.0"``, ``0.39999998 → "0.4"``: as a Python float literal reads."""
    text = fmt(value)
    return text + ".0" if text.lstrip("-").isdigit() else text


class GraphCommand:
    """Base of the graph commands."""

    label = "Edit graph"
    merge_key: Hashable | None = None
    #: Every graph command checks everything before it changes anything, so a failing one leaves
    #: the graph untouched and the undo stack need not snapshot the graph (which would also reset
    #: the leaves' accumulated .grad).
    atomic = True

    def describe(self, graph: Graph) -> str:
        """The label, naming nodes as they are in ``graph`` now."""
        return self.label

    def _init_label(self, graph: Graph | None, generic: str) -> None:
        self.label = generic if graph is None else self.describe(graph)

    def do(self, graph: Graph) -> None:
        raise NotImplementedError

    def undo(self, graph: Graph) -> None:
        raise NotImplementedError

    def merge_with(self, other: GraphCommand) -> bool:
        """Absorb ``other`` (done right after this one) into this command; True if merged."""
        return False


class AddNode(GraphCommand):
    """Add a node; undo removes it (its id is kept, so redo brings back the same node)."""

    def __init__(self, kind: str, name: str = "", value: float | None = None,
                 requires_grad: bool = False, position: tuple[float, float] = (0.0, 0.0)) -> None:
        self.kind, self.name, self.value = kind, name, value
        self.requires_grad, self.position = requires_grad, position
        self.node_id: int | None = None
        title = KINDS[kind].title if kind in KINDS else kind
        self.label = f"Add {title} {name}" if name else f"Add {title}"

    def do(self, graph: Graph) -> None:
        node = graph.add_node(self.kind, self.name, self.value, self.requires_grad,
                              self.position, node_id=self.node_id)
        self.node_id = node.id

    def undo(self, graph: Graph) -> None:
        graph.remove_node(self.node_id)


class RemoveNode(GraphCommand):
    """Remove a node with its edges; undo restores the node (same id) and every edge."""

    def __init__(self, node_id: int, graph: Graph | None = None) -> None:
        self.node_id = node_id
        self.node: Node | None = None
        self.edges: list[Edge] = []
        self._init_label(graph, "Remove node")

    def describe(self, graph: Graph) -> str:
        return f"Remove {graph.node(self.node_id).label}"

    def do(self, graph: Graph) -> None:
        self.label = self.describe(graph)
        self.node = graph.node(self.node_id)
        self.edges = graph.remove_node(self.node_id)

    def undo(self, graph: Graph) -> None:
        n = self.node
        graph.add_node(n.kind, n.name, n.value, n.requires_grad, n.position, node_id=n.id)
        for e in self.edges:
            graph.connect(e.src, e.dst, e.port)


class Connect(GraphCommand):
    """Connect ``src`` to input ``port`` of ``dst`` (first free port if None).

    An edge already on that port is replaced, and undo puts it back.
    """

    def __init__(self, src: int, dst: int, port: str | None = None,
                 graph: Graph | None = None) -> None:
        self.src, self.dst, self.port = src, dst, port
        self.replaced: Edge | None = None
        self._init_label(graph, "Connect")

    def describe(self, graph: Graph) -> str:
        return f"Connect {graph.node(self.src).label} → {graph.node(self.dst).label}"

    def do(self, graph: Graph) -> None:
        self.label = self.describe(graph)
        if self.port is None:
            self.port = graph.free_port(self.dst)
        _, self.replaced = graph.check_connect(self.src, self.dst, self.port, replace=True)
        graph.connect(self.src, self.dst, self.port, replace=True)

    def undo(self, graph: Graph) -> None:
        graph.disconnect(self.dst, self.port)
        if self.replaced is not None:
            graph.connect(self.replaced.src, self.replaced.dst, self.replaced.port)


class Disconnect(GraphCommand):
    """Remove the edge into ``port`` of ``dst``."""

    def __init__(self, dst: int, port: str, graph: Graph | None = None) -> None:
        self.dst, self.port = dst, port
        self.edge: Edge | None = None
        self._init_label(graph, "Disconnect")

    def describe(self, graph: Graph) -> str:
        edge = graph.edge_at(self.dst, self.port)
        src = graph.node(edge.src).label + " → " if edge is not None else ""
        return f"Disconnect {src}{graph.node(self.dst).label}"

    def do(self, graph: Graph) -> None:
        self.label = self.describe(graph)
        self.edge = graph.disconnect(self.dst, self.port)

    def undo(self, graph: Graph) -> None:
        graph.connect(self.edge.src, self.edge.dst, self.edge.port)


class MoveNodes(GraphCommand):
    """Move nodes to new positions ("Move 3 nodes"); also used for an automatic layout."""

    def __init__(self, positions: Mapping[int, tuple[float, float]],
                 label: str | None = None, graph: Graph | None = None) -> None:
        self.positions = {i: (float(p[0]), float(p[1])) for i, p in positions.items()}
        self.old: dict[int, tuple[float, float]] | None = None
        self._fixed_label = label
        self._init_label(graph, label or ("Move node" if len(self.positions) == 1
                                          else f"Move {len(self.positions)} nodes"))

    def describe(self, graph: Graph) -> str:
        if self._fixed_label is None and len(self.positions) == 1:
            return f"Move {graph.node(next(iter(self.positions))).label}"
        return self._fixed_label or f"Move {len(self.positions)} nodes"

    def do(self, graph: Graph) -> None:
        if self.old is None:
            self.label = self.describe(graph)
            self.old = {i: graph.node(i).position for i in self.positions}
        graph.move_nodes(self.positions)

    def undo(self, graph: Graph) -> None:
        graph.move_nodes(self.old)


class SetValue(GraphCommand):
    """Set an input's or a constant's value ("Set x = 2.0").

    Consecutive SetValue commands on the same node share a ``merge_key``, so a scrub merges
    into one undo step that goes back to the value before the scrub began.
    """

    def __init__(self, node_id: int, value: float, graph: Graph | None = None) -> None:
        self.node_id, self.value = node_id, value
        self.old: float | None = None
        self.merge_key = ("set_value", node_id)
        self._init_label(graph, f"Set value = {_number(value)}")

    def describe(self, graph: Graph) -> str:
        return f"Set {graph.node(self.node_id).label} = {_number(self.value)}"

    def do(self, graph: Graph) -> None:
        self.label = self.describe(graph)
        node = graph.node(self.node_id)
        if self.old is None:
            self.old = node.value
        graph.set_value(self.node_id, self.value)

    def undo(self, graph: Graph) -> None:
        graph.set_value(self.node_id, self.old)

    def merge_with(self, other: GraphCommand) -> bool:
        if not isinstance(other, SetValue) or other.merge_key != self.merge_key:
            return False
        self.value = other.value
        self.label = other.label
        return True


class SetRequiresGrad(GraphCommand):
    """Switch ``requires_grad`` of an input ("Set x.requires_grad = False")."""

    def __init__(self, node_id: int, flag: bool, graph: Graph | None = None) -> None:
        self.node_id, self.flag = node_id, flag
        self.old: bool | None = None
        self._init_label(graph, f"Set requires_grad = {flag}")

    def describe(self, graph: Graph) -> str:
        return f"Set {graph.node(self.node_id).label}.requires_grad = {self.flag}"

    def do(self, graph: Graph) -> None:
        self.label = self.describe(graph)
        node = graph.node(self.node_id)
        if self.old is None:
            self.old = node.requires_grad
        graph.set_requires_grad(self.node_id, self.flag)

    def undo(self, graph: Graph) -> None:
        graph.set_requires_grad(self.node_id, self.old)


class Rename(GraphCommand):
    """Rename a node ("Rename x to w")."""

    def __init__(self, node_id: int, name: str, graph: Graph | None = None) -> None:
        self.node_id, self.name = node_id, name
        self.old: str | None = None
        self._init_label(graph, f"Rename to {name}")

    def describe(self, graph: Graph) -> str:
        node = graph.node(self.node_id)
        return f"Rename {node.label} to {self.name or node.spec.title}"

    def do(self, graph: Graph) -> None:
        node = graph.node(self.node_id)
        if self.old is None:
            self.label = self.describe(graph)
            self.old = node.name
        graph.rename(self.node_id, self.name)

    def undo(self, graph: Graph) -> None:
        graph.rename(self.node_id, self.old)


class BoundCommand:
    """A graph command bound to one graph: ``do()``/``undo()`` without arguments, as
    :class:`gradviz.core.commands.Command` and a ``QUndoCommand`` adapter expect."""

    def __init__(self, command: GraphCommand, graph: Graph) -> None:
        self.command, self.graph = command, graph

    @property
    def label(self) -> str:
        return self.command.label

    @property
    def merge_key(self) -> Hashable | None:
        key = self.command.merge_key
        return None if key is None else (id(self.graph), key)

    def do(self) -> None:
        self.command.do(self.graph)

    def undo(self) -> None:
        self.command.undo(self.graph)

    def merge_with(self, other: BoundCommand) -> bool:
        return other.graph is self.graph and self.command.merge_with(other.command)


def _do_all(commands: Sequence[GraphCommand], graph: Graph) -> None:
    """Do ``commands`` in order; if one fails, undo the ones already done and re-raise, so the
    graph is unchanged."""
    done: list[GraphCommand] = []
    try:
        for c in commands:
            c.do(graph)
            done.append(c)
    except Exception:
        for c in reversed(done):
            c.undo(graph)
        raise


def _undo_all(commands: Sequence[GraphCommand], graph: Graph) -> None:
    for c in reversed(commands):
        c.undo(graph)


class Macro(GraphCommand):
    """Several graph commands as one undo step ("Delete 3 nodes"); undo runs them backwards.

    If one command fails, the ones already done are undone, so the graph is unchanged.
    """

    def __init__(self, label: str, commands: Sequence[GraphCommand]) -> None:
        self.label = label
        self.commands = list(commands)

    def do(self, graph: Graph) -> None:
        _do_all(self.commands, graph)

    def undo(self, graph: Graph) -> None:
        _undo_all(self.commands, graph)


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
    """The first of :data:`INPUT_NAMES` no input uses yet (then ``x2``, ``x3``, …)."""
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


class _ConnectCopies(GraphCommand):
    """The edges among pasted copies: their ids exist only once the copies are added, so the
    :class:`Connect` commands are made on the first ``do`` (and reused on redo)."""

    def __init__(self, adds: Mapping[int, AddNode], edges: Sequence[Edge]) -> None:
        self.adds, self.edges = adds, list(edges)
        self.connects: list[Connect] | None = None

    def do(self, graph: Graph) -> None:
        if self.connects is None:
            self.connects = [Connect(self.adds[e.src].node_id, self.adds[e.dst].node_id, e.port)
                             for e in self.edges]
        _do_all(self.connects, graph)

    def undo(self, graph: Graph) -> None:
        _undo_all(self.connects or [], graph)


class PasteNodes(GraphCommand):
    """Paste copies of nodes (and the edges among them), shifted by ``offset``.

    Inputs get fresh names where the originals' are taken. The new ids are fixed on the first
    ``do``, so redo brings back the very same nodes.
    """

    def __init__(self, nodes: Sequence[Node], edges: Sequence[Edge],
                 offset: tuple[float, float], label: str = "Paste") -> None:
        self.nodes = list(nodes)
        ids = {n.id for n in self.nodes}
        self.edges = [e for e in edges if e.src in ids and e.dst in ids]
        self.offset = offset
        n = len(self.nodes)
        self.label = f"{label} {n} node{'s' if n != 1 else ''}"
        self.commands: list[GraphCommand] | None = None
        self.new_ids: list[int] = []

    def _plan(self, graph: Graph) -> dict[int, AddNode]:
        """Original id → the command adding its copy (fresh input name, shifted position)."""
        adds: dict[int, AddNode] = {}
        taken: set[str] = set()
        for n in self.nodes:
            name = n.name
            if n.kind == "input":
                name = unique_input_name(graph, n.name, taken)
                taken.add(name)
            pos = (n.position[0] + self.offset[0], n.position[1] + self.offset[1])
            adds[n.id] = AddNode(n.kind, name, n.value, n.requires_grad, pos)
        return adds

    def do(self, graph: Graph) -> None:
        if self.commands is not None:  # redo: the very same nodes and edges
            _do_all(self.commands, graph)
            return
        adds = self._plan(graph)
        commands: list[GraphCommand] = [*adds.values(), _ConnectCopies(adds, self.edges)]
        _do_all(commands, graph)
        self.commands = commands
        self.new_ids = [c.node_id for c in adds.values()]

    def undo(self, graph: Graph) -> None:
        _undo_all(self.commands or [], graph)


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
