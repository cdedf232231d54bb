"""The :class:`Graph` model: nodes, typed ports, edges, positions, events, and real torch runs.

A graph is a DAG: :meth:`Graph.connect` refuses an edge that would close a cycle, an input port
takes one edge, an output may feed any number of ports (that is how multi-path gradients arise).
Every change emits a psygnal event, so views never poll. The graph follows the
:class:`gradviz.core.model.SubModel` protocol and can be registered on the ``AppModel``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, ClassVar

import torch
from psygnal import Signal, SignalGroup

from gradviz.core.panel_info import PanelInfo, Presenter
from gradviz.graph.elements import (
    MAX_NODE_ID,
    MAX_NODES,
    Edge,
    GraphError,
    Node,
    check_name,
    check_position,
    check_value,
)
from gradviz.graph.ops import KINDS
from gradviz.graph.plan import Plan, RunResult, build_plan, plan_function
from gradviz.graph.run import Runner
from gradviz.graph.trace_model import TracedGraph


class GraphEvents(SignalGroup):
    """The graph's signals. Action events are past tense; every edit ends with ``changed``."""

    node_added = Signal(object)  # Node
    node_removed = Signal(object)  # Node (the last snapshot)
    edge_added = Signal(object)  # Edge
    edge_removed = Signal(object)  # Edge
    value_changed = Signal(int, float)  # node id, new value
    requires_grad_changed = Signal(int, bool)
    renamed = Signal(int, str)
    moved = Signal(int, object)  # node id, (x, y)
    ran = Signal(object)  # RunResult of run() or backward()
    grads_zeroed = Signal()
    rebuilt = Signal()  # the whole graph was replaced (from_dict, reset): rebuild the view
    changed = Signal()  # after any edit of nodes or edges


class Graph:
    """A computational graph that runs on real PyTorch.

    Examples
    --------
    >>> g = Graph.from_code('''
    ... x = torch.tensor(2.0, requires_grad=True)
    ... y = torch.tensor(3.0, requires_grad=True)
    ... z = x * y + x ** 2
    ... z.backward()
    ... ''')
    >>> run = g.run()
    >>> run.values["z"], run.grads["x"], run.grads["y"]
    (10.0, 7.0, 2.0)
    """

    key: ClassVar[str] = "graph"
    format_version: ClassVar[int] = 1

    def __init__(self) -> None:
        self.events = GraphEvents()
        self._nodes: dict[int, Node] = {}
        self._edges: dict[tuple[int, str], Edge] = {}
        self._out: dict[int, set[Edge]] = {}
        self._next_id = 1
        self._plan: Plan | None = None
        self._runner = Runner()
        self.title = ""
        self.description = ""
        #: The example that :meth:`reset` (first start, File → New) opens; None: an empty graph.
        self.default_example: str | None = None

    def __repr__(self) -> str:
        return f"<Graph {len(self._nodes)} nodes, {len(self._edges)} edges>"

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    # ------------------------------------------------------------------ queries

    @property
    def nodes(self) -> list[Node]:
        """All nodes, by id."""
        return [self._nodes[i] for i in sorted(self._nodes)]

    @property
    def edges(self) -> list[Edge]:
        """All edges, sorted (by source, destination, port)."""
        return sorted(self._edges.values())

    def node(self, node_id: int) -> Node:
        try:
            return self._nodes[node_id]
        except (KeyError, TypeError):
            raise GraphError(f"there is no node with id {node_id!r}") from None

    def edge_at(self, dst: int, port: str) -> Edge | None:
        """The edge into ``port`` of ``dst``, if any."""
        return self._edges.get((dst, port))

    def edges_into(self, node_id: int) -> list[Edge]:
        """Edges into ``node_id``, in port order."""
        ports = KINDS[self.node(node_id).kind].port_names
        return [e for p in ports if (e := self._edges.get((node_id, p))) is not None]

    def edges_from(self, node_id: int) -> list[Edge]:
        self.node(node_id)
        return sorted(self._out[node_id])

    def node_id(self, name: str) -> int | None:
        """The id of the latest binding of variable ``name`` (highest id), or None."""
        found = [n.id for n in self._nodes.values() if n.name == name]
        return max(found) if found else None

    def input_named(self, name: str) -> Node | None:
        for n in self._nodes.values():
            if n.kind == "input" and n.name == name:
                return n
        return None

    def topological_order(self) -> list[int]:
        return list(self._compiled().order)

    def find_cycle(self, src: int, dst: int) -> list[int] | None:
        """The cycle an edge ``src → dst`` would close, as ``[src, dst, …, src]``; else None."""
        if src == dst:
            return [src, src]
        parent: dict[int, int] = {dst: dst}
        queue = deque([dst])
        while queue:
            n = queue.popleft()
            for e in self._out[n]:
                if e.dst in parent:
                    continue
                parent[e.dst] = n
                if e.dst == src:
                    path = [src]
                    while path[-1] != dst:
                        path.append(parent[path[-1]])
                    return [src, *reversed(path)]
                queue.append(e.dst)
        return None

    # ------------------------------------------------------------------ edits

    def _check_new_node(self, kind: str, name: str, value: Any, requires_grad: Any,
                        position: Any, node_id: Any) -> Node:
        if kind not in KINDS:
            raise GraphError(f"unknown node kind {kind!r}; known kinds: {', '.join(KINDS)}")
        if len(self._nodes) >= MAX_NODES:
            raise GraphError(f"a graph holds at most {MAX_NODES} nodes")
        if node_id is None:
            node_id = self._next_id
        elif isinstance(node_id, bool) or not isinstance(node_id, int) \
                or not 1 <= node_id <= MAX_NODE_ID:
            raise GraphError(f"a node id is a whole number from 1 to {MAX_NODE_ID}")
        if node_id in self._nodes:
            raise GraphError(f"there is already a node with id {node_id}")
        name = check_name(name, kind)
        if kind in ("input", "constant"):
            value = check_value(0.0 if value is None else value, f"the value of {name or kind}")
        elif value is not None:
            raise GraphError(f"a {kind} node has no value of its own")
        if not isinstance(requires_grad, bool):
            raise GraphError("requires_grad must be True or False")
        if requires_grad and kind != "input":
            raise GraphError("only an input (a leaf tensor) can be created with requires_grad=True")
        if kind == "input" and self.input_named(name) is not None:
            raise GraphError(f"there is already an input named {name!r}")
        return Node(node_id, kind, name, value, requires_grad, check_position(position))

    def add_node(self, kind: str, name: str = "", value: float | None = None,
                 requires_grad: bool = False, position: tuple[float, float] = (0.0, 0.0),
                 node_id: int | None = None) -> Node:
        """Add a node and return it; ``node_id`` restores a known id (undo, loading)."""
        node = self._check_new_node(kind, name, value, requires_grad, position, node_id)
        self._nodes[node.id] = node
        self._out[node.id] = set()
        self._next_id = max(self._next_id, node.id + 1)
        self._plan = None
        self.events.node_added.emit(node)
        self.events.changed.emit()
        return node

    def remove_node(self, node_id: int) -> list[Edge]:
        """Remove a node with all its edges; returns the removed edges (for undo)."""
        node = self.node(node_id)
        removed = self.edges_into(node_id) + sorted(self._out[node_id])
        for e in removed:
            self._drop_edge(e)
            self.events.edge_removed.emit(e)
        del self._nodes[node_id]
        del self._out[node_id]
        self._plan = None
        self.events.node_removed.emit(node)
        self.events.changed.emit()
        return removed

    def free_port(self, node_id: int) -> str | None:
        """The first input port of ``node_id`` that has no edge yet."""
        for p in KINDS[self.node(node_id).kind].port_names:
            if (node_id, p) not in self._edges:
                return p
        return None

    def check_connect(self, src: int, dst: int, port: str | None = None,
                      replace: bool = False) -> tuple[Edge, Edge | None]:
        """Validate ``connect`` without changing anything; returns (new edge, replaced edge)."""
        s, d = self.node(src), self.node(dst)
        if not s.spec.has_output:
            raise GraphError(f"{s.label} is an output marker: it has no output to connect from")
        if port is None:
            port = self.free_port(dst)
            if port is None:
                raise GraphError(f"{d.label} has no free input")
        spec = d.spec.port(port)
        if spec is None:
            ports = d.spec.port_names
            raise GraphError(f"{d.label} has no input port {port!r}"
                             + (f" (its ports: {', '.join(ports)})" if ports else
                                " (it takes no inputs)"))
        if spec.type != s.spec.output_type:
            raise GraphError(f"{s.label} gives a {s.spec.output_type}, "
                             f"but {d.label}.{port} takes a {spec.type}")
        old = self._edges.get((dst, port))
        if old is not None and not replace:
            raise GraphError(f"input {port!r} of {d.label} is already connected to "
                             f"{self._nodes[old.src].label}; an input takes one edge")
        cycle = self.find_cycle(src, dst)
        if cycle is not None:
            names = " → ".join(self._nodes[i].label for i in cycle)
            raise GraphError(f"connecting {s.label} → {d.label} would close a cycle: {names}")
        return Edge(src, dst, port), old

    def connect(self, src: int, dst: int, port: str | None = None, replace: bool = False) -> Edge:
        """Connect ``src``'s output to input ``port`` of ``dst`` (the first free one if None).

        With ``replace`` an existing edge on that port is removed first; otherwise an occupied
        port, a cycle, an unknown node or port raise :class:`GraphError` and nothing changes.
        """
        edge, old = self.check_connect(src, dst, port, replace)
        if old is not None:
            self._drop_edge(old)
            self.events.edge_removed.emit(old)
        self._edges[(edge.dst, edge.port)] = edge
        self._out[edge.src].add(edge)
        self._plan = None
        self.events.edge_added.emit(edge)
        self.events.changed.emit()
        return edge

    def _drop_edge(self, edge: Edge) -> None:
        del self._edges[(edge.dst, edge.port)]
        self._out[edge.src].discard(edge)
        self._plan = None

    def disconnect(self, dst: int, port: str) -> Edge:
        """Remove the edge into ``port`` of ``dst`` and return it."""
        edge = self._edges.get((dst, port))
        if edge is None:
            raise GraphError(f"input {port!r} of {self.node(dst).label} is not connected")
        self._drop_edge(edge)
        self.events.edge_removed.emit(edge)
        self.events.changed.emit()
        return edge

    def _update(self, node: Node, **changes: Any) -> Node:
        new = replace(node, **changes)
        self._nodes[node.id] = new
        return new

    def move_node(self, node_id: int, position: tuple[float, float]) -> None:
        self.move_nodes({node_id: position})

    def move_nodes(self, positions: Mapping[int, tuple[float, float]]) -> None:
        """Move several nodes at once (all validated before any moves)."""
        clean = {self.node(i).id: check_position(p) for i, p in positions.items()}
        moved = []
        for i, p in clean.items():
            if self._nodes[i].position != p:
                self._update(self._nodes[i], position=p)
                moved.append(i)
        for i in moved:
            self.events.moved.emit(i, clean[i])
        if moved:
            self.events.changed.emit()

    def set_value(self, node_id: int, value: float) -> None:
        node = self.node(node_id)
        if node.kind not in ("input", "constant"):
            raise GraphError(f"{node.label} is computed; only inputs and constants hold a value")
        v = check_value(value, f"the value of {node.label}")
        if v != node.value:
            self._update(node, value=v)
            self.events.value_changed.emit(node_id, v)
            self.events.changed.emit()

    def set_requires_grad(self, node_id: int, flag: bool) -> None:
        node = self.node(node_id)
        if not isinstance(flag, bool):
            raise GraphError("requires_grad must be True or False")
        if node.kind != "input":
            raise GraphError(f"only an input (a leaf tensor) has requires_grad; {node.label} "
                             "requires grad whenever one of its inputs does")
        if flag != node.requires_grad:
            self._update(node, requires_grad=flag)
            self.events.requires_grad_changed.emit(node_id, flag)
            self.events.changed.emit()

    def rename(self, node_id: int, name: str) -> None:
        node = self.node(node_id)
        name = check_name(name, node.kind)
        if name == node.name:
            return
        if node.kind == "input":
            other = self.input_named(name)
            if other is not None:
                raise GraphError(f"there is already an input named {name!r}")
        self._update(node, name=name)
        self._plan = None  # the plan maps names to their latest bindings
        self.events.renamed.emit(node_id, name)
        self.events.changed.emit()

    def clear(self) -> None:
        """Remove everything (one ``rebuilt`` event), forgetting leaves and the last forward."""
        self._replace_contents({}, {}, "", "")

    def _replace_contents(self, nodes: dict[int, Node], edges: dict[tuple[int, str], Edge],
                          title: str, description: str) -> None:
        """Swap in a complete, already validated graph at once: loaders never half-build."""
        out: dict[int, set[Edge]] = {nid: set() for nid in nodes}
        for e in edges.values():
            out[e.src].add(e)
        self._nodes, self._edges, self._out = dict(nodes), dict(edges), out
        self._next_id = max(nodes, default=0) + 1
        self._plan = None
        self._runner.clear()
        self.title, self.description = title, description
        self.events.rebuilt.emit()
        self.events.changed.emit()

    # ------------------------------------------------------------------ running

    def _compiled(self) -> Plan:
        if self._plan is None:
            self._plan = build_plan(self._nodes, self._edges)
        return self._plan

    @property
    def dtype(self) -> str:
        """``"float32"`` (as students' code) or ``"float64"`` (for gradcheck)."""
        return str(self._runner.dtype).removeprefix("torch.")

    def run(self, zero_grad: bool = True, retain_graph: bool = False,
            dtype: str | None = None) -> RunResult:
        """Zero the leaves' grads (unless ``zero_grad=False``), run forward, then backward.

        Problems (a missing input, no output, an output that does not require grad) are reported
        in ``RunResult.problems``; this never raises for a broken graph.
        """
        if dtype is not None:
            self._runner.set_dtype(dtype)
        result = self._runner.run(self._compiled(), self._nodes, zero_grad, retain_graph)
        self.events.ran.emit(result)
        return result

    def backward(self, retain_graph: bool = False) -> RunResult:
        """Call ``backward()`` on the last forward's output again, adding into ``.grad``.

        It is real PyTorch: after a run without ``retain_graph`` it raises PyTorch's
        "Trying to backward through the graph a second time…" wherever an op saved tensors
        (mul, pow, exp, …), and succeeds for a graph of additions alone.
        """
        result = self._runner.backward(retain_graph)
        self.events.ran.emit(result)
        return result

    def zero_grad(self, set_to_none: bool = True) -> None:
        """``optimizer.zero_grad()``: every leaf's ``.grad`` becomes None. With
        ``set_to_none=False`` it is ``w.grad.zero_()``, which raises as PyTorch does before the
        first backward (``.grad`` is None then)."""
        self._runner.zero_grad([n for n in self.nodes if n.kind == "input"], set_to_none)
        self.events.grads_zeroed.emit()

    def leaf(self, name: str) -> torch.Tensor:
        """The real persistent leaf tensor of the input called ``name``."""
        node = self.input_named(name)
        if node is None:
            raise GraphError(f"there is no input named {name!r}")
        return self._runner.leaf(node)

    def as_function(self, dtype: str = "float64") -> tuple[Callable[..., torch.Tensor], list[str]]:
        """The graph as a plain function of its grad-requiring leaves, for ``gradcheck``.

        Returns ``(fn, names)``: ``fn(*tensors)`` computes the output from one tensor per name,
        through the same forward code as :meth:`run`; other inputs keep their values.
        """
        return plan_function(self._compiled(), dict(self._nodes), dtype)

    # ------------------------------------------------------------------ code, layout

    @classmethod
    def from_code(cls, source: str, layout: bool = True) -> Graph:
        """Read a PyTorch snippet into a graph, without executing it.

        Raises :class:`gradviz.graph.code_import.CodeImportError` (a ``ValueError``) with the line
        number for anything outside the whitelist; see :mod:`gradviz.graph.code_import`.
        """
        from gradviz.graph.code_import import parse_code

        nodes, edges = parse_code(source)
        graph = cls()
        graph._replace_contents(nodes, edges, "", "")
        if layout:
            graph.layout()
        return graph

    def to_code(self) -> str:
        """A runnable PyTorch script that rebuilds this computation, calls ``backward()`` and
        prints every leaf's gradient; see :mod:`gradviz.graph.code_export`."""
        from gradviz.graph.code_export import graph_to_code

        return graph_to_code(self)

    def layout_positions(self) -> dict[int, tuple[float, float]]:
        """Positions from the automatic layered layout (nothing is moved)."""
        from gradviz.graph.layout import layered_layout

        return layered_layout(list(self._nodes), list(self._edges.values()))

    def layout(self) -> None:
        """Place every node by the automatic layered layout (emits ``moved``)."""
        self.move_nodes(self.layout_positions())

    # ------------------------------------------------------------------ SubModel protocol

    def to_dict(self) -> dict[str, Any]:
        from gradviz.graph.serialize import graph_to_dict

        return graph_to_dict(self)

    def from_dict(self, data: dict[str, Any]) -> None:
        """Load a saved graph; on bad data raise ``StateError`` and leave this graph unchanged."""
        from gradviz.graph.serialize import parse_graph_dict

        nodes, edges, title, description = parse_graph_dict(data)
        self._replace_contents(nodes, edges, title, description)

    @classmethod
    def create_from_dict(cls, data: dict[str, Any]) -> Graph:
        graph = cls()
        graph.from_dict(data)
        return graph

    def reset(self) -> None:
        """Back to the starting state: the default example where there is one, else empty."""
        if self.default_example is None:
            self.clear()
            return

        from gradviz.graph.examples import example_path  # examples import this module

        data = json.loads(example_path(self.default_example).read_text(encoding="utf-8"))
        self.from_dict(data)

    @classmethod
    def starting_with(cls, example: str) -> Graph:
        """The graph the editor opens with: ``example`` now and after every File → New."""
        graph = cls()
        graph.default_example = example
        graph.reset()
        return graph


PANEL = PanelInfo("graph", "Graph editor", "graph_editor.panel:QtGraphEditorPanel", order=40,
                  models=lambda model: [Graph.starting_with("two_paths"), TracedGraph()],
                  presenter=Presenter(show=("canvas", "stepping"),
                                      fold=("toolbar", "palette", "details")))
