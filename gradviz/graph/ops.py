"""What each node kind is: its typed ports, the torch operation it runs and how it reads as code.

One table (:data:`KINDS`) is the single place that knows the node kinds; the model, the runner,
code import and code export all read it, so a new kind is added here and nowhere else.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

#: The only port type for now: a tensor (0-d scalars in practice). Ports carry a type so that
#: vector-valued kinds can be added later without changing how edges are checked.
TENSOR = "tensor"

#: Name of every node's single output port.
OUT = "out"


@dataclass(frozen=True)
class PortSpec:
    """One input port: its name (``"a"``, ``"b"``, ``"x"``, ``"base"``, …) and its value type."""

    name: str
    type: str = TENSOR


@dataclass(frozen=True)
class KindSpec:
    """Everything about one node kind.

    Parameters
    ----------
    kind
        The kind's name, as stored in saved files (``"mul"``).
    inputs
        The input ports in argument order.
    has_output
        False only for the output marker, which consumes a tensor and produces nothing.
    apply
        The torch operation, called with one operand per input port (a tensor, or a Python float
        for a constant, exactly as user code would pass it).
    title
        Short text for menus and messages ("mul").
    symbol
        The Python operator for binary and unary-minus kinds (``"*"``), else "".
    method
        The torch function / tensor method name for function kinds (``"relu"``), else "".
    """

    kind: str
    inputs: tuple[PortSpec, ...]
    has_output: bool
    apply: Callable[..., Any] | None
    title: str
    symbol: str = ""
    method: str = ""

    @property
    def port_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.inputs)

    def port(self, name: str) -> PortSpec | None:
        for p in self.inputs:
            if p.name == name:
                return p
        return None

    @property
    def output_type(self) -> str | None:
        return TENSOR if self.has_output else None


_BINARY = (PortSpec("a"), PortSpec("b"))
_UNARY = (PortSpec("x"),)


def _binary(kind: str, symbol: str, fn: Callable[[Any, Any], Any]) -> KindSpec:
    return KindSpec(kind, _BINARY, True, fn, kind, symbol=symbol)


def _function(kind: str) -> KindSpec:
    fn = getattr(torch, kind)
    return KindSpec(kind, _UNARY, True, fn, kind, method=kind)


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec("input", (), True, None, "input"),
        KindSpec("constant", (), True, None, "constant"),
        # Python's operators, exactly as the user's code applies them (``2.0 - x`` goes through
        # Tensor.__rsub__ as it would there).
        _binary("add", "+", operator.add),
        _binary("sub", "-", operator.sub),
        _binary("mul", "*", operator.mul),
        _binary("div", "/", operator.truediv),
        # The Python operator, not torch.pow: ``x ** 2`` gives PowBackward0 as in the chapter,
        # ``x ** y`` with a tensor exponent PowBackward1, exactly as the user's code would.
        KindSpec("pow", (PortSpec("base"), PortSpec("exponent")), True, operator.pow,
                 "pow", symbol="**"),
        KindSpec("neg", _UNARY, True, operator.neg, "neg", symbol="-"),
        _function("exp"),
        _function("log"),
        _function("sin"),
        _function("cos"),
        _function("tanh"),
        _function("sigmoid"),
        _function("relu"),
        _function("square"),
        KindSpec("detach", _UNARY, True, torch.Tensor.detach, "detach", method="detach"),
        KindSpec("output", _UNARY, False, None, "output"),
    )
}

#: Binary operator kinds, by Python operator.
BINARY_BY_SYMBOL = {s.symbol: k for k, s in KINDS.items() if len(s.inputs) == 2}
#: Functions offered both as ``torch.f(t)`` and ``t.f()``.
FUNCTION_KINDS = tuple(k for k, s in KINDS.items() if s.method and s.method != "detach")

_ORDINALS = ("first", "second", "third")


def ordinal(index: int) -> str:
    """``0 → "first"``: used in messages such as "mul needs a second input"."""
    return _ORDINALS[index] if index < len(_ORDINALS) else f"#{index + 1}"
