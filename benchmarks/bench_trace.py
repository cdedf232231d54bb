"""Tracing a real model's autograd graph: trace vs torchviz, layout, fold/unfold.

The graph: ``nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), 54,
enable_nested_tensor=False)`` in train mode on a (5, 2, 32) input, loss = ``out.sum()`` (about
3,900 autograd nodes).

* "trace, encoder": ``trace(loss, params=…)`` (with its gradient hooks, then ``close()``) against
  ``make_dot(loss, params=…).source`` for the same tensor, measured alternately in one process.
* "layout, encoder": :func:`gradviz.graph.trace_layout.layered_layout` of that graph; the note
  gives networkx's layered placement (``topological_generations`` + ``multipartite_layout``, no
  crossing reduction) for comparison.
* "fold/unfold, encoder": folding one layer or the ×N repeat and computing the view to draw, on
  the graph from ``trace_module`` (which knows every op's module); the slowest of the steps.
* "trace_module, encoder": the forward pass under hooks plus the trace, against the plain
  forward pass (no goal; what keeping every value costs).
* "backward with capture": ``backward()`` through a traced graph (one hook per node) against the
  same backward without hooks (no goal; what gradient capture costs the user's own backward).
"""

from __future__ import annotations

import statistics
import time

import torch
from bench_graph import interleaved, median_cpu_time
from table import Row, median_time
from torch import nn

from gradviz.graph.trace import trace, trace_module
from gradviz.graph.trace_fold import TraceFolding
from gradviz.graph.trace_layout import layered_layout


def encoder() -> tuple[nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), 54,
                                  enable_nested_tensor=False)
    model.train()
    return model, torch.randn(5, 2, 32)


def _walk(root: object) -> int:
    """The floor: a bare breadth-first walk over ``next_functions``."""
    seen = {root}
    order = [root]
    for fn in order:
        for nxt, _ in fn.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
    return len(order)


def _trace_row(model: nn.Module, loss: torch.Tensor) -> Row:
    params = dict(model.named_parameters())
    graph = trace(loss, params=params)
    n = len(graph)
    graph.close()
    walk_ms = median_time(lambda: _walk(loss.grad_fn), repeat=20)
    try:
        from torchviz import make_dot
    except ImportError:
        return Row("trace, encoder", None, "ms", note="torchviz not installed (test extra)")
    ours, theirs, cpu_ratio = interleaved(lambda: trace(loss, params=params).close(),
                                          lambda: make_dot(loss, params=params).source, 15)
    return Row(f"trace, encoder ({n:,} nodes)", ours, "ms", baseline=theirs, goal=1.0,
               goal_on="ratio", note=f"baseline = torchviz make_dot(...).source; CPU-time ratio "
                                     f"{cpu_ratio:.2f}; bare next_functions walk {walk_ms:.1f} ms")


def _networkx_ms(n: int, edges: list[tuple[int, int]]) -> float | None:
    try:
        import networkx as nx
    except ImportError:
        return None

    def place() -> object:
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        g.add_edges_from(edges)
        for k, generation in enumerate(nx.topological_generations(g)):
            for v in generation:
                g.nodes[v]["layer"] = k
        return nx.multipartite_layout(g, subset_key="layer")
    return median_time(place, repeat=5, warmup=1)


def _layout_row(loss: torch.Tensor) -> Row:
    graph = trace(loss, capture_grads=False)
    n, edges = len(graph), list(graph.edges)
    graph.close()
    ms = median_time(lambda: layered_layout(n, edges), repeat=7, warmup=1)
    cpu = median_cpu_time(lambda: layered_layout(n, edges), repeat=5)
    nx_ms = _networkx_ms(n, edges)
    nx_note = "" if nx_ms is None else f"; networkx layers without crossing reduction {nx_ms:.0f} ms"
    return Row(f"layout, encoder ({n:,} nodes)", ms, "ms", goal=1000,
               note=f"CPU time {cpu:.0f} ms{nx_note}")


def _fold_rows(model: nn.Module, x: torch.Tensor) -> list[Row]:
    forward_ms = median_time(lambda: model(x), repeat=5, warmup=1)
    module_ms = median_time(lambda: trace_module(model, x).close(), repeat=5, warmup=1)
    graph = trace_module(model, x, capture_grads=False)
    fold = TraceFolding(graph)
    _ = fold.repeats  # found once per graph, on first use

    def toggle(step: object) -> float:
        t0 = time.perf_counter()
        step()
        fold.view()
        return (time.perf_counter() - t0) * 1000

    steps = {"fold layers.7": lambda: fold.fold("layers.7"),
             "unfold layers.7": lambda: fold.unfold("layers.7"),
             "fold ×N": fold.fold_repeats, "unfold all": fold.unfold_all,
             "depth 2": lambda: fold.fold_to_depth(2)}
    times = {name: statistics.median(toggle(step) for _ in range(9))
             for name, step in steps.items()}
    worst = max(times, key=times.__getitem__)
    repeat = ", ".join(f"{r.name} {r.badge}" for r in fold.repeats)
    graph.close()
    return [
        Row("fold/unfold, encoder", times[worst], "ms", goal=100,
            note=f"slowest step: {worst}; repeats found: {repeat}"),
        Row("trace_module, encoder", module_ms, "ms", baseline=forward_ms,
            note="baseline = the plain forward pass; keeps every value and module"),
    ]


def _backward_row(model: nn.Module, x: torch.Tensor) -> Row:
    """What gradient capture adds to the user's own ``backward()``."""
    loss = model(x).sum()
    plain = model(x).sum()
    graph = trace(loss, module=model)
    ours, base, cpu_ratio = interleaved(lambda: loss.backward(retain_graph=True),
                                        lambda: plain.backward(retain_graph=True), 7)
    n = len(graph)
    graph.close()
    return Row(f"backward with capture, encoder ({n:,} nodes)", ours, "ms", baseline=base,
               note=f"baseline = the same backward without hooks; CPU-time ratio {cpu_ratio:.2f}")


def rows() -> list[Row]:
    model, x = encoder()
    for _ in range(2):  # first calls pay one-off costs (allocator, kernels): not ours to count
        model(x).sum().backward()
    loss = model(x).sum()
    return [_trace_row(model, loss), _layout_row(loss), *_fold_rows(model, x),
            _backward_row(model, x)]


if __name__ == "__main__":
    from table import as_text

    print(as_text(rows()))
