"""Saving and loading a graph as JSON-ready data, with strict validation.

Loading checks everything — types, ranges, sizes, ids, kinds, names, ports, references between
nodes and edges, one edge per input port, no cycle — and only then builds anything, so bad data
raises :class:`gradviz.core.model.StateError` and never leaves a half-built graph.

Format (version 1)::

    {"format_version": 1, "title": "", "description": "",
     "nodes": [{"id": 1, "kind": "input", "name": "x", "value": 2.0, "requires_grad": true,
                "position": [0.0, 0.0]}, ...],
     "edges": [{"src": 1, "dst": 3, "port": "a"}, ...]}

In a node, ``name`` (default ""), ``requires_grad`` (default false) and ``value`` (null for
computed kinds) may be left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gradviz.core.model import StateError
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
from gradviz.graph.plan import topological_order

if TYPE_CHECKING:
    from gradviz.graph.model import Graph

FORMAT_VERSION = 1
MAX_EDGES = 2 * MAX_NODES  # no kind has more than two input ports
MAX_TITLE = 200
MAX_DESCRIPTION = 5000

_TOP_KEYS = {"format_version", "title", "description", "nodes", "edges"}
_NODE_KEYS = {"id", "kind", "name", "value", "requires_grad", "position"}
_EDGE_KEYS = {"src", "dst", "port"}


def graph_to_dict(graph: Graph) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "title": graph.title,
        "description": graph.description,
        "nodes": [
            {"id": n.id, "kind": n.kind, "name": n.name, "value": n.value,
             "requires_grad": n.requires_grad, "position": [n.position[0], n.position[1]]}
            for n in graph.nodes
        ],
        "edges": [{"src": e.src, "dst": e.dst, "port": e.port} for e in graph.edges],
    }


def _text(data: dict, key: str, limit: int) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or len(value) > limit:
        raise StateError(f"graph: {key} must be a text of at most {limit} characters")
    return value


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_NODE_ID:
        raise StateError(f"graph: {what} must be a whole number from 1 to {MAX_NODE_ID}, "
                         f"got {value!r:.40}")
    return value


def _node(raw: Any, index: int) -> Node:
    where = f"graph: node #{index}"
    if not isinstance(raw, dict):
        raise StateError(f"{where} must be an object")
    unknown = set(raw) - _NODE_KEYS
    if unknown:
        raise StateError(f"{where} has unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    for key in ("id", "kind", "position"):
        if key not in raw:
            raise StateError(f"{where} has no {key!r}")
    nid = _int(raw["id"], f"node #{index} id")
    kind = raw["kind"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise StateError(f"{where}: unknown kind {kind!r:.40}")
    try:
        name = check_name(raw.get("name", ""), kind)
        value = raw.get("value")
        if kind in ("input", "constant"):
            if value is None:
                raise StateError(f"{where} ({kind}) needs a value")
            value = check_value(value, f"the value of node {nid}")
        elif value is not None:
            raise StateError(f"{where}: a {kind} node has no value of its own")
        requires_grad = raw.get("requires_grad", False)
        if not isinstance(requires_grad, bool):
            raise StateError(f"{where}: requires_grad must be true or false")
        if requires_grad and kind != "input":
            raise StateError(f"{where}: only an input can require grad")
        position = check_position(raw["position"])
    except GraphError as exc:
        raise StateError(f"{where}: {exc}") from None
    return Node(nid, kind, name, value, requires_grad, position)


def _edge(raw: Any, index: int, nodes: dict[int, Node]) -> Edge:
    where = f"graph: edge #{index}"
    if not isinstance(raw, dict):
        raise StateError(f"{where} must be an object")
    if set(raw) != _EDGE_KEYS:
        raise StateError(f"{where} must have exactly the fields src, dst and port")
    src = _int(raw["src"], f"edge #{index} src")
    dst = _int(raw["dst"], f"edge #{index} dst")
    port = raw["port"]
    for end in (src, dst):
        if end not in nodes:
            raise StateError(f"{where} refers to node {end}, which does not exist")
    s, d = nodes[src].spec, nodes[dst].spec
    if not s.has_output:
        raise StateError(f"{where} starts at an output marker, which has no output")
    if not isinstance(port, str) or d.port(port) is None:
        raise StateError(f"{where}: a {d.kind} node has no input port {port!r:.40}")
    if d.port(port).type != s.output_type:
        raise StateError(f"{where}: a {s.output_type} cannot feed a {d.port(port).type} port")
    return Edge(src, dst, port)


def parse_graph_dict(data: Any) -> tuple[dict[int, Node], dict[tuple[int, str], Edge], str, str]:
    """Validate ``data`` completely; return (nodes, edges, title, description)."""
    if not isinstance(data, dict):
        raise StateError(f"graph: expected an object, got {type(data).__name__}")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise StateError(f"graph: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    version = data.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise StateError(f"graph: format version {version!r:.20} is not supported "
                         f"(this GradViz reads version {FORMAT_VERSION})")
    title = _text(data, "title", MAX_TITLE)
    description = _text(data, "description", MAX_DESCRIPTION)
    raw_nodes, raw_edges = data.get("nodes"), data.get("edges")
    if not isinstance(raw_nodes, list) or not isinstance(raw_edges, list):
        raise StateError("graph: 'nodes' and 'edges' must be lists")
    if len(raw_nodes) > MAX_NODES:
        raise StateError(f"graph: {len(raw_nodes)} nodes is more than the {MAX_NODES} allowed")
    if len(raw_edges) > MAX_EDGES:
        raise StateError(f"graph: {len(raw_edges)} edges is more than the {MAX_EDGES} allowed")
    nodes: dict[int, Node] = {}
    inputs: set[str] = set()
    for i, raw in enumerate(raw_nodes):
        node = _node(raw, i)
        if node.id in nodes:
            raise StateError(f"graph: two nodes have id {node.id}")
        if node.kind == "input":
            if node.name in inputs:
                raise StateError(f"graph: two inputs are named {node.name!r}")
            inputs.add(node.name)
        nodes[node.id] = node
    edges: dict[tuple[int, str], Edge] = {}
    for i, raw in enumerate(raw_edges):
        edge = _edge(raw, i, nodes)
        if (edge.dst, edge.port) in edges:
            raise StateError(f"graph: input {edge.port!r} of node {edge.dst} has two edges")
        edges[(edge.dst, edge.port)] = edge
    try:
        topological_order(nodes, edges.values())
    except GraphError:
        raise StateError("graph: the edges form a cycle") from None
    return nodes, edges, title, description
