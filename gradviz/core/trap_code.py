"""The code a zero_grad-trap press runs, as a student would write it, with the shared network's
numbers: what the panel shows beside the buttons, with the line that matters highlighted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gradviz.core.numbers import fmt

if TYPE_CHECKING:
    from gradviz.core.mininet import MiniNetwork


@dataclass(frozen=True)
class CodeListing:
    """Lines of Python and the indices of the lines that matter for the current mode."""

    lines: tuple[str, ...]
    highlight: tuple[int, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _literal(v: float) -> str:
    """A float literal for code listings (``1.0``, not ``1``: torch.tensor(1) is an integer
    tensor, which cannot require grad)."""
    text = fmt(v)
    return text if any(c in text for c in ".en") else text + ".0"


def trap_code(net: MiniNetwork, mode: str, zero_form: str = "optimizer",
              retain_graph: bool = False) -> CodeListing:
    """The code a press runs in ``mode``, with the numbers of the shared network."""
    head = [
        "import torch",
        "",
        f"x, y = torch.tensor({_literal(net.x)}), torch.tensor({_literal(net.y)})",
        f"w = torch.tensor({_literal(net.w)}, requires_grad=True)",
        f"b = torch.tensor({_literal(net.b)}, requires_grad=True)",
    ]
    if mode == "with" and zero_form == "optimizer":
        head.append("optimizer = torch.optim.SGD([w, b], lr=0.1)")
    lines = list(head)
    hi: list[int] = []
    if mode == "reuse":
        lines.append("loss = (w * x + b - y) ** 2          # forward pass ONCE")
        lines.append("for press in range(presses):")
        hi.append(len(lines))
        if retain_graph:
            lines.append("    loss.backward(retain_graph=True)  # graph kept: .grad piles up")
        else:
            lines.append("    loss.backward()      # 2nd press: RuntimeError, graph was freed")
    else:
        lines.append("for press in range(presses):")
        if mode == "with" and zero_form == "optimizer":
            hi.append(len(lines))
            lines.append("    optimizer.zero_grad()            # .grad becomes None")
        elif mode == "with":
            hi += [len(lines) + 1, len(lines) + 2]
            lines += ["    if w.grad is not None:          # None before the first backward",
                      "        w.grad.zero_()              # in place: .grad becomes 0",
                      "        b.grad.zero_()"]
        lines.append("    loss = (w * x + b - y) ** 2      # forward pass: a new graph")
        if mode == "without":
            hi.append(len(lines))
            lines.append("    loss.backward()                  # ADDS into w.grad: piles up")
        else:
            lines.append("    loss.backward()                  # fills w.grad afresh")
    lines.append("    print(w.grad)")
    return CodeListing(tuple(lines), tuple(hi))


def update_code(lr: float) -> CodeListing:
    """The manual update, always written with ``torch.no_grad()``."""
    lines = (
        "loss = (w * x + b - y) ** 2",
        "loss.backward()",
        "with torch.no_grad():         # an update must not be recorded in the graph",
        f"    w -= {fmt(lr)} * w.grad",
        f"    b -= {fmt(lr)} * b.grad",
    )
    return CodeListing(lines, (2, 3))

