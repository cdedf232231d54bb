"""One-variable functions for the derivative panels: the preset list, compiling with a cache, and
the slope at a point read off a real ``backward()``.

Everything here is Qt-free and computes with torch; the panels only draw what it returns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import torch

from gradviz.core.expr import CompiledExpression, ExpressionError, compile_expression
from gradviz.core.model import StateError


@dataclass(frozen=True)
class Preset:
    """A named function with the x range that shows it well."""

    label: str
    source: str
    x_lo: float
    x_hi: float


#: The tangent panel's functions; the chapter's own preset comes first.
PRESETS: tuple[Preset, ...] = (
    Preset("½(x − 3)²  (the chapter's)", "0.5*(x - 3)**2", -2.0, 8.0),
    Preset("x²", "x**2", -4.0, 4.0),
    Preset("(x − 3)²  (descent example)", "(x - 3)**2", -2.0, 8.0),
    Preset("x³ − 3x", "x**3 - 3*x", -2.5, 2.5),
    Preset("sin x", "sin(x)", -2 * math.pi, 2 * math.pi),
    Preset("eˣ", "exp(x)", -3.0, 3.0),
    Preset("|x|", "abs(x)", -3.0, 3.0),
    Preset("ReLU", "relu(x)", -3.0, 3.0),
    Preset("sigmoid", "sigmoid(x)", -6.0, 6.0),
    Preset("tanh", "tanh(x)", -4.0, 4.0),
    Preset("log x", "log(x)", -1.0, 5.0),
    Preset("√x", "sqrt(x)", -1.0, 5.0),
)


def preset_for(source: str) -> Preset | None:
    """The preset whose source is ``source`` (spacing ignored), if any."""
    key = source.replace(" ", "")
    for p in PRESETS:
        if p.source.replace(" ", "") == key:
            return p
    return None


@lru_cache(maxsize=64)
def compiled(source: str) -> CompiledExpression:
    """Compile a one-variable expression once (raises :class:`ExpressionError`)."""
    return compile_expression(source, ("x",))


@dataclass(frozen=True)
class PointSlope:
    """f and f′ at one point, with what PyTorch returned when that is not a finite number."""

    x: float
    value: float
    slope: float

    @property
    def defined(self) -> bool:
        return math.isfinite(self.value) and math.isfinite(self.slope)


def slope_at(source: str, x: float, dtype: torch.dtype = torch.float32) -> PointSlope:
    """f(x) and f′(x) by autograd: ``requires_grad``, ``backward()``, ``.grad``.

    Float32 by default, as a student's ``torch.tensor(2.0, requires_grad=True)`` is.
    """
    fn = compiled(source)
    xt = torch.tensor(float(x), dtype=dtype, requires_grad=True)
    y = fn(xt)
    if y.requires_grad:
        y.backward()
        grad = xt.grad.item() if xt.grad is not None else 0.0
    else:  # a constant function: PyTorch never connects x, the slope is 0
        grad = 0.0
    return PointSlope(xt.item(), y.item(), grad)


def curve(source: str, x_lo: float, x_hi: float, n: int = 1000,
          dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(xs, f(xs), f′(xs))`` over a grid: one vectorized forward and one backward."""
    xs = torch.linspace(x_lo, x_hi, n, dtype=dtype).requires_grad_(True)
    ys = compiled(source)(xs)
    if ys.requires_grad:
        (g,) = torch.autograd.grad(ys.sum(), xs, allow_unused=True, materialize_grads=True)
    else:
        g = torch.zeros_like(xs)
    return xs.detach(), ys.detach(), g.detach()


VERDICT_UP = "uphill (f′ > 0)"
VERDICT_DOWN = "downhill (f′ < 0)"
VERDICT_FLAT = "flat (f′ = 0): a possible minimum or maximum"


def verdict(slope: float, tol: float = 1e-6) -> tuple[str, str]:
    """The plain-words verdict and its meaning key ("positive", "negative", "neutral", "error")."""
    if not math.isfinite(slope):
        return "no slope here", "error"
    if abs(slope) <= tol:
        return VERDICT_FLAT, "neutral"
    return (VERDICT_UP, "positive") if slope > 0 else (VERDICT_DOWN, "negative")


CORNER_EPS = 1e-3


@dataclass(frozen=True)
class PointProbe:
    """Everything the tangent view needs at one point, from ONE forward and ONE backward over
    the points x, x − ε, x + ε (and x + h): the slope at x and on either side (to spot corners),
    and f(x + h) for the secant."""

    point: PointSlope
    left_slope: float
    right_slope: float
    secant_value: float | None  # f(x + h), when h was given


def probe(source: str, x: float, h: float | None = None,
          dtype: torch.dtype = torch.float32) -> PointProbe:
    """f and f′ at x by autograd, with the neighbours' slopes and f(x + h), in one vectorized call
    (the functions are elementwise, so each element is exactly what a scalar call gives)."""
    pts = [x, x - CORNER_EPS, x + CORNER_EPS] + ([x + h] if h is not None else [])
    xt = torch.tensor(pts, dtype=dtype, requires_grad=True)
    y = compiled(source)(xt)
    if y.requires_grad:
        y.sum().backward()  # the same requires_grad → backward() → .grad a student writes
    g = xt.grad if xt.grad is not None else torch.zeros_like(xt)
    ys, gs = y.detach().tolist(), g.tolist()
    return PointProbe(PointSlope(xt[0].item(), ys[0], gs[0]), gs[1], gs[2],
                      ys[3] if h is not None else None)


def corner_slopes(probed: PointProbe) -> tuple[float, float] | None:
    """(left, right) slopes when the slope jumps at the point (|x| or ReLU at 0), else None."""
    left, right = probed.left_slope, probed.right_slope
    if not (math.isfinite(left) and math.isfinite(right) and probed.point.defined):
        return None
    jump = abs(right - left)
    # Smooth curves change their slope by about f″·2ε over the probe; a corner jumps by O(1).
    return (left, right) if jump > 0.25 * max(1.0, abs(left), abs(right)) else None


def explain_point(source: str, x: float, dtype: torch.dtype = torch.float32,
                  probed: PointProbe | None = None) -> str:
    """Why f or f′ has no ordinary value at ``x`` (empty text when everything is fine).

    The message says what PyTorch actually returned, and notices corners (|x|, ReLU at 0) where
    the slope jumps: there PyTorch returns one conventional value.
    """
    probed = probed or probe(source, x, None, dtype)
    p = probed.point
    if math.isnan(p.value):
        return (f"f is undefined at x = {x:.4g}: PyTorch returns nan (not a number), as it does "
                "for the log or square root of a negative number. No point, no tangent.")
    if math.isinf(p.value):
        return (f"f is infinite at x = {x:.4g}: PyTorch returns {p.value:g} (for example "
                "log(0) = -inf, or 1/0 = inf). There is no tangent to draw.")
    if math.isnan(p.slope):
        return (f"f′ is undefined at x = {x:.4g}: backward() gives nan, so no tangent is drawn.")
    if math.isinf(p.slope):
        return (f"f′ is infinite at x = {x:.4g}: backward() gives {p.slope:g}, the tangent is "
                "vertical (as for √x at 0).")
    corner = corner_slopes(probed)
    if corner is not None:
        left, right = corner
        return (f"A corner: the slope jumps from {left:.3g} on the left to {right:.3g} on the "
                f"right, so f has no true derivative exactly here. PyTorch still returns "
                f"{p.slope:g} (a conventional choice; ReLU′(0) = 0, |x|′ at 0 = 0).")
    return ""


def check_function(label: str, value: Any, max_len: int = 500,
                   compile_with: Callable[[str], object] = compiled) -> str:
    """A setting's check for a function typed by the user: only text that compiles is stored,
    with the compiler's own message otherwise (raises ``StateError``)."""
    if not isinstance(value, str) or len(value) > max_len:
        raise StateError(f"{label} must be a text of at most {max_len} characters")
    try:
        compile_with(value)
    except ExpressionError as exc:
        raise StateError(f"{label}: {exc}") from None
    return value
