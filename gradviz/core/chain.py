"""The chain-rule explorer's model: a chain of 2 to 4 one-variable links y = f(g(h(x))).

Links are stored in the order they are applied (``links[0]`` acts on x first). Each link is a
safe expression in ``x`` (its own input). :func:`evaluate_chain` computes the forward values,
each link's local derivative with torch on that link alone, the backward product, and autograd's
answer for the whole composition; the hand product and autograd agree (the tests prove it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from gradviz.core.expr import BinOp, Call, Node, Unary, Var, to_source
from gradviz.core.functions1d import check_function, compiled
from gradviz.core.model import Setting, SettingsModel, StateError
from gradviz.core.panel_info import PanelInfo, Presenter

MIN_LINKS = 2
MAX_LINKS = 4


@dataclass(frozen=True)
class LinkPreset:
    label: str
    source: str


LINK_PRESETS: tuple[LinkPreset, ...] = (
    LinkPreset("x²", "x**2"),
    LinkPreset("sin", "sin(x)"),
    LinkPreset("exp", "exp(x)"),
    LinkPreset("3x + 1", "3*x + 1"),
    LinkPreset("tanh", "tanh(x)"),
    LinkPreset("sigmoid", "sigmoid(x)"),
    LinkPreset("ReLU", "relu(x)"),
)


def link_label(source: str) -> str:
    """The preset's short name, or the expression itself for a custom link."""
    key = source.replace(" ", "")
    for p in LINK_PRESETS:
        if p.source.replace(" ", "") == key:
            return p.label
    return source


def _default_links() -> list[str]:
    # x → x² → sin → 3u + 1: at x = 1 the locals are 2, cos 1 ≈ 0.54 and 3.
    return ["x**2", "sin(x)", "3*x + 1"]


#: The x slider's travel: where the preset links show their shapes. The spin box beside it
#: reaches the whole range of the ``x`` setting.
X_SLIDER_RANGE = (-3.0, 3.0)


def _check_links(_label: str, links: Any) -> list[str]:
    return validate_links(links)


class ChainModel(SettingsModel):
    """State of the chain-rule explorer: the links (innermost first) and x.

    ``links`` is replaced as a whole on every edit (never mutated in place) so its event fires.
    Keyword arguments set initial values (validated as any write is).
    """

    key = "chain"
    format_version = 1
    SETTINGS = {
        "links": Setting(check=_check_links, factory=_default_links, label="links",
                         doc="The chain's functions, applied from the first to the last."),
        "x": Setting(1.0, lo=-100.0, hi=100.0, step=0.1, decimals=4, label="x",
                     doc="The input that flows through the chain."),
    }

    def to_dict(self) -> dict[str, Any]:
        return {"links": list(self.links), "x": self.x}

    # Edits return the new list; views push them as commands.
    def with_link_added(self, source: str) -> list[str]:
        return validate_links([*self.links, source])

    def with_link_removed(self, index: int) -> list[str]:
        links = list(self.links)
        del links[index]
        return validate_links(links)

    def with_link_moved(self, index: int, offset: int) -> list[str]:
        links = list(self.links)
        j = index + offset
        if not (0 <= index < len(links) and 0 <= j < len(links)):
            raise ValueError("cannot move the link past the end of the chain")
        links[index], links[j] = links[j], links[index]
        return links

    def with_link_replaced(self, index: int, source: str) -> list[str]:
        links = list(self.links)
        links[index] = source
        return validate_links(links)


def validate_links(links: Any) -> list[str]:
    """A clean list of 2–4 compiling link sources, or :class:`StateError` with the reason."""
    if not isinstance(links, list | tuple):
        raise StateError("chain.links must be a list of expressions")
    if not MIN_LINKS <= len(links) <= MAX_LINKS:
        raise StateError(f"a chain has {MIN_LINKS} to {MAX_LINKS} links, not {len(links)}")
    return [check_function(f"link {i}", src, max_len=200) for i, src in enumerate(links, start=1)]


@dataclass(frozen=True)
class ChainResult:
    """Everything the diagram shows.

    ``values[0]`` is x and ``values[i + 1]`` the output of link i; ``locals_[i]`` is link i's
    derivative at its own input; ``upstream[i]`` is dy/d(input of link i), the product flowing
    left; ``by_hand`` is the product of the locals and ``autograd`` is x.grad after one
    ``backward()`` through the whole composition.
    """

    links: tuple[str, ...]
    values: tuple[float, ...]
    locals_: tuple[float, ...]
    upstream: tuple[float, ...]
    by_hand: float
    autograd: float

    @property
    def y(self) -> float:
        return self.values[-1]

    def agree(self, rel: float = 1e-6) -> bool:
        a, b = self.by_hand, self.autograd
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300) or a == b


def local_derivative(source: str, u: float, dtype: torch.dtype = torch.float64) -> float:
    """One link's derivative at its input ``u``, by torch (so ReLU′(0) = 0, as autograd says)."""
    ut = torch.tensor(u, dtype=dtype, requires_grad=True)
    out = compiled(source)(ut)
    if not out.requires_grad:
        return 0.0
    out.backward()
    return ut.grad.item() if ut.grad is not None else 0.0


def evaluate_chain(links: list[str] | tuple[str, ...], x: float,
                   dtype: torch.dtype = torch.float64) -> ChainResult:
    """Forward values, local derivatives, the backward product and autograd's total."""
    fns = [compiled(s) for s in links]
    # Each link's own derivative at its own input: one leaf per link holding the value that
    # reaches it (so the forward values come out of the same pass), its graph kept separate
    # from the others, all differentiated by a single autograd call.
    leaves = [torch.tensor(float(x), dtype=dtype, requires_grad=True)]
    outs = []
    for fn in fns:
        outs.append(fn(leaves[-1]))
        leaves.append(outs[-1].detach().requires_grad_(True))
    values = [leaf.item() for leaf in leaves]
    leaves.pop()
    live = [(i, o) for i, o in enumerate(outs) if o.requires_grad]
    locals_ = [0.0] * len(links)  # a link that ignores its input has derivative 0
    if live:
        grads = torch.autograd.grad([o for _, o in live], [leaves[i] for i, _ in live],
                                    allow_unused=True, materialize_grads=True)
        for (i, _), g in zip(live, grads, strict=True):
            locals_[i] = g.item()
    # The backward pass multiplies from the output inwards, as autograd does.
    upstream = [0.0] * len(links)
    g = 1.0
    for i in range(len(links) - 1, -1, -1):
        g = g * locals_[i]
        upstream[i] = g
    by_hand = g
    xt = torch.tensor(x, dtype=dtype, requires_grad=True)
    out = xt
    for fn in fns:
        out = fn(out)
    if out.requires_grad:
        out.backward()
        auto = xt.grad.item() if xt.grad is not None else 0.0
    else:
        auto = 0.0
    return ChainResult(tuple(links), tuple(values), tuple(locals_), tuple(upstream), by_hand, auto)


def composed_text(links: list[str] | tuple[str, ...]) -> str:
    """The composition as one expression in x, e.g. ``3*sin(x**2) + 1``."""
    tree = compiled("x").tree
    for src in links:
        tree = _substitute(compiled(src).tree, tree)
    return to_source(tree)


def composed_torch_code(links: list[str] | tuple[str, ...]) -> str:
    tree = compiled("x").tree
    for src in links:
        tree = _substitute(compiled(src).tree, tree)
    return to_source(tree, "torch.")


def _substitute(node: Node, inner: Node) -> Node:
    """``node`` with every ``x`` replaced by the tree ``inner``."""
    if isinstance(node, Var):
        return inner
    if isinstance(node, Unary):
        return Unary(node.op, _substitute(node.operand, inner))
    if isinstance(node, Call):
        return Call(node.func, _substitute(node.arg, inner))
    if isinstance(node, BinOp):
        return BinOp(node.op, _substitute(node.left, inner), _substitute(node.right, inner))
    return node


PANEL = PanelInfo("chain", "Chain rule", "chain:QtChainPanel", order=12,
                  models=lambda model: [ChainModel()],
                  presenter=Presenter(show=("diagram", "x"), fold=("links", "code")))
