"""Three ways to get a derivative — symbolic, numerical, autograd — compared on real numbers.

* :func:`compare_approaches`: the three values at one point, with their errors against the exact
  (symbolic) value, in float32 and float64.
* :func:`error_vs_h`: |error| of forward and central differences for h from 1e-16 to 1, one
  vectorized torch call per curve: truncation error falls with h, rounding error grows as h
  shrinks, and the two make a V whose bottom is the best h.
* :class:`CostRun`: the time to get all n partial derivatives numerically (n + 1 evaluations)
  versus with autograd (one backward), measured in slices so a GUI can stay responsive.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from gradviz.core.functions1d import check_function, compiled, slope_at
from gradviz.core.model import Setting, SettingsModel
from gradviz.core.numbers import to_float32
from gradviz.core.panel_info import PanelInfo, Presenter

DTYPES = {"float32": torch.float32, "float64": torch.float64}


@dataclass(frozen=True)
class ApproachPreset:
    label: str
    source: str
    x: float


PRESETS: tuple[ApproachPreset, ...] = (
    ApproachPreset("sin x at 1 (a clear V)", "sin(x)", 1.0),
    ApproachPreset("x² at 3 (central is exact)", "x**2", 3.0),
    ApproachPreset("½(x − 3)² at 0", "0.5*(x - 3)**2", 0.0),
    ApproachPreset("eˣ at 1", "exp(x)", 1.0),
    ApproachPreset("x³ − 3x at 2", "x**3 - 3*x", 2.0),
    ApproachPreset("sigmoid at 0.5", "sigmoid(x)", 0.5),
    ApproachPreset("log x at 0.1", "log(x)", 0.1),
)


class ApproachesModel(SettingsModel):
    """State of the three-approaches panel: the function, the point and the step h.

    Keyword arguments set initial values (validated as any write is).
    """

    key = "approaches"
    format_version = 1
    SETTINGS = {
        "source": Setting(PRESETS[0].source, check=check_function, label="f(x)",
                          doc="The function whose slope the three approaches compute."),
        "x": Setting(PRESETS[0].x, lo=-1e4, hi=1e4, step=0.1, decimals=4, label="at x",
                     doc="The point where the slope is taken."),
        "h": Setting(1e-4, lo=1e-16, hi=1.0, log=True, label="step h",
                     doc="How far the finite differences nudge x."),
    }


# --------------------------------------------------------------------------- one point


@dataclass(frozen=True)
class Approach:
    name: str  # "symbolic", "forward", "central", "autograd"
    value32: float
    value64: float
    error32: float  # |value − exact|
    error64: float


@dataclass(frozen=True)
class Comparison:
    """The three approaches at one point; ``exact`` is the symbolic value (nan if undefined)."""

    source: str
    x: float
    h: float
    formula: str  # the closed-form f′
    exact: float
    rows: tuple[Approach, ...]

    def row(self, name: str) -> Approach:
        return next(r for r in self.rows if r.name == name)


def forward_difference(source: str, x: float, h: float | torch.Tensor,
                       dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """[f(x + h) − f(x)] / h, computed in ``dtype`` as a student's code would."""
    return _difference(source, x, h, dtype, central=False)


def central_difference(source: str, x: float, h: float | torch.Tensor,
                       dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """[f(x + h) − f(x − h)] / 2h."""
    return _difference(source, x, h, dtype, central=True)


def _difference(source: str, x: float, h: float | torch.Tensor, dtype: torch.dtype,
                central: bool) -> torch.Tensor:
    fn = compiled(source)
    with torch.no_grad():
        xt = torch.tensor(x, dtype=dtype)
        ht = torch.as_tensor(h, dtype=dtype)
        if central:
            return (fn(xt + ht) - fn(xt - ht)) / (2 * ht)
        return (fn(xt + ht) - fn(xt)) / ht


def autograd_derivative(source: str, x: float, dtype: torch.dtype = torch.float32) -> float:
    """f′(x) by ``backward()``."""
    return slope_at(source, x, dtype).slope


def compare_approaches(source: str, x: float, h: float) -> Comparison:
    """The four numbers (symbolic, forward, central, autograd) at ``x`` with their errors."""
    from gradviz.core.symbolic import symbolic_derivative  # sympy: imported when first needed

    sym = symbolic_derivative(source)
    exact = sym.value_at(x)
    if not math.isnan(exact) and math.isnan(sym.function_at(x)):
        exact = math.nan  # f itself is undefined here (log of a negative): so is f′

    def err(v: float) -> float:
        return abs(v - exact) if math.isfinite(exact) and math.isfinite(v) else math.nan

    exact32 = float(to_float32(exact))
    rows = [Approach("symbolic", exact32, exact, err(exact32) if math.isfinite(exact) else math.nan,
                     0.0 if math.isfinite(exact) else math.nan)]
    for name, fn in (("forward", forward_difference), ("central", central_difference)):
        v32 = fn(source, x, h, torch.float32).item()
        v64 = fn(source, x, h, torch.float64).item()
        rows.append(Approach(name, v32, v64, err(v32), err(v64)))
    a32 = autograd_derivative(source, x, torch.float32)
    a64 = autograd_derivative(source, x, torch.float64)
    rows.append(Approach("autograd", a32, a64, err(a32), err(a64)))
    return Comparison(source, x, h, sym.derivative_text, exact, tuple(rows))


# --------------------------------------------------------------------------- error vs h


def h_grid(n: int = 161) -> np.ndarray:
    """h from 1e-16 to 1, evenly spaced on a log scale (10 points per decade by default)."""
    return np.logspace(-16, 0, n)


@dataclass(frozen=True)
class ErrorCurve:
    """|error| against h for one scheme and one precision; ``best_h`` is where it is smallest."""

    scheme: str  # "forward" or "central"
    dtype: str  # "float32" or "float64"
    h: np.ndarray
    error: np.ndarray  # |approx − exact|; 0 where the result is exact, nan where undefined
    best_h: float
    best_error: float


def error_vs_h(source: str, x: float, hs: np.ndarray | None = None) -> list[ErrorCurve]:
    """The V plot's data: four curves (forward/central × float32/float64), each one torch call
    over the whole h grid. Raises ``ValueError`` when f′ has no finite exact value at ``x``."""
    hs = h_grid() if hs is None else np.asarray(hs, dtype=np.float64)
    exact = compare_exact(source, x)
    out = []
    for dname, dtype in DTYPES.items():
        ht = torch.as_tensor(hs, dtype=dtype)
        for scheme, fn in (("forward", forward_difference), ("central", central_difference)):
            approx = fn(source, x, ht, dtype).to(torch.float64).numpy()
            error = np.abs(approx - exact)
            # The best h is the bottom of the V; exact zeros (central on a quadratic) count too.
            finite = np.isfinite(error)
            if finite.any():
                i = int(np.argmin(np.where(finite, error, np.inf)))
                best_h, best_err = float(hs[i]), float(error[i])
            else:
                best_h, best_err = math.nan, math.nan
            out.append(ErrorCurve(scheme, dname, hs, error, best_h, best_err))
    return out


def compare_exact(source: str, x: float) -> float:
    from gradviz.core.symbolic import symbolic_derivative  # sympy: imported when first needed

    sym = symbolic_derivative(source)
    exact = sym.value_at(x)
    if not math.isfinite(exact) or math.isnan(sym.function_at(x)):
        raise ValueError(f"f′ has no finite value at x = {x:g}")
    return exact


# --------------------------------------------------------------------------- cost of n partials

#: The n-parameter function whose gradient is timed: cheap, smooth, every parameter matters.
COST_FUNCTION_CODE = "(torch.tanh(w) * w).sum()"


def cost_function(w: torch.Tensor) -> torch.Tensor:
    return (torch.tanh(w) * w).sum()


def cost_sizes() -> list[int]:
    """n from 1 to 10 000, about three sizes per decade."""
    return [1, 3, 10, 30, 100, 300, 1000, 3000, 10_000]


@dataclass
class CostResult:
    n: int
    numerical_ms: float  # n + 1 evaluations of f (forward differences)
    autograd_ms: float  # one forward + one backward
    max_abs_diff: float  # how far the two gradients are apart (float64, h = 1e-6)


@dataclass
class CostRun:
    """Measure, size by size, the time for all n partial derivatives both ways.

    Call :meth:`advance` with a time budget (e.g. from a GUI timer every few ms); it does at most
    about that much work and returns whether the run is finished. Only time spent evaluating
    counts, so slicing does not distort the figures.
    """

    sizes: list[int] = field(default_factory=cost_sizes)
    h: float = 1e-6
    results: list[CostResult] = field(default_factory=list)
    _i: int = 0  # index into sizes
    _w: torch.Tensor | None = None
    _f0: float = 0.0
    _grad: torch.Tensor | None = None
    _j: int = 0  # next parameter to nudge
    _spent: float = 0.0  # seconds spent on the numerical gradient of the current size
    _warm: bool = False

    @property
    def done(self) -> bool:
        return self._i >= len(self.sizes)

    @property
    def progress(self) -> float:
        if self.done:
            return 1.0
        n = self.sizes[self._i]
        return (self._i + self._j / max(n, 1)) / len(self.sizes)

    def advance(self, budget_s: float = 0.01) -> bool:
        """Work for about ``budget_s`` seconds; True once every size is measured."""
        deadline = time.perf_counter() + budget_s
        # Both ways run on one thread: tiny ops only pay for thread hand-offs otherwise, and on a
        # busy machine that overhead (milliseconds per call) would drown what is measured.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            self._work(deadline)
        finally:
            torch.set_num_threads(threads)
        return self.done

    def _work(self, deadline: float) -> None:
        if not self._warm:
            # The first torch calls of a process pay one-off set-up costs: keep them out of n = 1.
            w = torch.ones(4, dtype=torch.float64, requires_grad=True)
            cost_function(w).backward()
            with torch.no_grad():
                cost_function(w)
            self._warm = True
        while not self.done and time.perf_counter() < deadline:
            n = self.sizes[self._i]
            if self._w is None:
                gen = torch.Generator().manual_seed(n)
                self._w = torch.randn(n, generator=gen, dtype=torch.float64)
                t0 = time.perf_counter()
                with torch.no_grad():
                    self._f0 = cost_function(self._w).item()
                self._grad = torch.empty(n, dtype=torch.float64)
                self._j = 0
                self._spent = time.perf_counter() - t0
            t0 = time.perf_counter()
            with torch.no_grad():
                w = self._w
                # n more evaluations, one nudged parameter each: the cost the chapter names.
                while self._j < n and time.perf_counter() < deadline:
                    saved = w[self._j].item()
                    w[self._j] = saved + self.h
                    self._grad[self._j] = (cost_function(w).item() - self._f0) / self.h
                    w[self._j] = saved
                    self._j += 1
            self._spent += time.perf_counter() - t0
            if self._j >= n:
                self._finish_size(n)

    def _finish_size(self, n: int) -> None:
        w = self._w.clone().requires_grad_(True)
        times = []
        grad = None
        for _ in range(5):
            w.grad = None
            t0 = time.perf_counter()
            cost_function(w).backward()
            times.append(time.perf_counter() - t0)
            grad = w.grad
        diff = float((grad - self._grad).abs().max())
        self.results.append(CostResult(n, self._spent * 1000, float(np.median(times)) * 1000, diff))
        self._i += 1
        self._w = None
        self._grad = None

    def run_to_end(self) -> list[CostResult]:
        while not self.advance(1.0):
            pass
        return self.results


PANEL = PanelInfo("approaches", "Three approaches", "approaches:QtApproachesPanel", order=11,
                  models=lambda model: [ApproachesModel()],
                  presenter=Presenter(show=("plot", "table", "h"), fold=("function", "cost"),
                                      overlay=("symbolic-formula",), row=("table", "h")))
