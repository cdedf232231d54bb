"""Saving and reopening a traced graph as plain data: structure and value summaries, never
tensors, never anything executable.

Reading validates everything (types, sizes, index ranges, finite numbers) before anything is
returned, and raises :class:`~gradviz.core.model.StateError` with a plain message on bad data.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torch

from gradviz.core.model import StateError, check_number
from gradviz.graph.trace_node import TracedNode
from gradviz.graph.trace_values import MAX_RANK, PREVIEW_1D, PREVIEW_2D, ValueSummary, dtype_name

if TYPE_CHECKING:
    from gradviz.graph.trace_model import TracedGraph

#: Version of the dictionaries written by :func:`graph_to_dict`.
FORMAT_VERSION = 1
#: Size limits of a saved traced graph (a lesson file must stay loadable in a moment).
MAX_SAVED_NODES = 100_000
MAX_SAVED_EDGES = 400_000
MAX_TEXT = 300
#: Outputs kept per node (``torch.unbind`` of a long tensor has one per element).
MAX_OUTPUTS = 100_000
#: Total preview numbers written per graph: past this budget, previews are left out (nodes
#: nearest the output keep theirs). Previews are most of a large graph's bytes: at 500,000 a
#: 3,900-node encoder took 8.8 MB, so two scenes of it came near the 20 MB a lesson may hold.
MAX_PREVIEW_NUMBERS = 100_000
MAX_DIM = 2**48

#: The dtypes a saved graph may name (looked up, never evaluated).
DTYPES: dict[str, torch.dtype] = {
    dtype_name(d): d for d in vars(torch).values() if isinstance(d, torch.dtype)}

_SUMMARY_KEYS = {"shape", "dtype", "min", "mean", "max", "norm", "nonfinite", "preview", "reason"}
_KEYS = {"nodes", "edges", "edge_slots", "n_roots", "warning", "edge_grads"}


def _summary_dict(s: ValueSummary | None, budget: list[int]) -> dict | None:
    if s is None:
        return None
    d = s.to_dict()
    size = _preview_size(d["preview"])
    if size > budget[0]:
        d["preview"] = None
    else:
        budget[0] -= size
    return d


def _preview_size(preview: list | None) -> int:
    if not preview:
        return 0
    return sum(len(r) if isinstance(r, list) else 1 for r in preview)


def _clean(text: str) -> str:
    """``text`` as :func:`graph_from_dict` accepts it: printable and at most ``MAX_TEXT`` long
    (a parameter name given by the user may hold anything)."""
    if len(text) <= MAX_TEXT and text.isprintable():
        return text  # nearly always: saving 3,900 nodes' names stays a matter of milliseconds
    return "".join(c if c.isprintable() else "?" for c in text[:MAX_TEXT])


def _output_pair(shape: tuple | None, dtype: torch.dtype | None) -> list:
    keep = shape is not None and len(shape) <= MAX_RANK
    return [list(shape) if keep else None, None if dtype is None else dtype_name(dtype)]


def graph_to_dict(graph: TracedGraph) -> dict[str, Any]:
    """The saved form of ``graph`` (its summaries must already be computed). Whatever it writes,
    :func:`graph_from_dict` accepts: a graph over the size limits is written empty, with a
    warning that says why."""
    if len(graph.nodes) > MAX_SAVED_NODES or len(graph.edges) > MAX_SAVED_EDGES:
        return {"nodes": [], "edges": [], "edge_slots": [], "n_roots": 0, "edge_grads": [],
                "warning": f"not saved: {len(graph.nodes):,} nodes and {len(graph.edges):,} "
                           f"edges (a lesson keeps at most {MAX_SAVED_NODES:,} nodes)"}
    budget = [MAX_PREVIEW_NUMBERS]
    nodes = []
    for i, n in enumerate(graph.nodes):
        shape, dtype = _output_pair(n.shape, n.dtype)
        nodes.append({
            "op": _clean(n.op), "label": _clean(n.label), "module": _clean(n.module),
            "shape": shape, "dtype": dtype,
            "extra_outputs": [_output_pair(*o) for o in n.extra_outputs[:MAX_OUTPUTS]],
            "value": _summary_dict(graph.value(i), budget),
            "grad": _summary_dict(graph.grad(i), budget)})
    return {"nodes": nodes, "edges": [list(e) for e in graph.edges],
            "edge_slots": list(graph.edge_slots), "n_roots": graph.n_roots,
            "warning": _clean(graph.warning),
            "edge_grads": [_summary_dict(graph.edge_grad(e), budget)
                           for e in range(len(graph.edges))]}


# -- reading ---------------------------------------------------------------------------------

def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT or not value.isprintable():
        raise StateError(f"{name} must be a short printable text")
    return value


def _list(name: str, value: Any, limit: int) -> list:
    if not isinstance(value, list):
        raise StateError(f"{name} must be a list, not {type(value).__name__}")
    if len(value) > limit:
        raise StateError(f"{name} holds {len(value):,} items; at most {limit:,} are allowed")
    return value


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    return int(check_number(name, value, lo, hi, integer=True))


def _shape(name: str, value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    dims = _list(name, value, MAX_RANK)
    return tuple(_int(f"{name}[{k}]", d, 0, MAX_DIM) for k, d in enumerate(dims))


def _dtype(name: str, value: Any) -> torch.dtype | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in DTYPES:
        raise StateError(f"{name} must name a torch dtype, got {value!r:.40}")
    return DTYPES[value]


def _optional_number(name: str, value: Any) -> float | None:
    return None if value is None else float(check_number(name, value))


def _numbers(name: str, values: list) -> tuple[float, ...]:
    """Finite numbers (not booleans), checked in one pass: a preview holds up to a thousand."""
    for v in values:
        if type(v) not in (float, int) or not math.isfinite(v):
            raise StateError(f"{name} must hold finite numbers, got {v!r:.40}")
    return tuple(float(v) for v in values)


def _preview(name: str, value: Any) -> tuple | None:
    if value is None:
        return None
    rows = _list(name, value, max(PREVIEW_1D, PREVIEW_2D))
    if rows and all(isinstance(r, list) for r in rows):
        if len(rows) > PREVIEW_2D:
            raise StateError(f"{name} has more than {PREVIEW_2D} rows")
        return tuple(_numbers(name, _list(name, r, PREVIEW_2D)) for r in rows)
    return _numbers(name, rows)


def _summary(name: str, d: Any) -> ValueSummary | None:
    if d is None:
        return None
    if not isinstance(d, dict) or set(d) != _SUMMARY_KEYS:
        raise StateError(f"{name} must be a summary with the fields {sorted(_SUMMARY_KEYS)}")
    shape = _shape(f"{name}.shape", d["shape"])
    if shape is None:
        raise StateError(f"{name}.shape is missing")
    return ValueSummary(
        shape, dtype_name(_dtype(f"{name}.dtype", d["dtype"])),
        *(_optional_number(f"{name}.{k}", d[k]) for k in ("min", "mean", "max", "norm")),
        nonfinite=_int(f"{name}.nonfinite", d["nonfinite"], 0, MAX_DIM),
        preview=_preview(f"{name}.preview", d["preview"]),
        reason=_text(f"{name}.reason", d["reason"]))


def _node(k: int, d: Any) -> tuple[TracedNode, ValueSummary | None, ValueSummary | None]:
    name = f"traced.nodes[{k}]"
    if not isinstance(d, dict) or set(d) != {"op", "label", "module", "shape", "dtype",
                                             "extra_outputs", "value", "grad"}:
        raise StateError(f"{name} must be a node object with the expected fields")
    extra = tuple((_shape(f"{name}.extra_outputs", _pair(name, p)[0]),
                   _dtype(f"{name}.extra_outputs", p[1]))
                  for p in _list(f"{name}.extra_outputs", d["extra_outputs"], MAX_OUTPUTS))
    node = TracedNode(_text(f"{name}.op", d["op"]), _text(f"{name}.label", d["label"]),
                      _shape(f"{name}.shape", d["shape"]), _dtype(f"{name}.dtype", d["dtype"]),
                      _text(f"{name}.module", d["module"]), extra)
    return node, _summary(f"{name}.value", d["value"]), _summary(f"{name}.grad", d["grad"])


def _pair(name: str, value: Any) -> list:
    if not isinstance(value, list) or len(value) != 2:
        raise StateError(f"{name}: expected a pair, got {value!r:.40}")
    return value


def graph_from_dict(data: Any) -> tuple:
    """Validate saved data; return ``(nodes, edges, edge_slots, n_roots, warning, value
    summaries, gradient summaries, edge gradient summaries)``."""
    if not isinstance(data, dict) or set(data) != _KEYS:
        raise StateError(f"traced: expected an object with the fields {sorted(_KEYS)}")
    raw_nodes = _list("traced.nodes", data["nodes"], MAX_SAVED_NODES)
    n = len(raw_nodes)
    nodes, values, grads = [], {}, {}
    for k, d in enumerate(raw_nodes):
        node, values[k], grads[k] = _node(k, d)
        nodes.append(node)
    edges = [tuple(_int("traced.edges", v, 0, max(n - 1, 0)) for v in _pair("traced.edges", e))
             for e in _list("traced.edges", data["edges"], MAX_SAVED_EDGES)]
    slots = [_int("traced.edge_slots", s, 0, MAX_DIM)
             for s in _list("traced.edge_slots", data["edge_slots"], MAX_SAVED_EDGES)]
    raw_grads = _list("traced.edge_grads", data["edge_grads"], MAX_SAVED_EDGES)
    if len(slots) != len(edges) or len(raw_grads) != len(edges):
        raise StateError("traced: edges, edge_slots and edge_grads must have the same length")
    if edges and n == 0:
        raise StateError("traced: edges without nodes")
    edge_grads = {e: _summary(f"traced.edge_grads[{e}]", g) for e, g in enumerate(raw_grads)}
    n_roots = _int("traced.n_roots", data["n_roots"], 0, n)
    return (nodes, edges, slots, n_roots, _text("traced.warning", data["warning"]),
            values, grads, edge_grads)
