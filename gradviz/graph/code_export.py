"""Writing a graph as a runnable PyTorch script.

The script rebuilds the same computation line by line in topological order, calls ``backward()``
on the output and prints every leaf's ``.grad`` as ``name.grad = <float or None>``. It uses only
what :mod:`gradviz.graph.code_import` reads, so ``Graph.from_code(g.to_code())`` gives the same
computation back. It never writes ``+=``: an in-place update reads as a rebinding in the graph,
but PyTorch treats it differently (it refuses it on a leaf that requires grad).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gradviz.graph.elements import GraphError
from gradviz.graph.plan import structural_problems

if TYPE_CHECKING:
    from gradviz.graph.model import Graph


def _literal(value: float) -> str:
    """A plain number as students write it: ``x ** 2``, ``0.5 * w``, ``(-1.5)``.

    Only plain literals drop the ``.0`` (Python keeps the arithmetic in floats against a float
    tensor); ``torch.tensor(...)`` always gets a float, or it would make an integer tensor.
    """
    v = float(value)
    text = str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return f"({text})" if v < 0 else text


def _variable_names(graph: Graph) -> dict[int, str]:
    """One distinct Python name per non-constant node (and per named constant).

    Leaves keep their names (the printed gradients are keyed by them). Where several nodes share
    a name (``c = c + e`` rebinds ``c``), the latest binding keeps it and the earlier ones get a
    suffix; unnamed intermediates get ``t1``, ``t2``, …
    """
    nodes = graph.nodes
    taken: set[str] = {n.name for n in nodes if n.name}
    names: dict[int, str] = {}
    for n in nodes:
        if n.kind == "input":
            names[n.id] = n.name
    used = set(names.values())
    by_name: dict[str, list[int]] = {}
    for n in nodes:
        if n.kind != "input" and n.name and n.kind != "output":
            by_name.setdefault(n.name, []).append(n.id)

    def fresh(base: str) -> str:
        k = 1
        while f"{base}_{k}" in taken or f"{base}_{k}" in used:
            k += 1
        return f"{base}_{k}"

    for name, ids in by_name.items():
        ids.sort()
        latest = ids[-1]
        for nid in ids:
            if nid == latest and name not in used:
                names[nid] = name
            else:
                names[nid] = fresh(name)
            used.add(names[nid])
    counter = 0
    for n in nodes:
        if n.id in names or n.kind in ("constant", "output"):
            continue
        counter += 1
        while f"t{counter}" in taken or f"t{counter}" in used:
            counter += 1
        names[n.id] = f"t{counter}"
        used.add(names[n.id])
    return names


def graph_to_code(graph: Graph) -> str:
    """The script for ``graph``; raises :class:`GraphError` if the graph cannot run to the end."""
    plan = graph._compiled()
    problems = structural_problems(plan, {n.id: n for n in graph.nodes})
    if problems:
        raise GraphError("the graph cannot be written as code yet: " + "; ".join(problems))
    nodes = {n.id: n for n in graph.nodes}
    names = _variable_names(graph)

    def operand(nid: int, as_tensor: bool = False) -> str:
        node = nodes[nid]
        if node.kind == "constant" and (as_tensor or nid not in names):
            # Literals stay Python numbers, as in hand-written code (x ** 2 → PowBackward0);
            # only where torch needs a tensor does the script wrap one.
            return f"torch.tensor({node.value!r})" if as_tensor else _literal(node.value)
        return names[nid]

    lines = ["import torch", ""]
    if graph.title:
        lines.insert(0, "# " + " ".join(graph.title.split()))
    output_var = None
    for nid in plan.order:
        node = nodes[nid]
        spec = node.spec
        srcs = [s for s in plan.sources[nid] if s is not None]
        if node.kind == "input":
            flag = ", requires_grad=True" if node.requires_grad else ""
            lines.append(f"{names[nid]} = torch.tensor({node.value!r}{flag})")
        elif node.kind == "constant":
            if nid in names:
                lines.append(f"{names[nid]} = {node.value!r}")
        elif node.kind == "output":
            if nodes[srcs[0]].kind == "constant":
                raise GraphError("the output is a plain number: there is nothing to differentiate")
            output_var = names[srcs[0]]
        elif len(srcs) == 2:
            both_constant = all(nodes[s].kind == "constant" for s in srcs)
            a = operand(srcs[0], as_tensor=both_constant)
            lines.append(f"{names[nid]} = {a} {spec.symbol} {operand(srcs[1])}")
        elif node.kind == "neg":
            lines.append(f"{names[nid]} = -{operand(srcs[0], as_tensor=True)}")
        elif node.kind == "detach":
            lines.append(f"{names[nid]} = {operand(srcs[0], as_tensor=True)}.detach()")
        else:
            lines.append(f"{names[nid]} = torch.{spec.method}({operand(srcs[0], as_tensor=True)})")
    lines.append(f"{output_var}.backward()")
    lines.append("")
    for n in graph.nodes:
        if n.kind == "input":
            lines.append(f'print("{n.name}.grad =", None if {n.name}.grad is None '
                         f"else {n.name}.grad.item())")
    return "\n".join(lines) + "\n"
