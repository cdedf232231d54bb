"""Trace a user's real autograd graph: :func:`trace` for any tensor, :func:`trace_module` for a
model's forward pass (with the module that created each operation and the values it produced).

Never imports Qt. The walk is one breadth-first pass over ``grad_fn.next_functions``; shapes and
dtypes come from each node's input metadata (what autograd itself keeps to check the gradients
it receives: the shape and dtype of the tensors the forward operation produced), so tracing reads
no tensor and works on a graph whose saved tensors were already freed.

The pieces, for a viewer built on them (all Qt-free):

=========================  ==================================================================
``trace``, ``trace_module``  make a live :class:`~gradviz.graph.trace_model.TracedGraph`
``TracedGraph``            nodes/edges, ``value(i)``, ``grad(i)``, ``edge_grad(e)`` (each a
                           :class:`~gradviz.graph.trace_values.ValueSummary` or None),
                           ``can_backward()``/``backward_problem()``/``backward()``, ``close()``,
                           ``to_dict``/``from_dict`` (sub-model key ``"traced"``), events
                           ``rebuilt``, ``grads_captured(runs)``, ``closed``
``TraceFolding``           fold/unfold a module, ``fold_to_depth``, ``fold_repeats`` ("×N"),
                           ``search``/``reveal``, ``view()`` → items and counted edges; event
                           ``changed`` (:mod:`gradviz.graph.trace_fold`)
``layered_layout``         positions for ``(n, edges)`` of the graph or of a ``view()``, with
                           progress and cancel; ``gradient_order`` for the animations
                           (:mod:`gradviz.graph.trace_layout`)
=========================  ==================================================================

Threading: ``grads_captured`` is emitted at the end of a backward pass, on the thread that ran
it (a GUI must hand it over to its own thread). Tracing itself reads autograd nodes and must run
while the user's tensors are alive; a worker thread may do it (it holds the GIL throughout).

>>> import torch
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> g = trace((x * x).sum(), params={"x": x})
>>> [(n.op, n.label, n.shape) for n in g.nodes]
[('SumBackward0', 'SumBackward0', ()), ('MulBackward0', 'MulBackward0', (2,)), ('AccumulateGrad', 'x', (2,))]
>>> g.close()
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from gradviz.graph.trace_model import TracedGraph
from gradviz.graph.trace_node import FOLD_WARNING_NODES, TracedNode, TraceError
from gradviz.graph.trace_record import ModuleRecorder, flatten_tensors

#: A graph with more nodes than this is refused (walking it would take too long and the picture
#: would be useless): a clear message instead of a frozen program.
MAX_TRACE_NODES = 2_000_000


#: A chain of autograd nodes deeper than this is refused: once Python has walked a chain of some
#: 40,000 nodes, PyTorch (2.x) overflows the C stack when it frees that chain and the process
#: crashes (torchviz's ``make_dot`` triggers it too). Refusing keeps the user's session alive.
MAX_TRACE_DEPTH = 20_000
_TOO_DEEP = (f"this autograd graph is a chain more than {MAX_TRACE_DEPTH:,} operations deep: "
             f"too deep to trace safely (PyTorch may crash freeing it once walked from Python); "
             f"trace a shorter piece, e.g. a loss over fewer steps")


class TraceWarning(UserWarning):
    """A traced graph is large enough to be shown folded by module."""


def _walk(roots: Sequence[Any]) -> tuple[list, list[tuple[int, int]], list[int], list[int]]:
    """Breadth-first over ``next_functions``: nodes, edges ``(i, j)``, which output of ``j``
    each edge carries, and its position in ``nodes[i].next_functions``."""
    index: dict[Any, int] = {}
    fns: list = []
    for root in roots:
        if root not in index:
            index[root] = len(fns)
            fns.append(root)
    edges: list[tuple[int, int]] = []
    slots: list[int] = []
    positions: list[int] = []
    i, level, level_end = 0, 0, len(fns)
    while i < len(fns):
        if i == level_end:
            level, level_end = level + 1, len(fns)
            if level > MAX_TRACE_DEPTH:
                raise TraceError(_TOO_DEEP)
        for k, (nxt, slot) in enumerate(fns[i].next_functions):
            if nxt is None:
                continue
            j = index.get(nxt)
            if j is None:
                if len(fns) >= MAX_TRACE_NODES:
                    raise TraceError(f"this autograd graph has more than {MAX_TRACE_NODES:,} "
                                     f"nodes: too large to trace")
                j = index[nxt] = len(fns)
                fns.append(nxt)
            edges.append((i, j))
            slots.append(slot)
            positions.append(k)
        i += 1
    return fns, edges, slots, positions


def _outputs(fn: Any) -> tuple:
    """``(shape, dtype)`` of each tensor the forward operation produced, from autograd's input
    metadata (a private attribute: anything missing gives ``None``s, never an error)."""
    try:
        meta = fn._input_metadata
    except (AttributeError, RuntimeError):
        return ()
    out = []
    for m in meta:
        try:
            out.append((tuple(m.shape), m.dtype))
        except (AttributeError, RuntimeError, TypeError):  # nested tensors have no plain shape
            out.append((None, getattr(m, "dtype", None)))
    return tuple(out)


def _nodes(fns: list, names: Mapping[int, str], module_of: Callable[[Any], str] | None
           ) -> list[TracedNode]:
    nodes = []
    for fn in fns:
        op = type(fn).__name__
        outs = _outputs(fn)
        shape, dtype = outs[0] if outs else (None, None)
        if op == "AccumulateGrad":
            name = names.get(id(getattr(fn, "variable", None)), "")
            label, module = name or op, name.rpartition(".")[0]
        else:
            label, module = op, module_of(fn) if module_of else ""
        nodes.append(TracedNode(op, label, shape, dtype, module, outs[1:]))
    return nodes


def parameter_names(module: torch.nn.Module | None = None,
                    params: Mapping[str, torch.Tensor] | None = None) -> dict[int, str]:
    """``id(tensor)`` → name, from ``params`` (as torchviz takes) or else from
    ``module.named_parameters()``."""
    if params is not None:
        if not isinstance(params, Mapping):
            raise TypeError("params must be a dict of name → tensor")
        return {id(t): str(name) for name, t in params.items()}
    if module is not None:
        return {id(t): name for name, t in module.named_parameters()}
    return {}


def build(tensors: Sequence[torch.Tensor], names: Mapping[int, str],
          module_of: Callable[[Any], str] | None = None, values: Mapping | None = None,
          capture_grads: bool = True) -> TracedGraph:
    """Trace ``tensors`` (each has a ``grad_fn``) into one :class:`TracedGraph`."""
    fns, edges, slots, positions = _walk([t.grad_fn for t in tensors])
    nodes = _nodes(fns, names, module_of)
    kept = {}
    if values:
        kept = {i: values[fn] for i, fn in enumerate(fns) if fn in values}
    graph = TracedGraph.live(nodes, edges, slots, positions, fns, list(tensors), kept,
                             capture_grads=capture_grads)
    graph.n_roots = len({id(t.grad_fn) for t in tensors})
    if len(nodes) >= FOLD_WARNING_NODES:
        graph.warning = (f"{len(nodes):,} nodes: shown folded by module; unfold the parts "
                         f"you want to see")
        warnings.warn(graph.warning, TraceWarning, stacklevel=3)
    return graph


def _check(tensor: Any) -> torch.Tensor:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"trace() takes a tensor, not {type(tensor).__name__}")
    if not tensor.requires_grad:
        raise ValueError("this tensor does not require grad, so autograd recorded no graph for "
                         "it: compute it from a tensor created with requires_grad=True, outside "
                         "torch.no_grad()")
    if tensor.grad_fn is None:
        raise ValueError("this tensor is a leaf (made by you, not computed), so it has no graph "
                         "behind it: trace a result computed from it")
    return tensor


def trace(tensor: torch.Tensor, module: torch.nn.Module | None = None,
          params: Mapping[str, torch.Tensor] | None = None, *,
          capture_grads: bool = True) -> TracedGraph:
    """Trace the autograd graph that produced ``tensor``.

    Parameters
    ----------
    tensor : torch.Tensor
        A tensor that requires grad and was computed (has a ``grad_fn``).
    module : torch.nn.Module, optional
        Names the leaves from ``module.named_parameters()`` (and their module from the name).
    params : dict of str to torch.Tensor, optional
        Names the leaves instead (as torchviz's ``make_dot`` takes them).
    capture_grads : bool
        Hook every node so that each later backward pass through the graph is captured
        (see :meth:`TracedGraph.grad`); :meth:`TracedGraph.close` removes the hooks.

    Returns
    -------
    TracedGraph
        ``nodes[0]`` is ``tensor.grad_fn``.

    Raises
    ------
    ValueError
        When ``tensor`` does not require grad, or is a leaf.
    """
    return build([_check(tensor)], parameter_names(module, params), capture_grads=capture_grads)


def trace_module(model: torch.nn.Module, *inputs: Any, capture_grads: bool = True,
                 **kwargs: Any) -> TracedGraph:
    """Run ``model(*inputs, **kwargs)`` and trace every output tensor that requires grad.

    Each operation is tagged with the innermost module whose forward created it
    (``node.module``, a qualified name like ``"layers.3.self_attn"``), parameters are named
    from ``model.named_parameters()``, and the value each operation produced is kept for
    :meth:`TracedGraph.value`. The outputs are ``nodes[:graph.n_roots]``, in the order they
    appear in the (flattened) output.

    Raises
    ------
    ValueError
        When no output tensor requires grad.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"trace_module() takes a torch.nn.Module, not {type(model).__name__}")
    recorder = ModuleRecorder(model)
    with recorder:
        output = model(*inputs, **kwargs)
    tensors = [t for t in flatten_tensors(output) if t.requires_grad and t.grad_fn is not None]
    if not tensors:
        raise ValueError("the model returned no computed tensor that requires grad, so there is "
                         "no autograd graph to trace (is it in torch.no_grad() or frozen?)")
    return build(tensors, parameter_names(model), recorder.module_of, recorder.values,
                 capture_grads)
