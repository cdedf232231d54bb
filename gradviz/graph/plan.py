"""A graph's plan and its forward pass with real PyTorch: the order nodes run in, what each one
computes, and the result types the canvas animates (:mod:`gradviz.graph.run` adds the backward)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch

from gradviz.graph.elements import Edge, GraphError, Node
from gradviz.graph.ops import KINDS, ordinal

DTYPES = {"float32": torch.float32, "float64": torch.float64}


class ForwardStep(NamedTuple):
    """One node computed during the forward pass (played in list order)."""

    node: int
    value: float | None
    grad_fn: str | None


class BackwardStep(NamedTuple):
    """One edge carrying gradient during the backward pass (played in list order).

    ``contribution`` flowed along ``edge`` into ``edge.src``; ``running_sum`` is what ``edge.src``
    has received so far in this run, ``total`` its gradient for this run once every contribution has
    arrived, ``merge`` whether it receives along several edges, ``last`` whether this is the last.
    """

    edge: Edge
    contribution: float
    running_sum: float
    total: float | None
    merge: bool
    last: bool


@dataclass
class RunResult:
    """Everything one run (or one extra ``backward()``) produced.

    Attributes
    ----------
    values
        Variable name → value of its latest binding (the node with the highest id of that name).
    grads
        Leaf name → the leaf's ``.grad`` after this run (None when PyTorch stored none).
    node_values, node_grads, grad_fns
        By node id: value, gradient *for this run* (intermediates included; None where no
        gradient arrived) and the real ``grad_fn`` class name read from the tensor.
    leaf_grads
        By input node id: ``.grad`` after this run (accumulated over runs unless zeroed).
    edge_grads
        By :class:`Edge`: the contribution that flowed along it in this backward pass (None where
        nothing flowed: a detached path, a constant, a branch that does not reach the output).
    flags
        By node id: plain-words notes on non-finite numbers ("value is inf", "gradient is nan").
    problems
        What stopped the run, in plain words; empty when everything went well.
    forward_steps, backward_steps
        The schedules the canvas animates.
    """

    dtype: str
    output: int | None = None
    values: dict[str, float | None] = field(default_factory=dict)
    grads: dict[str, float | None] = field(default_factory=dict)
    node_values: dict[int, float | None] = field(default_factory=dict)
    node_grads: dict[int, float | None] = field(default_factory=dict)
    grad_fns: dict[int, str | None] = field(default_factory=dict)
    leaf_grads: dict[int, float | None] = field(default_factory=dict)
    edge_grads: dict[Edge, float | None] = field(default_factory=dict)
    flags: dict[int, tuple[str, ...]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    forward_steps: list[ForwardStep] = field(default_factory=list)
    backward_steps: list[BackwardStep] = field(default_factory=list)
    backward_ran: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


# --------------------------------------------------------------------------- structure


@dataclass
class Plan:
    """The structure of a graph, compiled once per structural change and reused by every run."""

    order: list[int]
    kinds: dict[int, str]
    sources: dict[int, tuple[int | None, ...]]
    in_edges: dict[int, tuple[Edge | None, ...]]
    out_edges: dict[int, list[Edge]]
    outputs: list[int]
    #: How many consumers other than the output marker each node feeds.
    fan_out: dict[int, int]
    #: Nodes with unconnected input ports, and the indices of those ports.
    missing: list[tuple[int, list[int]]]
    #: What the forward pass does, node by node in topological order:
    #: ``(node id, code, torch operation, source ids, per-input alias edge or None)``.
    program: list[tuple[int, int, Any, tuple[int | None, ...], tuple[Edge | None, ...] | None]]
    #: Variable name → its latest binding (the highest node id of that name).
    latest: dict[str, int]


def topological_order(node_ids: Iterable[int], edges: Iterable[Edge]) -> list[int]:
    """Kahn's algorithm, smallest id first among ready nodes, so the order is deterministic."""
    ids = list(node_ids)
    indegree = dict.fromkeys(ids, 0)
    succ: dict[int, list[int]] = {i: [] for i in ids}
    for e in edges:
        indegree[e.dst] += 1
        succ[e.src].append(e.dst)
    ready = [i for i, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for m in succ[n]:
            indegree[m] -= 1
            if indegree[m] == 0:
                heapq.heappush(ready, m)
    if len(order) != len(ids):  # the model refuses cycles, so this is a corrupted graph
        raise GraphError("the graph has a cycle")
    return order


_INPUT, _CONSTANT, _OUTPUT, _OP, _BROKEN = range(5)
_CODES = {"input": _INPUT, "constant": _CONSTANT, "output": _OUTPUT}


def build_plan(nodes: Mapping[int, Node], edges: Mapping[tuple[int, str], Edge]) -> Plan:
    order = topological_order(nodes, edges.values())
    kinds = {nid: n.kind for nid, n in nodes.items()}
    sources: dict[int, tuple[int | None, ...]] = {}
    in_edges: dict[int, tuple[Edge | None, ...]] = {}
    out_edges: dict[int, list[Edge]] = {nid: [] for nid in nodes}
    for nid, node in nodes.items():
        ports = KINDS[node.kind].port_names
        ins = tuple(edges.get((nid, p)) for p in ports)
        in_edges[nid] = ins
        sources[nid] = tuple(e.src if e is not None else None for e in ins)
    for nid in order:
        for e in in_edges[nid]:
            if e is not None:
                out_edges[e.src].append(e)
    outputs = [nid for nid in order if kinds[nid] == "output"]
    fan_out = {nid: sum(1 for e in out if kinds[e.dst] != "output") for nid, out in out_edges.items()}
    missing = [(nid, [i for i, s in enumerate(sources[nid]) if s is None]) for nid in order
               if None in sources[nid]]
    program = []
    for nid in order:
        kind = kinds[nid]
        srcs = sources[nid]
        code = _CODES.get(kind, _OP)
        aliases = None
        if code == _OP:
            if None in srcs:
                code = _BROKEN
            else:
                # An edge gets its own alias where its source feeds several consumers.
                aliases = tuple(e if fan_out[e.src] > 1 else None for e in in_edges[nid])
                if not any(aliases):
                    aliases = None
        program.append((nid, code, KINDS[kind].apply, srcs, aliases))
    latest = {nodes[nid].name: nid for nid in sorted(nodes) if nodes[nid].name}
    return Plan(order, kinds, sources, in_edges, out_edges, outputs, fan_out, missing, program,
                latest)


def structural_problems(plan: Plan, nodes: Mapping[int, Node]) -> list[str]:
    """Plain-words reasons why the graph cannot be run to the end (missing inputs, outputs)."""
    problems = []
    for nid, missing in plan.missing:
        spec = KINDS[plan.kinds[nid]]
        srcs = plan.sources[nid]
        label = nodes[nid].label
        if spec.kind == "output":
            problems.append("the output has no input: connect the tensor to call backward() on")
        elif len(srcs) == 1:
            problems.append(f"{label} needs an input")
        elif len(missing) == len(srcs):
            problems.append(f"{label} needs two inputs")
        else:
            problems.extend(f"{label} needs a {ordinal(i)} input" for i in missing)
    if not plan.outputs:
        problems.append("there is no output: add an output node and connect the tensor to call "
                        "backward() on")
    elif len(plan.outputs) > 1:
        problems.append(f"there are {len(plan.outputs)} outputs, but backward() starts from one "
                        "tensor: remove all but one")
    return problems


# --------------------------------------------------------------------------- forward


def forward(plan: Plan, nodes: Mapping[int, Node], leaves: Mapping[int, torch.Tensor],
            dtype: torch.dtype, capture: list[tuple[Any, torch.Tensor]] | None = None,
            ) -> dict[int, Any]:
    """Compute every node that can be computed.

    Returns node id → tensor (a Python float for a constant, None where an input is missing).
    With a ``capture`` list, every non-leaf tensor that requires grad keeps its gradient
    (``retain_grad``) and is appended as ``(node id, tensor)``, and every edge out of a node with
    several consumers gets its own alias, appended as ``(edge, alias)``.
    """
    vals: dict[int, Any] = {}
    float_ = float
    for nid, code, fn, srcs, alias_edges in plan.program:
        if code == _OP:
            args = [vals[s] for s in srcs]
            if capture is not None and alias_edges is not None:
                for i, edge in enumerate(alias_edges):
                    a = args[i]
                    if edge is not None and a.__class__ is not float_ and a is not None \
                            and a.requires_grad:
                        a = args[i] = a.view_as(a)
                        a.retain_grad()
                        capture.append((edge, a))
            a0 = args[0]
            if len(args) == 1:
                if a0 is None:
                    vals[nid] = None
                    continue
                if a0.__class__ is float_:  # torch functions need a tensor
                    args[0] = torch.tensor(a0, dtype=dtype)
            else:
                a1 = args[1]
                if a0 is None or a1 is None:
                    vals[nid] = None
                    continue
                if a0.__class__ is float_ and a1.__class__ is float_:
                    # Two literals would make a Python float, not a tensor.
                    args[0] = torch.tensor(a0, dtype=dtype)
            t = vals[nid] = fn(*args)
            if capture is not None and t.requires_grad:
                t.retain_grad()
                capture.append((nid, t))
        elif code == _INPUT:
            vals[nid] = leaves[nid]
        elif code == _CONSTANT:
            # A Python number, as a literal in user code: ``x ** 2`` then records PowBackward0.
            vals[nid] = nodes[nid].value
        elif code == _OUTPUT:
            v = None if srcs[0] is None else vals[srcs[0]]
            vals[nid] = torch.tensor(v, dtype=dtype) if v.__class__ is float_ else v
        else:  # an op with an unconnected input
            vals[nid] = None
    return vals


# --------------------------------------------------------------------------- results


def plan_function(plan: Plan, nodes: dict[int, Node], dtype: str = "float64"
                  ) -> tuple[Callable[..., torch.Tensor], list[str]]:
    """The planned graph as a plain function of its grad-requiring leaves (for ``gradcheck``):
    ``fn(*tensors)`` computes the output through :func:`forward`; other inputs keep their values.
    Returns ``(fn, names)``."""
    if len(plan.outputs) != 1 or plan.sources[plan.outputs[0]][0] is None:
        raise GraphError("the graph needs exactly one connected output")
    if dtype not in DTYPES:
        raise GraphError(f"dtype must be one of {sorted(DTYPES)}")
    torch_dtype = DTYPES[dtype]
    params = [nodes[i] for i in sorted(nodes) if nodes[i].kind == "input" and nodes[i].requires_grad]
    fixed = {n.id: torch.tensor(n.value, dtype=torch_dtype) for n in nodes.values()
             if n.kind == "input" and not n.requires_grad}

    def fn(*tensors: torch.Tensor) -> torch.Tensor:
        leaves = dict(fixed)
        leaves.update({p.id: t for p, t in zip(params, tensors, strict=True)})
        out = forward(plan, nodes, leaves, torch_dtype)[plan.outputs[0]]
        if out is None:
            raise GraphError("the output could not be computed")
        return out

    return fn, [p.name for p in params]
