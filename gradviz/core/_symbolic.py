"""Symbolic derivatives with sympy, built from the safe expression tree.

The user's text is parsed once by :mod:`gradviz.core.expr`; this module walks that tree and builds
sympy objects node by node. It never hands text to sympy (``sympify``/``parse_expr`` use
``eval``). Kinks follow PyTorch's conventions so the symbolic value can be compared with autograd:
ReLU is a ``Piecewise`` whose derivative at 0 is 0, and ``|x|``′ = ``sign(x)`` (0 at 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from sympy.printing.str import StrPrinter

from gradviz.core.expr import ARITHMETIC, Call, Const, Node, Num, Unary, Var
from gradviz.core.functions1d import compiled

X = sp.Symbol("x", real=True)


def _number(value: float) -> sp.Expr:
    if math.isinf(value):
        return sp.oo if value > 0 else -sp.oo
    if math.isnan(value):
        return sp.nan
    # The decimal the user typed, exactly: 0.1 -> 1/10 (repr is the shortest round-trip text).
    frac = Fraction(repr(float(value)))
    return sp.Rational(frac.numerator, frac.denominator)


def _relu(a: sp.Expr) -> sp.Expr:
    return sp.Piecewise((0, a <= 0), (a, True))


_FUNCS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "log": sp.log,
    "sqrt": sp.sqrt, "abs": sp.Abs, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
    "relu": _relu,
    "softplus": lambda a: sp.log(1 + sp.exp(a)),
    "log1p": lambda a: sp.log(1 + a),
    "square": lambda a: a**2,
}


def to_sympy(node: Node, symbols: dict[str, sp.Symbol] | None = None) -> sp.Expr:
    """The sympy expression of a parsed tree (variables become real symbols)."""
    symbols = symbols or {"x": X}
    if isinstance(node, Num):
        return _number(node.value)
    if isinstance(node, Const):
        return sp.pi if node.name == "pi" else sp.E
    if isinstance(node, Var):
        return symbols.setdefault(node.name, sp.Symbol(node.name, real=True))
    if isinstance(node, Unary):
        inner = to_sympy(node.operand, symbols)
        return -inner if node.op == "-" else inner
    if isinstance(node, Call):
        return _FUNCS[node.func](to_sympy(node.arg, symbols))
    left = to_sympy(node.left, symbols)
    right = to_sympy(node.right, symbols)
    if node.op in ARITHMETIC:
        return ARITHMETIC[node.op](left, right)
    if left.is_Number and right.is_Number:
        return _number_power(left, right)
    return left**right


def _number_power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    """A power of two numbers, in floating point as torch computes it.

    sympy would compute ``9**9**9**9`` or ``(1/3)**10**7`` exactly, with billions of digits: a
    hang. Floats overflow to inf at once instead.
    """
    try:
        value = math.pow(float(base), float(exponent))
    except OverflowError:
        negative_odd = float(base) < 0 and float(exponent).is_integer() and float(exponent) % 2
        return -sp.oo if negative_odd else sp.oo
    except (ValueError, ZeroDivisionError):
        return sp.nan  # a negative base with a fractional power, or 0 to a negative power
    return _number(value)


_CODE_FUNCS = {
    "sin": "sp.sin({})", "cos": "sp.cos({})", "tan": "sp.tan({})", "exp": "sp.exp({})",
    "log": "sp.log({})", "sqrt": "sp.sqrt({})", "abs": "sp.Abs({})", "tanh": "sp.tanh({})",
    "sinh": "sp.sinh({})", "cosh": "sp.cosh({})", "asin": "sp.asin({})", "acos": "sp.acos({})",
    "atan": "sp.atan({})", "sigmoid": "1 / (1 + sp.exp(-({})))",
    "relu": "sp.Piecewise((0, ({0}) <= 0), ({0}, True))",
    "softplus": "sp.log(1 + sp.exp({}))", "log1p": "sp.log(1 + ({}))", "square": "({})**2",
}


def to_sympy_code(node: Node) -> str:
    """Python text that builds the same sympy expression (for the Code view)."""
    if isinstance(node, Num):
        frac = Fraction(repr(float(node.value))) if math.isfinite(node.value) else None
        if frac is None:
            return "sp.oo" if node.value > 0 else "-sp.oo"
        if frac.denominator == 1:
            return f"sp.Integer({frac.numerator})"
        return f"sp.Rational({frac.numerator}, {frac.denominator})"
    if isinstance(node, Const):
        return "sp.pi" if node.name == "pi" else "sp.E"
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Unary):
        return f"{node.op}({to_sympy_code(node.operand)})"
    if isinstance(node, Call):
        template = _CODE_FUNCS[node.func]
        inner = to_sympy_code(node.arg)
        return template.format(inner)
    if node.op == "**":
        folded = to_sympy(node)
        if folded.is_Number:  # a power of numbers: the same float value to_sympy uses
            return to_sympy_code(Num(float(folded))) if folded.is_finite else (
                "sp.nan" if folded is sp.nan else ("sp.oo" if folded > 0 else "-sp.oo"))
    return f"({to_sympy_code(node.left)} {node.op} {to_sympy_code(node.right)})"


@dataclass(frozen=True)
class SymbolicDerivative:
    """f and f′ as sympy expressions, and how to show them."""

    function: sp.Expr
    derivative: sp.Expr

    @property
    def function_text(self) -> str:
        return pretty_text(self.function)

    @property
    def derivative_text(self) -> str:
        return pretty_text(self.derivative)

    def value_at(self, x: float) -> float:
        """f′(x) as a float from the exact formula (nan where it is undefined or complex)."""
        return evaluate(self.derivative, x)

    def function_at(self, x: float) -> float:
        return evaluate(self.function, x)


def evaluate(expr: sp.Expr, x: float) -> float:
    """Evaluate at x with 30 digits, then round once to float; nan when undefined or complex."""
    try:
        v = expr.subs(X, _number(x) if math.isfinite(x) else x).evalf(30)
    except (TypeError, ValueError, ZeroDivisionError):
        return math.nan
    if v == sp.zoo:  # 1/0: an infinite value whose sign sympy leaves open
        return math.inf
    if v.has(sp.zoo, sp.nan) or not v.is_number:
        return math.nan
    if v.is_real is False or v.has(sp.I):
        return math.nan
    if v in (sp.oo, -sp.oo):
        return math.inf if v == sp.oo else -math.inf
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


class _Printer(StrPrinter):
    """sympy's plain printer, with ``Piecewise`` written as "a if cond else b"."""

    def _print_Piecewise(self, expr):  # noqa: N802 - sympy's printer protocol
        parts = []
        for value, cond in expr.args:
            if cond == sp.true:
                parts.append(self._print(value))
            else:
                parts.append(f"{self._print(value)} if {self._print(cond)} else")
        return "(" + " ".join(parts) + ")"


def pretty_text(expr: sp.Expr) -> str:
    """A one-line formula a student reads easily: ``x - 3``, ``cos(x)``, ``2*x``."""
    return _Printer().doprint(expr)


def symbolic_derivative(source: str) -> SymbolicDerivative:
    """The closed-form derivative of a one-variable user expression (``ExpressionError`` if bad)."""
    return _cached(source)


_CACHE: dict[str, SymbolicDerivative] = {}


def _cached(source: str) -> SymbolicDerivative:
    hit = _CACHE.get(source)
    if hit is None:
        f = to_sympy(compiled(source).tree)
        # No simplify(): it can take seconds, and the plain result keeps the chain rule visible
        # (sigmoid's derivative stays exp(-x)/(1 + exp(-x))**2).
        hit = SymbolicDerivative(f, sp.diff(f, X))
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[source] = hit
    return hit
