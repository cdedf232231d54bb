"""Safe math expressions typed by users, compiled to torch callables.

``compile_expression("0.5*(x-3)**2")`` parses the text with :mod:`ast`, keeps only a whitelist
(numbers, the declared variables, ``+ - * / **``, unary ``-``/``+``, calls of a fixed function
set, the constants ``pi`` and ``e``) and turns it into a small immutable tree that is evaluated
with torch operations. Nothing is ever passed to ``eval``/``exec``. Every literal becomes a float
tensor, so ``9**9**9**9`` is ``inf`` at once instead of a hang in Python integers.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

#: The four operators both tree walkers (torch here, sympy in ``_symbolic``) apply as Python does;
#: ``**`` is each walker's own (torch.pow, and floats for numbers in sympy).
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}

MAX_LENGTH = 500
MAX_DEPTH = 60


class ExpressionError(ValueError):
    """A user expression that cannot be compiled; ``column`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, column: int = 0) -> None:
        self.message = message
        self.column = column
        super().__init__(f"column {column}: {message}" if column else message)


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Const:
    """A named constant (``pi`` or ``e``)."""

    name: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / **
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    func: str
    arg: Node


Node = Num | Var | Const | Unary | BinOp | Call

CONSTANTS = {"pi": math.pi, "e": math.e}


def _softplus(t: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.softplus(t)


#: The functions a user may call, each applied elementwise by torch.
FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "softplus": _softplus,
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
    "log1p": torch.log1p,
    "square": torch.square,
}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_HINTS = {
    ast.BitXor: "'^' is not a power in Python: write x**2",
    ast.FloorDiv: "'//' (floor division) is not supported: use '/'",
    ast.Mod: "'%' is not supported",
    ast.MatMult: "'@' is not supported",
    ast.BitAnd: "'&' is not supported",
    ast.BitOr: "'|' is not supported",
    ast.LShift: "'<<' is not supported",
    ast.RShift: "'>>' is not supported",
}


def _col(node: ast.AST) -> int:
    return getattr(node, "col_offset", -1) + 1


class _Builder:
    def __init__(self, variables: Sequence[str]) -> None:
        self.variables = tuple(variables)

    def _names_hint(self) -> str:
        if len(self.variables) == 1:
            return f"this function takes {self.variables[0]}"
        return "this function takes " + ", ".join(self.variables[:-1]) + f" and {self.variables[-1]}"

    def build(self, node: ast.AST, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                                  _col(node))
        handler = self._HANDLERS.get(type(node))
        if handler is None:
            raise ExpressionError(_REFUSED.get(type(node), f"{type(node).__name__} is not allowed"),
                                  _col(node))
        return handler(self, node, depth + 1)

    def _constant(self, node: ast.Constant, _d: int) -> Node:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = {str: "text", bytes: "bytes", complex: "a complex number"}.get(
                type(value), repr(value))
            raise ExpressionError(f"{kind} is not allowed here: only numbers", _col(node))
        # Ints become floats here: no arbitrary-precision integer arithmetic ever runs.
        try:
            return Num(float(value))
        except OverflowError:
            return Num(math.inf)

    def _name(self, node: ast.Name, _d: int) -> Node:
        if node.id in self.variables:
            return Var(node.id)
        if node.id in CONSTANTS:
            return Const(node.id)
        if node.id in FUNCTIONS:
            raise ExpressionError(f"'{node.id}' is a function: call it like {node.id}(x)",
                                  _col(node))
        raise ExpressionError(f"unknown name '{node.id}': {self._names_hint()}", _col(node))

    def _binop(self, node: ast.BinOp, d: int) -> Node:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise ExpressionError(_HINTS.get(type(node.op), "this operator is not supported"),
                                  _col(node))
        return BinOp(op, self.build(node.left, d), self.build(node.right, d))

    def _unary(self, node: ast.UnaryOp, d: int) -> Node:
        if isinstance(node.op, ast.USub):
            return Unary("-", self.build(node.operand, d))
        if isinstance(node.op, ast.UAdd):
            return Unary("+", self.build(node.operand, d))
        raise ExpressionError("only '-' and '+' may stand before a value", _col(node))

    def _call(self, node: ast.Call, d: int) -> Node:
        func = node.func
        if not isinstance(func, ast.Name):
            raise ExpressionError("only the listed functions may be called, e.g. sin(x)",
                                  _col(node))
        if func.id not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function '{func.id}': use one of {', '.join(sorted(FUNCTIONS))}",
                _col(func))
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ExpressionError(f"{func.id}() takes exactly one argument", _col(node))
        return Call(func.id, self.build(node.args[0], d))

    _HANDLERS = {ast.Constant: _constant, ast.Name: _name, ast.BinOp: _binop,
                 ast.UnaryOp: _unary, ast.Call: _call}


#: Why each other kind of Python syntax is refused, in the user's terms.
_REFUSED = {
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "indexing (a[b]) is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and'/'or' are not allowed",
    ast.IfExp: "'if ... else' is not allowed",
    ast.Tuple: "a comma makes a tuple: write one expression",
    ast.List: "lists are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "text is not allowed here: only numbers",
    ast.NamedExpr: "':=' is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
}


def parse_expression(source: str, variables: Sequence[str] = ("x",)) -> Node:
    """Parse ``source`` into the safe tree, or raise :class:`ExpressionError`."""
    if not isinstance(source, str):
        raise ExpressionError("the expression must be text")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long ({len(source)} characters; "
                              f"at most {MAX_LENGTH})")
    text = source.strip()
    if not text:
        raise ExpressionError("type an expression, for example x**2")
    if "\n" in text or "\r" in text:
        raise ExpressionError("write the expression on one line")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = (exc.offset or 0) + (len(source) - len(source.lstrip()))
        msg = exc.msg or "invalid syntax"
        if "invalid syntax" in msg or "invalid decimal literal" in msg:
            msg = "this is not a valid expression (a missing '*' between a number and a name?)"
        raise ExpressionError(msg, col) from None
    except (RecursionError, MemoryError, ValueError):
        # ast.parse itself overflows on a few thousand nested brackets or operators.
        raise ExpressionError("the expression is nested too deeply") from None
    try:
        return _Builder(variables).build(tree.body)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None


# --------------------------------------------------------------------------- evaluation


def evaluate(node: Node, env: dict[str, torch.Tensor], dtype: torch.dtype) -> torch.Tensor:
    """Evaluate the tree with torch operations (differentiable, vectorized)."""
    if isinstance(node, Num):
        return torch.tensor(node.value, dtype=dtype)
    if isinstance(node, Const):
        return torch.tensor(CONSTANTS[node.name], dtype=dtype)
    if isinstance(node, Var):
        return env[node.name]
    if isinstance(node, Unary):
        inner = evaluate(node.operand, env, dtype)
        return -inner if node.op == "-" else inner
    if isinstance(node, Call):
        return FUNCTIONS[node.func](evaluate(node.arg, env, dtype))
    left = evaluate(node.left, env, dtype)
    right = evaluate(node.right, env, dtype)
    if node.op in ARITHMETIC:
        return ARITHMETIC[node.op](left, right)
    return torch.pow(left, right)


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "u": 3, "**": 4}


def to_source(node: Node, torch_prefix: str = "", parent: int = 0, right_of_pow: bool = False) -> str:
    """Write the tree back as Python text; with ``torch_prefix="torch."`` it is runnable torch code
    (constants become ``math.pi``/``math.e``)."""
    if isinstance(node, Num):
        v = node.value
        text = repr(v) if math.isfinite(v) else ("float('inf')" if v > 0 else "float('-inf')")
        if text.endswith(".0"):
            text = text[:-2]
        return text
    if isinstance(node, Const):
        return f"math.{node.name}" if torch_prefix else node.name
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Call):
        name = node.func
        if torch_prefix:
            name = {"softplus": "nn.functional.softplus"}.get(name, name)
        return f"{torch_prefix}{name}({to_source(node.arg, torch_prefix)})"
    if isinstance(node, Unary):
        inner = to_source(node.operand, torch_prefix, _PRECEDENCE["u"])
        text = f"{node.op}{inner}"
        return f"({text})" if parent > _PRECEDENCE["u"] or right_of_pow else text
    prec = _PRECEDENCE[node.op]
    if node.op == "**":
        # ** binds right to left and tighter than a unary minus on its left.
        left = to_source(node.left, torch_prefix, prec + 1)
        right = to_source(node.right, torch_prefix, prec, right_of_pow=False)
    else:
        left = to_source(node.left, torch_prefix, prec)
        right = to_source(node.right, torch_prefix, prec + 1)
    text = f"{left} {node.op} {right}" if node.op != "**" else f"{left}**{right}"
    return f"({text})" if prec < parent else text


class CompiledExpression:
    """A user expression compiled to a callable of torch tensors.

    Call it with one tensor per declared variable, positionally; the result has the broadcast
    shape of the inputs (a constant expression over a grid gives a full grid) and is
    differentiable.
    """

    def __init__(self, source: str, variables: tuple[str, ...], tree: Node) -> None:
        self.source = source
        self.variables = variables
        self.tree = tree

    def __call__(self, *args: torch.Tensor | float) -> torch.Tensor:
        if len(args) != len(self.variables):
            raise TypeError(f"expected {len(self.variables)} argument(s) "
                            f"({', '.join(self.variables)}), got {len(args)}")
        tensors = [a if isinstance(a, torch.Tensor) else torch.tensor(float(a)) for a in args]
        dtype = tensors[0].dtype if tensors and tensors[0].is_floating_point() \
            else torch.get_default_dtype()
        tensors = [t if t.is_floating_point() else t.to(dtype) for t in tensors]
        out = evaluate(self.tree, dict(zip(self.variables, tensors, strict=True)), dtype)
        # numpy's version: torch.broadcast_shapes imports torch.fx and sympy (~0.5 s) on first use.
        shape = torch.Size(np.broadcast_shapes(out.shape, *(t.shape for t in tensors)))
        if out.shape != shape:
            out = out.expand(shape)
        return out

    def to_torch_code(self) -> str:
        """The same formula as torch code, e.g. ``torch.sin(x) * torch.exp(-y)``."""
        return to_source(self.tree, "torch.")

    def __repr__(self) -> str:
        return f"CompiledExpression({self.source!r}, variables={self.variables})"


def compile_expression(source: str, variables: Sequence[str] = ("x",)) -> CompiledExpression:
    """Compile a user's math expression to a torch callable of ``variables``.

    Raises
    ------
    ExpressionError
        With a 1-based column and a message a student understands.
    """
    variables = tuple(variables)
    for name in variables:
        if not name.isidentifier() or name in FUNCTIONS or name in CONSTANTS:
            raise ValueError(f"invalid variable name {name!r}")
    tree = parse_expression(source, variables)
    return CompiledExpression(source.strip(), variables, tree)


def derivative(fn: Callable[..., torch.Tensor], x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Values and elementwise derivative of a one-variable elementwise ``fn`` over ``x``,
    by one vectorized backward pass. A ``fn`` that ignores ``x`` has derivative 0."""
    xg = x.detach().clone().requires_grad_(True)
    y = fn(xg)
    if not y.requires_grad:
        return y.detach(), torch.zeros_like(xg)
    (g,) = torch.autograd.grad(y.sum(), xg, allow_unused=True, materialize_grads=True)
    return y.detach(), g
