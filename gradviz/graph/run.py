"""Running a graph with real PyTorch: forward, one backward, and everything the canvas animates.

The forward pass builds real tensors node by node; the backward pass is one call of
``Tensor.backward()`` on the output. Nothing here differentiates by hand:

* an intermediate's gradient for this run is kept by ``Tensor.retain_grad()`` (PyTorch's own way to
  keep it; a C++ hook, much cheaper than a Python ``register_hook`` on every node), a leaf's by a
  tensor hook (``.grad`` accumulates over runs, the hook sees this run's share alone);
* an edge's contribution (upstream gradient × local derivative, the gradient that flowed along
  that one connection) is read the same way. Where a node feeds several consumers, each consumer
  gets its own alias of the tensor (``t.view_as(t)``, which saves no tensors and so does not change
  when PyTorch frees the graph), and the alias's gradient is exactly its edge's share. Where a
  node feeds one consumer, that edge carries the node's whole gradient;
* the leaves are persistent tensors owned by :class:`Runner`, so their ``.grad`` accumulates across
  runs exactly as a model parameter's does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from gradviz.graph.elements import Edge, GraphError, Node
from gradviz.graph.plan import (
    DTYPES,
    BackwardStep,
    ForwardStep,
    Plan,
    RunResult,
    build_plan,
    forward,
    structural_problems,
    topological_order,
)

# Names other modules import from here, kept while they move over to gradviz.graph.plan.
__all__ = ["DTYPES", "BackwardStep", "ForwardStep", "Plan", "RunResult", "Runner", "build_plan",
           "forward", "structural_problems", "topological_order"]

def _floats(items: list[Any]) -> list[Any]:
    """Tensors (or floats, or None) → Python numbers, with one stack for the common 0-d case."""
    tensors = [t for t in items if t.__class__ is not float and t is not None]
    if tensors:
        try:
            with torch.no_grad():  # stacking values that require grad must not record a graph
                flat = iter(torch.stack(tensors).tolist())
        except RuntimeError:  # shapes differ (vectors next to scalars): one at a time
            flat = iter([t.detach().tolist() for t in tensors])
        return [t if t.__class__ is float or t is None else next(flat) for t in items]
    return list(items)


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
    capture: list[tuple[Any, torch.Tensor]]
    leaf_sink: dict[int, torch.Tensor]
    root: torch.Tensor | None
    dtype: torch.dtype
    problems: list[str]
    backward_calls: int = 0


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
        leaf_sink: dict[int, torch.Tensor] = {}
        for nid, t in leaves.items():
            if zero_grad:
                t.grad = None
            if t.requires_grad:
                # .grad accumulates over runs; the hook sees this run's share alone. Leaves
                # outlive this forward, so the hook is removed before the next one.
                self._handles.append(t.register_hook(_Store(leaf_sink, nid)))
        problems = structural_problems(plan, nodes)
        capture: list[tuple[Any, torch.Tensor]] = []
        vals = forward(plan, nodes, leaves, self.dtype, capture)
        root = None
        if len(plan.outputs) == 1:
            root = vals[plan.outputs[0]]
            if root is None and not any("the output has no input" in p for p in problems):
                problems.append("backward() was not called: the output could not be computed")
        self.last = LastForward(plan, dict(nodes), vals, capture, leaf_sink, root, self.dtype,
                                problems)
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
        last.leaf_sink.clear()
        if last.backward_calls:
            # Retained grads of intermediates accumulate like leaves' would; each backward
            # reports its own gradients.
            for _, t in last.capture:
                t.grad = None
        ran = False
        if last.root is not None:
            last.backward_calls += 1
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
        plan, nodes, vals = last.plan, last.nodes, last.vals
        order, kinds = plan.order, plan.kinds
        output = plan.outputs[0] if len(plan.outputs) == 1 else None
        result = RunResult(dtype=str(last.dtype).removeprefix("torch."), output=output,
                           problems=problems, backward_ran=ran)
        input_ids = [nid for nid in order if kinds[nid] == "input"]
        values, grads, alias_grads, leaf_grads, seed_value = self._numbers(last, input_ids, ran)
        if output is not None and ran:
            grads[output] = seed_value
        edge_grads = _edge_contributions(plan, grads, alias_grads,
                                         seed_value if ran else None, output)
        result.node_values = values
        result.node_grads = grads
        result.edge_grads = edge_grads
        result.leaf_grads = leaf_grads
        grad_fns = {nid: _grad_fn_name(vals[nid]) for nid in order}
        result.grad_fns = grad_fns
        result.values = {name: values[nid] for name, nid in plan.latest.items()}
        result.grads = {nodes[nid].name: leaf_grads[nid] for nid in input_ids}
        result.flags = _non_finite_flags(order, values, grads)
        result.forward_steps = [ForwardStep(nid, values[nid], grad_fns[nid])
                                for nid in order if vals[nid] is not None]
        if ran:
            result.backward_steps = _backward_steps(plan, edge_grads, grads)
            problems.extend(_identity_failures(plan, nodes, edge_grads, grads, last.dtype))
        return result

    def _numbers(self, last: LastForward, input_ids: list[int], ran: bool) -> tuple:
        """Every number of one run as Python floats, converted in one batch: node values, node
        gradients, the edge aliases' gradients, each leaf's ``.grad`` and the backward seed."""
        order = last.plan.order
        root = last.root if ran else None
        captured = [(key, t.grad if ran else None) for key, t in last.capture]
        leaf_ids = list(last.leaf_sink)
        batch = ([last.vals[nid] for nid in order] + [g for _, g in captured]
                 + [last.leaf_sink[nid] for nid in leaf_ids]
                 + [self.leaves[nid].grad for nid in input_ids]
                 + [None if root is None else torch.ones_like(root)])
        numbers = _floats(batch)
        n, c, k = len(order), len(captured), len(leaf_ids)
        values = dict(zip(order, numbers[:n], strict=True))
        grads: dict[int, float | None] = dict.fromkeys(order)
        alias_grads: dict[Edge, float | None] = {}
        for (key, _), g in zip(captured, numbers[n:n + c], strict=True):
            if isinstance(key, int):
                grads[key] = g
            else:
                alias_grads[key] = g
        grads.update(zip(leaf_ids, numbers[n + c:n + c + k], strict=True))
        leaf_grads = dict(zip(input_ids, numbers[n + c + k:-1], strict=True))
        return values, grads, alias_grads, leaf_grads, numbers[-1]


def _edge_contributions(plan: Plan, grads: dict[int, float | None],
                        alias_grads: dict[Edge, float | None], seed: float | None,
                        output: int | None) -> dict[Edge, float | None]:
    """The gradient that flowed along each edge (``seed`` is None when backward did not run)."""
    edge_grads: dict[Edge, float | None] = {}
    for nid in plan.order:
        is_output = plan.kinds[nid] == "output"
        for e in plan.in_edges[nid]:
            if e is None:
                continue
            if is_output:
                contribution = seed if nid == output else None
            elif e in alias_grads:
                contribution = alias_grads[e]
            elif grads[nid] is not None:
                # The source's only consumer: the whole gradient of the source came this way.
                contribution = grads[e.src]
            else:
                contribution = None
            edge_grads[e] = contribution
    return edge_grads


def _non_finite_flags(order: list[int], values: dict[int, Any],
                      grads: dict[int, Any]) -> dict[int, tuple[str, ...]]:
    flags = {}
    for nid in order:
        v, g = values[nid], grads[nid]
        if (v.__class__ is float and not math.isfinite(v)) \
                or (g.__class__ is float and not math.isfinite(g)):
            flags[nid] = tuple(x for x in (_note("value", v), _note("gradient", g)) if x)
    return flags


class _Store:
    """A leaf hook that files the leaf's gradient for this backward under its node id."""

    __slots__ = ("sink", "key")

    def __init__(self, sink: dict[int, torch.Tensor], key: int) -> None:
        self.sink, self.key = sink, key

    def __call__(self, grad: torch.Tensor) -> None:
        self.sink[self.key] = grad


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
        if plan.fan_out[nid] <= 1 and len(plan.out_edges[nid]) <= 1:
            # One outgoing edge carries the node's gradient by construction: nothing to check.
            continue
        g = grads.get(nid)
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
