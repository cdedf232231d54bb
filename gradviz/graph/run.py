"""Running a graph with real PyTorch: forward, one backward, and everything the canvas animates.

The forward pass builds real tensors node by node; the backward pass is one call of
``Tensor.backward()`` on the output. Nothing here differentiates by hand:

* a node's gradient for this run is read by a tensor hook (``Tensor.register_hook``), which is how
  PyTorch hands out the gradient of an intermediate without ``retain_grad()``;
* an edge's contribution (upstream gradient × local derivative, the gradient that flowed along
  that one connection) is read the same way. Where a node feeds several consumers, each consumer
  gets its own alias of the tensor (``t.view_as(t)``, which saves no tensors and so does not change
  when PyTorch frees the graph), and the hook on each alias sees exactly its edge's share. Where a
  node feeds one consumer, that edge carries the node's whole gradient;
* the leaves are persistent tensors owned by :class:`Runner`, so their ``.grad`` accumulates across
  runs exactly as a model parameter's does.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from gradviz.graph.elements import Edge, GraphError, Node
from gradviz.graph.ops import KINDS, ordinal

DTYPES = {"float32": torch.float32, "float64": torch.float64}


@dataclass(frozen=True)
class ForwardStep:
    """One node computed during the forward pass (played in list order)."""

    node: int
    value: float | None
    grad_fn: str | None


@dataclass(frozen=True)
class BackwardStep:
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
    return Plan(order, kinds, sources, in_edges, out_edges, outputs, fan_out)


def structural_problems(plan: Plan, nodes: Mapping[int, Node]) -> list[str]:
    """Plain-words reasons why the graph cannot be run to the end (missing inputs, outputs)."""
    problems = []
    for nid in plan.order:
        spec = KINDS[plan.kinds[nid]]
        srcs = plan.sources[nid]
        missing = [i for i, s in enumerate(srcs) if s is None]
        if not missing:
            continue
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


def _as_tensor(v: Any, dtype: torch.dtype) -> torch.Tensor:
    return v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=dtype)


def forward(plan: Plan, nodes: Mapping[int, Node], leaves: Mapping[int, torch.Tensor],
            dtype: torch.dtype, hook: Callable[[torch.Tensor, Any], None] | None = None,
            ) -> tuple[dict[int, Any], dict[Edge, torch.Tensor]]:
    """Compute every node that can be computed.

    Returns node id → tensor (a Python float for a constant, None where an input is missing) and,
    when ``hook`` is given, the per-edge aliases it was registered on. ``hook(tensor, key)`` is
    called for every tensor that requires grad, with the node id or the :class:`Edge` as key.
    """
    vals: dict[int, Any] = {}
    aliases: dict[Edge, torch.Tensor] = {}
    fan_out = plan.fan_out
    kinds = plan.kinds
    for nid in plan.order:
        kind = kinds[nid]
        if kind == "input":
            vals[nid] = leaves[nid]
            if hook is not None and vals[nid].requires_grad:
                hook(vals[nid], nid)
            continue
        if kind == "constant":
            # A Python number, as a literal in user code: ``x ** 2`` then records PowBackward0.
            vals[nid] = nodes[nid].value
            continue
        if kind == "output":
            src = plan.sources[nid][0]
            vals[nid] = None if src is None else vals[src]
            if isinstance(vals[nid], float):
                vals[nid] = torch.tensor(vals[nid], dtype=dtype)
            continue
        args = []
        for edge in plan.in_edges[nid]:
            a = None if edge is None else vals[edge.src]
            if a is None:
                args = None
                break
            if hook is not None and isinstance(a, torch.Tensor) and a.requires_grad:
                if fan_out[edge.src] > 1:
                    a = a.view_as(a)
                    aliases[edge] = a
                    hook(a, edge)
            args.append(a)
        if args is None:
            vals[nid] = None
            continue
        if len(args) == 1 or all(not isinstance(a, torch.Tensor) for a in args):
            # torch functions need a tensor, and two literals would make a Python float.
            args[0] = _as_tensor(args[0], dtype)
        t = KINDS[kind].apply(*args)
        vals[nid] = t
        if hook is not None and t.requires_grad:
            hook(t, nid)
    return vals, aliases


# --------------------------------------------------------------------------- results


def _floats(items: list[Any]) -> list[Any]:
    """Tensors (or floats, or None) → Python numbers, with one stack for the common 0-d case."""
    tensors = [t for t in items if isinstance(t, torch.Tensor)]
    if tensors and all(t.dim() == 0 for t in tensors):
        dtype = tensors[0].dtype
        if all(t.dtype == dtype for t in tensors):
            flat = iter(torch.stack([t.detach() for t in tensors]).tolist())
            return [next(flat) if isinstance(t, torch.Tensor) else t for t in items]
    return [(t.detach().tolist() if isinstance(t, torch.Tensor) else t) for t in items]


def _close(a: float, b: float, dtype: torch.dtype) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    tol = 1e-5 if dtype == torch.float32 else 1e-10
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol * 1e-3)


def _grad_fn_name(t: Any) -> str | None:
    fn = getattr(t, "grad_fn", None)
    return None if fn is None else type(fn).__name__


def _note(kind: str, v: Any) -> str | None:
    if isinstance(v, float) and not math.isfinite(v):
        return f"{kind} is {'nan' if math.isnan(v) else 'inf' if v > 0 else '-inf'}"
    return None


@dataclass
class LastForward:
    """The tensors of the latest forward pass, kept so ``backward()`` can run on it again."""

    plan: Plan
    nodes: dict[int, Node]
    vals: dict[int, Any]
    aliases: dict[Edge, torch.Tensor]
    sink: dict[Any, torch.Tensor]
    root: torch.Tensor | None
    dtype: torch.dtype
    problems: list[str]


class Runner:
    """Owns the persistent leaf tensors and the last forward pass of one graph."""

    def __init__(self) -> None:
        self.dtype = torch.float32
        self.leaves: dict[int, torch.Tensor] = {}
        self._leaf_values: dict[int, float] = {}
        self._handles: list[Any] = []
        self.last: LastForward | None = None

    def clear(self) -> None:
        self._remove_hooks()
        self.leaves.clear()
        self._leaf_values.clear()
        self.last = None

    def _remove_hooks(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def leaf(self, node: Node) -> torch.Tensor:
        """The persistent leaf for input ``node``, synced with the node's value and flag.

        A changed value is written in place under ``no_grad`` (as an optimizer step does), so
        ``.grad`` survives it; only a dtype change makes new leaves.
        """
        t = self.leaves.get(node.id)
        if t is None or t.dtype != self.dtype:
            t = torch.tensor(node.value, dtype=self.dtype, requires_grad=node.requires_grad)
            self.leaves[node.id] = t
            self._leaf_values[node.id] = node.value
            return t
        if self._leaf_values[node.id] != node.value:
            with torch.no_grad():
                t.fill_(node.value)
            self._leaf_values[node.id] = node.value
        if t.requires_grad != node.requires_grad:
            t.requires_grad_(node.requires_grad)
        return t

    def zero_grad(self, inputs: Iterable[Node], set_to_none: bool = True) -> None:
        """``optimizer.zero_grad()`` (``.grad = None``) or, with ``set_to_none=False``, the
        ``w.grad.zero_()`` form, which fails as PyTorch does when ``.grad`` is None.

        The leaves exist from the moment their inputs do, as a model's parameters do."""
        for node in inputs:
            t = self.leaf(node)
            if set_to_none:
                t.grad = None
            elif t.requires_grad:
                t.grad.zero_()

    def set_dtype(self, name: str) -> None:
        if name not in DTYPES:
            raise GraphError(f"dtype must be one of {sorted(DTYPES)}, got {name!r}")
        self.dtype = DTYPES[name]

    # ------------------------------------------------------------------ run

    def run(self, plan: Plan, nodes: dict[int, Node], zero_grad: bool = True,
            retain_graph: bool = False) -> RunResult:
        self._remove_hooks()
        leaves = {nid: self.leaf(nodes[nid]) for nid in plan.order if plan.kinds[nid] == "input"}
        if zero_grad:
            for t in leaves.values():
                t.grad = None
        sink: dict[Any, torch.Tensor] = {}
        handles = self._handles

        def hook(t: torch.Tensor, key: Any) -> None:
            def store(grad: torch.Tensor) -> None:
                sink[key] = grad

            h = t.register_hook(store)
            if t.is_leaf:  # leaves outlive this forward: unhook them before the next one
                handles.append(h)

        problems = structural_problems(plan, nodes)
        vals, aliases = forward(plan, nodes, leaves, self.dtype, hook)
        root = None
        if len(plan.outputs) == 1:
            root = vals[plan.outputs[0]]
            if root is None and not any("the output has no input" in p for p in problems):
                problems.append("backward() was not called: the output could not be computed")
        self.last = LastForward(plan, dict(nodes), vals, aliases, sink, root, self.dtype, problems)
        return self._backward(retain_graph, raise_errors=False)

    def backward(self, retain_graph: bool = False) -> RunResult:
        """Backpropagate the last forward pass again; raises whatever PyTorch raises."""
        if self.last is None:
            raise GraphError("there is no forward pass to backpropagate: run the graph first")
        if self.last.root is None:
            raise GraphError("the last forward pass has no output tensor to call backward() on")
        return self._backward(retain_graph, raise_errors=True)

    def _backward(self, retain_graph: bool, raise_errors: bool) -> RunResult:
        last = self.last
        assert last is not None
        problems = list(last.problems)
        last.sink.clear()
        ran = False
        if last.root is not None:
            try:
                last.root.backward(retain_graph=retain_graph)
                ran = True
            except RuntimeError as exc:
                if raise_errors:
                    raise
                # PyTorch's own words, e.g. "element 0 of tensors does not require grad …".
                problems.append(str(exc))
        return self._collect(last, problems, ran)

    def _collect(self, last: LastForward, problems: list[str], ran: bool) -> RunResult:
        plan, nodes, vals, sink = last.plan, last.nodes, last.vals, last.sink
        order = plan.order
        output = plan.outputs[0] if len(plan.outputs) == 1 else None
        result = RunResult(dtype=str(last.dtype).removeprefix("torch."), output=output,
                           problems=problems, backward_ran=ran)
        seed = None
        if ran and last.root is not None:
            seed = torch.ones_like(last.root)

        # One conversion for every number: values, node grads, alias grads, leaf grads.
        input_ids = [nid for nid in order if plan.kinds[nid] == "input"]
        alias_edges = list(last.aliases)
        batch = ([vals[nid] for nid in order]
                 + [sink.get(nid) if ran else None for nid in order]
                 + [sink.get(e) if ran else None for e in alias_edges]
                 + [self.leaves[nid].grad if nid in self.leaves else None for nid in input_ids]
                 + [seed])
        numbers = _floats(batch)
        n = len(order)
        values = dict(zip(order, numbers[:n], strict=True))
        grads = dict(zip(order, numbers[n:2 * n], strict=True))
        alias_grads = dict(zip(alias_edges, numbers[2 * n:2 * n + len(alias_edges)], strict=True))
        leaf_grads = dict(zip(input_ids, numbers[2 * n + len(alias_edges):-1], strict=True))
        seed_value = numbers[-1]
        if output is not None and ran:
            grads[output] = seed_value

        edge_grads: dict[Edge, float | None] = {}
        for nid in order:
            for e in plan.in_edges[nid]:
                if e is None:
                    continue
                if plan.kinds[nid] == "output":
                    c = seed_value if nid == output and ran else None
                elif e in alias_grads:
                    c = alias_grads[e]
                elif grads.get(nid) is not None:
                    # The source's only consumer: the whole gradient of the source came this way.
                    c = grads.get(e.src)
                else:
                    c = None
                edge_grads[e] = c

        result.node_values = values
        result.node_grads = grads
        result.edge_grads = edge_grads
        result.leaf_grads = leaf_grads
        result.grad_fns = {nid: _grad_fn_name(vals[nid]) for nid in order}
        latest: dict[str, int] = {}
        for nid in sorted(order):
            if nodes[nid].name:
                latest[nodes[nid].name] = nid
        result.values = {name: values[nid] for name, nid in latest.items()}
        result.grads = {nodes[nid].name: leaf_grads[nid] for nid in input_ids}

        for nid in order:
            notes = tuple(x for x in (_note("value", values[nid]), _note("gradient", grads[nid]))
                          if x)
            if notes:
                result.flags[nid] = notes
        result.forward_steps = [ForwardStep(nid, values[nid], result.grad_fns[nid])
                                for nid in order if vals[nid] is not None]
        if ran:
            result.backward_steps = _backward_steps(plan, edge_grads, grads)
            problems.extend(_identity_failures(plan, nodes, edge_grads, grads, last.dtype))
        return result


def _backward_steps(plan: Plan, edge_grads: dict[Edge, float | None],
                    grads: dict[int, float | None]) -> list[BackwardStep]:
    """Edge by edge in reverse topological order: a node sends gradient to its inputs only after
    every consumer has sent it its share, so the running sums fill up as the animation plays."""
    arriving: dict[int, int] = {}
    for e, c in edge_grads.items():
        if c is not None:
            arriving[e.src] = arriving.get(e.src, 0) + 1
    received: dict[int, int] = {}
    running: dict[int, float] = {}
    steps = []
    for nid in reversed(plan.order):
        for e in plan.in_edges[nid]:
            if e is None or edge_grads.get(e) is None:
                continue
            c = edge_grads[e]
            running[e.src] = running.get(e.src, 0.0) + c
            received[e.src] = received.get(e.src, 0) + 1
            steps.append(BackwardStep(e, c, running[e.src], grads.get(e.src),
                                      arriving[e.src] > 1, received[e.src] == arriving[e.src]))
    return steps


def _identity_failures(plan: Plan, nodes: Mapping[int, Node], edge_grads: dict[Edge, float | None],
                       grads: dict[int, float | None], dtype: torch.dtype) -> list[str]:
    """Check "a node's gradient is the sum of what flowed along its outgoing edges"."""
    failures = []
    for nid in plan.order:
        g = grads.get(nid)
        if plan.kinds[nid] == "output":
            continue
        parts = [edge_grads[e] for e in plan.out_edges[nid] if edge_grads.get(e) is not None]
        if g is None:
            if parts:
                failures.append(f"internal check: {nodes[nid].label} has no gradient but its "
                                f"edges carried {sum(parts)!r}")
            continue
        if not parts or not _close(g, sum(parts), dtype):
            failures.append(f"internal check: the gradient of {nodes[nid].label} ({g!r}) is not "
                            f"the sum of its edges' contributions ({sum(parts)!r})")
    return failures
