"""``detach()`` made visible on the chapter's two-path graph ``z = a + b`` with ``a = x * y`` and
``b = x ** 2`` (x = 2, y = 3: dz/dx = 3 + 4 = 7).

Detaching one path cuts it out of the graph: no gradient flows back through it, so x receives only
the other path's share, and a leaf reached *only* through the cut path (y, when ``a`` is detached)
never gets a gradient at all — its ``.grad`` stays None, not 0.

Everything is read off real tensors: values, ``grad_fn`` names, each leaf's ``.grad`` after one
``backward()``, and the gradient that flowed along every edge (tensor hooks on per-edge aliases,
the way PyTorch hands out an intermediate's gradient).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

#: The edges (source → consumer) of the demo graph.
EDGES = (("x", "a"), ("y", "a"), ("x", "b"), ("a", "z"), ("b", "z"))
#: Which path each choice detaches.
CHOICES = ("none", "a", "b")
TITLES = {"none": "nothing detached", "a": "detach a = x * y", "b": "detach b = x ** 2"}
NOTES = {
    "a": ("a was detached, so nothing flows back through x·y: x gets only b's share (2x = 4), "
          "and y — reachable only through a — keeps .grad = None. None, not 0: PyTorch never "
          "visited it."),
    "b": ("b was detached: x gets only a's share (y = 3); y still gets x = 2 through a. "
          "b's value (4) still counts in z; only its gradient path is gone."),
    "none": "Both paths carry gradient: x.grad = 3 (through a) + 4 (through b) = 7.",
}


@dataclass(frozen=True)
class DetachResult:
    """One forward and backward pass of the demo graph.

    Attributes
    ----------
    detached
        "none", "a" or "b": the node whose value was ``.detach()``-ed before it reached z.
    values
        Node → value.
    grad_fns
        Node → ``grad_fn`` class name as PyTorch reports it (None for leaves and detached nodes).
    grads
        Leaf (x, y) → ``.grad`` after ``z.backward()``; None where no gradient arrived.
    edge_flow
        Edge → gradient that flowed back along it; None where the flow stopped.
    cut_edge
        The edge where ``detach()`` stops the flow (None when nothing is detached).
    """

    detached: str
    values: dict[str, float]
    grad_fns: dict[str, str | None]
    grads: dict[str, float | None]
    edge_flow: dict[tuple[str, str], float | None]
    cut_edge: tuple[str, str] | None

    def code(self) -> tuple[str, ...]:
        a = "a = (x * y).detach()   # cut: no gradient flows back into x*y" \
            if self.detached == "a" else "a = x * y"
        b = "b = (x ** 2).detach()  # cut: no gradient flows back into x**2" \
            if self.detached == "b" else "b = x ** 2"
        return (
            f"x = torch.tensor({self.values['x']!r}, requires_grad=True)",
            f"y = torch.tensor({self.values['y']!r}, requires_grad=True)",
            a,
            b,
            "z = a + b",
            "z.backward()",
            "print(x.grad, y.grad)",
        )

    @property
    def note(self) -> str:
        """What the cut did, in words."""
        return NOTES[self.detached]


def run_detach_demo(detach: str = "a", x: float = 2.0, y: float = 3.0) -> DetachResult:
    """Build the graph with ``detach`` applied, call ``z.backward()`` and read everything back."""
    if detach not in CHOICES:
        raise ValueError(f"detach must be one of {CHOICES}, got {detach!r}")
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.tensor(y, requires_grad=True)
    flow: dict[tuple[str, str], float | None] = dict.fromkeys(EDGES)

    def watch(t: torch.Tensor, edge: tuple[str, str]) -> torch.Tensor:
        """An alias of ``t`` for one edge; its hook records what flowed along that edge."""
        alias = t.view_as(t)
        if alias.requires_grad:
            alias.register_hook(lambda g, e=edge: flow.__setitem__(e, float(g.item())))
        return alias

    a = watch(xt, ("x", "a")) * watch(yt, ("y", "a"))
    b = watch(xt, ("x", "b")) ** 2
    if detach == "a":
        a = a.detach()
    elif detach == "b":
        b = b.detach()
    z = watch(a, ("a", "z")) + watch(b, ("b", "z"))
    tensors = {"x": xt, "y": yt, "a": a, "b": b, "z": z}
    grad_fns = {n: (type(t.grad_fn).__name__ if t.grad_fn is not None else None)
                for n, t in tensors.items()}
    z.backward()
    return DetachResult(
        detached=detach,
        values={n: float(t.item()) for n, t in tensors.items()},
        grad_fns=grad_fns,
        grads={n: (None if t.grad is None else float(t.grad.item()))
               for n, t in (("x", xt), ("y", yt))},
        edge_flow=flow,
        cut_edge=None if detach == "none" else (detach, "z"),
    )
