"""The computational-graph model: a 1,000-node run against plain torch, code import, layout.

* "graph run, 1,000 nodes": ``Graph.run()`` — forward, one backward, per-node and per-edge
  gradients, the identity check and both animation schedules — against the same operations
  written as plain torch calls (forward + ``backward()``) in the same process.
* "code import, 1,000 lines": ``Graph.from_code`` of a 1,000-line snippet, without the layout.
* "layout, 1,000 nodes": the automatic layered layout of that graph, on its own.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import torch
from table import Row, interleaved, median_time

from gradviz.graph import Graph

N_LEAVES = 10
#: Ops that keep values bounded, so the long random program stays finite.
_BINARY = {"+": torch.add, "-": torch.sub, "*": torch.mul}
_UNARY = ("tanh", "sin", "sigmoid")


def program(n_nodes: int = 1000, seed: int = 0) -> tuple[str, list[tuple]]:
    """A snippet with ``n_nodes`` graph nodes (leaves, one node per line, the output), and the
    same computation as a list of plain torch steps ``(fn, input indices)``.

    Operands are drawn mostly from the last few lines, as in real code, with some fan-out.
    """
    rnd = random.Random(seed)
    lines = [f"p{i} = torch.tensor({0.1 * (i + 1)!r}, requires_grad=True)" for i in range(N_LEAVES)]
    steps: list[tuple] = []
    names = [f"p{i}" for i in range(N_LEAVES)]
    approx = [0.1 * (i + 1) for i in range(N_LEAVES)]  # to keep every value small and finite
    for i in range(n_nodes - N_LEAVES - 1):
        recent = range(max(0, len(names) - 8), len(names))
        a = rnd.choice(recent)
        if rnd.random() < 0.3 or abs(approx[a]) > 2:
            fn = "tanh" if abs(approx[a]) > 2 else rnd.choice(_UNARY)
            lines.append(f"v{i} = torch.{fn}({names[a]})")
            steps.append((getattr(torch, fn), (a,)))
            approx.append(getattr(torch, fn)(torch.tensor(approx[a])).item())
        else:
            b = rnd.choice(recent) if rnd.random() < 0.8 else rnd.randrange(len(names))
            op = rnd.choice(list(_BINARY))
            lines.append(f"v{i} = {names[a]} {op} {names[b]}")
            steps.append((_BINARY[op], (a, b)))
            approx.append(_BINARY[op](torch.tensor(approx[a]), torch.tensor(approx[b])).item())
        names.append(f"v{i}")
    lines.append(f"{names[-1]}.backward()")
    return "\n".join(lines) + "\n", steps


def plain_torch(steps: list[tuple]) -> list[float | None]:
    """The baseline: the same operations as direct torch calls, then ``backward()``."""
    vals = [torch.tensor(0.1 * (i + 1), requires_grad=True) for i in range(N_LEAVES)]
    for fn, args in steps:
        vals.append(fn(*[vals[i] for i in args]))
    vals[-1].backward()
    return [None if t.grad is None else t.grad.item() for t in vals[:N_LEAVES]]


def median_cpu_time(fn: Callable[[], object], repeat: int) -> float:
    """Median CPU time of ``fn()`` in ms: what it costs, whatever else the machine runs."""
    fn()
    times = []
    for _ in range(repeat):
        c0 = time.process_time()
        fn()
        times.append((time.process_time() - c0) * 1000)
    return statistics.median(times)


def rows() -> list[Row]:
    source, steps = program()
    graph = Graph.from_code(source, layout=False)
    assert len(graph) == 1000, len(graph)
    run = graph.run()
    assert run.problems == [], run.problems[:3]
    expected = plain_torch(steps)
    assert any(v is not None for v in expected)
    for i, want in enumerate(expected):  # the same computation, or the comparison means nothing
        got = run.grads[f"p{i}"]
        assert (got is None) == (want is None) and (
            got is None or abs(got - want) <= 1e-4 * max(1.0, abs(want))), (i, got, want)

    ours, baseline, cpu_ratio = interleaved(graph.run, lambda: plain_torch(steps), repeat=40)
    lines = source.count("\n")
    import_ms = median_time(lambda: Graph.from_code(source, layout=False), repeat=10)
    layout_ms = median_time(graph.layout_positions, repeat=10)
    layout_cpu = median_cpu_time(graph.layout_positions, repeat=10)
    total_ms = median_time(lambda: Graph.from_code(source), repeat=5)
    return [
        Row("graph run, 1,000 nodes", ours, "ms", baseline=baseline, goal=5, goal_on="ratio",
            note=f"{len(graph.edges)} edges, baseline = the same ops as plain torch; "
                 f"CPU-time ratio {cpu_ratio:.2f}"),
        Row(f"code import, {lines:,} lines", import_ms, "ms", goal=200,
            note=f"with layout {total_ms:.0f} ms"),
        Row("layout, 1,000 nodes", layout_ms, "ms", goal=200,
            note=f"CPU time {layout_cpu:.0f} ms"),
    ]
