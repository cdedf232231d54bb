"""Loss surfaces f(x, y) over a rectangle, their sampled grids, and the grids' height colours.

Everything here is plain numbers (torch for the maths, numpy for the arrays a view uploads), so
it is tested without Qt. Iso-lines live in :mod:`gradviz.core.contours`, the balls, arrows and
trails the views draw in :mod:`gradviz.core.meshes`.

Grids are computed with **one** vectorized torch call over a ``meshgrid`` and follow the
``(len(xs), len(ys))`` layout ("ij" indexing) that ``GLSurfacePlotItem`` expects:
``f[i, j] = f(xs[i], ys[j])``. Values are float32, as in students' code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from gradviz.core.contours import contour_levels, contour_segments_by_level
from gradviz.core.expr import compile_expression

SurfaceFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

GRID_MIN, GRID_MAX = 50, 400
#: Samples per side used for iso-lines, whatever the grid size.
CONTOUR_SAMPLES = 120
#: Height of the tallest displayed point in scene units (x and y span [-1, 1]).
SCENE_HEIGHT = 1.1


@dataclass(frozen=True)
class Domain:
    """The plotted rectangle ``[x0, x1] × [y0, y1]``."""

    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    @property
    def half(self) -> tuple[float, float]:
        return (self.x1 - self.x0) / 2, (self.y1 - self.y0) / 2

    def normalised(self, x: np.ndarray | float, y: np.ndarray | float):
        """Map (x, y) to the square [-1, 1]² the views draw in."""
        (cx, cy), (hx, hy) = self.centre, self.half
        return (np.asarray(x, np.float64) - cx) / hx, (np.asarray(y, np.float64) - cy) / hy

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


@dataclass(frozen=True)
class Surface:
    """One loss surface.

    Parameters
    ----------
    key, title
        Registry name and menu text.
    formula
        The formula as a reader writes it (``f(x, y) = x² + 2xy``).
    code
        The same formula as Python/torch code of ``names`` (for the code view).
    fn
        Vectorized, differentiable torch function of two tensors.
    domain
        The plotted rectangle.
    start
        Where the ball starts by default.
    names
        Names of the two parameters (``("x", "y")``, or ``("w", "b")`` for the mini network).
    caption
        What to notice (for the chapter's saddle: that it has no minimum).
    gradient
        The partial derivatives written out, where the chapter gives them.
    log_height
        Draw heights as ``log(1 + f - f_min)``: for surfaces whose walls are thousands of times
        higher than their valleys (Rosenbrock, Himmelblau). Readouts always show the true f.
    azimuth
        The 3D camera's default direction (degrees, 0 = looking from +x); long valleys are
        best seen along their length, where their walls do not hide the balls.
    """

    key: str
    title: str
    formula: str
    code: str
    fn: SurfaceFn
    domain: Domain
    start: tuple[float, float]
    names: tuple[str, str] = ("x", "y")
    caption: str = ""
    gradient: str = ""
    log_height: bool = False
    azimuth: float = -62.0

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        """f and its two partial derivatives at one point, by autograd in float32."""
        p = torch.tensor([x, y], dtype=torch.float32, requires_grad=True)
        f = self.fn(p[0], p[1])
        f.backward()
        g = p.grad
        return float(f.detach()), float(g[0]), float(g[1])


def _expression_surface(key: str, title: str, formula: str, code: str, domain: Domain,
                        start: tuple[float, float], **kw) -> Surface:
    compiled = compile_expression(code, variables=("x", "y"))
    return Surface(key, title, formula, compiled.source, compiled, domain, start, **kw)


def builtin_surfaces() -> dict[str, Surface]:
    """The fixed surfaces (the mini network's and the custom one are built on demand)."""
    square2 = Domain(-2.0, 2.0, -2.0, 2.0)
    surfaces = [
        _expression_surface(
            "bowl", "Bowl x² + y²", "f(x, y) = x² + y²", "x**2 + y**2", square2, (1.5, 1.2),
            caption="A round bowl: from anywhere, −∇f points straight at the bottom (0, 0).",
            gradient="∂f/∂x = 2x,  ∂f/∂y = 2y"),
        _expression_surface(
            "chapter", "The chapter's f = x² + 2xy", "f(x, y) = x² + 2xy", "x**2 + 2*x*y",
            square2, (1.0, -0.3),
            caption="A saddle with no minimum: f = (x + y)² − y² falls without end along "
                    "x = −y, so the ball is expected to run away.",
            gradient="∂f/∂x = 2x + 2y,  ∂f/∂y = 2x"),
        _expression_surface(
            "elongated", "Elongated bowl x² + 10y²", "f(x, y) = x² + 10y²", "x**2 + 10*y**2",
            square2, (-1.8, 0.9),
            caption="Ill-conditioned: steep across, nearly flat along. Plain SGD zig-zags; "
                    "momentum and Adam cope better.",
            gradient="∂f/∂x = 2x,  ∂f/∂y = 20y", azimuth=-18.0),
        _expression_surface(
            "saddle", "Saddle x² − y²", "f(x, y) = x² − y²", "x**2 - y**2", square2, (1.5, 0.05),
            caption="Uphill along y = 0 in x, downhill in y: the gradient vanishes at the "
                    "centre, but it is not a minimum.",
            gradient="∂f/∂x = 2x,  ∂f/∂y = −2y"),
        _expression_surface(
            "rosenbrock", "Rosenbrock", "f(x, y) = (1 − x)² + 100(y − x²)²",
            "(1 - x)**2 + 100*(y - x**2)**2", Domain(-2.0, 2.0, -1.0, 3.0), (-1.5, 2.0),
            caption="A long curved valley: easy to fall into, slow to follow to the minimum at "
                    "(1, 1). Heights are drawn on a log scale.",
            gradient="∂f/∂x = −2(1 − x) − 400x(y − x²),  ∂f/∂y = 200(y − x²)",
            log_height=True),
        _expression_surface(
            "himmelblau", "Himmelblau (four minima)", "f(x, y) = (x² + y − 11)² + (x + y² − 7)²",
            "(x**2 + y - 11)**2 + (x + y**2 - 7)**2", Domain(-5.0, 5.0, -5.0, 5.0), (0.0, 0.0),
            caption="Four minima of equal depth: which one the ball finds depends on where it "
                    "starts. Heights are drawn on a log scale.",
            log_height=True),
        _expression_surface(
            "bumpy", "Bumpy (local minima)", "f(x, y) = 0.2(x² + y²) − cos 2x · cos 2y",
            "0.2*(x**2 + y**2) - cos(2*x)*cos(2*y)", Domain(-3.0, 3.0, -3.0, 3.0), (2.3, 1.4),
            caption="Dimples on a wide bowl: a small step gets stuck in the nearest dimple, "
                    "momentum can roll over the rims."),
    ]
    return {s.key: s for s in surfaces}


SURFACES = builtin_surfaces()
#: Every choice of the surface menu, in menu order.
SURFACE_KEYS = (*SURFACES, "mininet", "custom")
SURFACE_TITLES = {**{k: s.title for k, s in SURFACES.items()},
                  "mininet": "Mini network: MSE over (w, b)", "custom": "Custom expression"}
CUSTOM_HALF_WIDTH = 3.0


def custom_surface(source: str, half_width: float = CUSTOM_HALF_WIDTH) -> Surface:
    """A surface typed by the user; raises ``ExpressionError`` with a column on bad input."""
    compiled = compile_expression(source, variables=("x", "y"))
    h = float(half_width)
    return Surface("custom", "Custom expression", f"f(x, y) = {compiled.source}", compiled.source,
                   compiled, Domain(-h, h, -h, h), (0.6 * h, 0.4 * h),
                   caption="Your function. Non-finite values are drawn flat at the edge of the "
                           "colour scale.")


def mininet_surface(net) -> Surface:
    """The mini network's mean squared error over (w, b) on its seeded data set.

    ``net`` is the shared :class:`~gradviz.core.mininet.MiniNetwork`; its ``mse`` is vectorized,
    so the grid is still one call. The plotted square is centred on the data's true (w, b) and
    wide enough to hold the network's current (w, b), where the ball starts.
    """
    cw, cb = float(net.true_w), float(net.true_b)
    half = max(3.0, abs(net.w - cw) + 1.0, abs(net.b - cb) + 1.0)
    return Surface(
        "mininet", "Mini network: MSE over (w, b)", "L(w, b) = mean((w·xᵢ + b − yᵢ)²)",
        "((w * xs + b - ys)**2).mean()", net.mse, Domain(cw - half, cw + half, cb - half, cb + half),
        (float(net.w), float(net.b)), names=("w", "b"),
        caption=f"The loss of the shared mini network on its {net.n_samples} data points: the "
                "ball's path is that training run, one full-batch step at a time.",
        azimuth=-18.0)


# --------------------------------------------------------------------------- grids


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread for a moment.

    A grid of at most 400² points is a few hundred microseconds of work; handing it to torch's
    intra-op thread pool costs far more than that on a busy 2-core machine (measured 50 ms vs
    0.4 ms for a 200² grid while other processes ran).
    """
    n = torch.get_num_threads()
    if n == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


@dataclass
class SurfaceGrid:
    """A surface sampled on an n×n grid (float32, ``f[i, j] = f(xs[i], ys[j])``).

    ``lo``/``hi`` are the range the colours and heights use (robust to isolated spikes);
    ``height`` is ``f`` mapped to scene heights in ``[0, SCENE_HEIGHT]``.
    """

    surface: Surface
    xs: np.ndarray
    ys: np.ndarray
    f: np.ndarray
    lo: float
    hi: float
    _height: np.ndarray | None = field(default=None, repr=False)
    _contours: dict = field(default_factory=dict, repr=False)

    def height_of(self, f: np.ndarray | float) -> np.ndarray:
        """Scene height of loss values (clipped to a little above the range)."""
        f = np.asarray(f, np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            if self.surface.log_height:
                t = np.log1p(np.clip(f - self.lo, 0.0, None)) / math.log1p(self.hi - self.lo)
            else:
                t = (f - self.lo) / (self.hi - self.lo)
        t = np.where(np.isnan(t), 0.0, t)
        return np.clip(t, 0.0, 1.08) * SCENE_HEIGHT

    def height_slope(self, f: float) -> float:
        """d(scene height)/df at loss value f (for drawing in the tangent plane)."""
        if self.surface.log_height:
            return SCENE_HEIGHT / (math.log1p(self.hi - self.lo) * (1.0 + max(f - self.lo, 0.0)))
        return SCENE_HEIGHT / (self.hi - self.lo)

    @property
    def height(self) -> np.ndarray:
        if self._height is None:
            self._height = self.height_of(self.f).astype(np.float32)
        return self._height

    def contours(self, count: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(levels, segments, level index of each segment)``, computed once per grid and
        shared by the 3D floor and the contour map."""
        if count not in self._contours:
            levels = contour_levels(self, count)
            # Iso-lines from at most CONTOUR_SAMPLES per side: as smooth on screen, and far
            # fewer segments for the renderer (llvmpipe pays per line segment).
            i = _subsample(len(self.xs), CONTOUR_SAMPLES)
            j = _subsample(len(self.ys), CONTOUR_SAMPLES)
            self._contours[count] = (levels, *contour_segments_by_level(
                self.xs[i], self.ys[j], self.f[np.ix_(i, j)], levels))
        return self._contours[count]

    @property
    def scene_xy(self) -> tuple[np.ndarray, np.ndarray]:
        sx, sy = self.surface.domain.normalised(self.xs, self.ys)
        return sx.astype(np.float32), sy.astype(np.float32)


def _subsample(n: int, most: int) -> np.ndarray:
    """At most ``most`` indices of ``range(n)``, evenly spread, first and last included."""
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(int))


def grid_values(surface: Surface, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, f) on an n×n grid, f computed by one vectorized torch call in float32."""
    n = int(n)
    if not GRID_MIN <= n <= GRID_MAX:
        raise ValueError(f"grid size must lie in [{GRID_MIN}, {GRID_MAX}], got {n}")
    d = surface.domain
    xs = torch.linspace(d.x0, d.x1, n, dtype=torch.float32)
    ys = torch.linspace(d.y0, d.y1, n, dtype=torch.float32)
    gx, gy = torch.meshgrid(xs, ys, indexing="ij")
    with torch.no_grad(), one_thread():
        f = surface.fn(gx, gy)
    return xs.numpy(), ys.numpy(), f.numpy().astype(np.float32, copy=False)


def compute_grid(surface: Surface, n: int) -> SurfaceGrid:
    """Sample the surface and choose its display range."""
    xs, ys, f = grid_values(surface, n)
    finite = f[np.isfinite(f)]
    if finite.size == 0:
        lo, hi = 0.0, 1.0
    else:
        lo = float(finite.min())
        hi = float(finite.max())
        q = float(np.quantile(finite, 0.99))
        # One spike (1/x near 0) would flatten everything else: clip at the 99th percentile.
        if hi - lo > 10.0 * max(q - lo, 1e-12) + 1e-12:
            hi = q
    if not hi > lo:
        hi = lo + 1.0
    f = np.where(np.isnan(f), lo, f)
    f = np.clip(f, np.float32(-3.0e38), np.float32(3.0e38)).astype(np.float32)
    return SurfaceGrid(surface, xs, ys, f, lo, hi)


# --------------------------------------------------------------------------- colours

#: Height colours, low → high: deep blue through teal to pale mint. The red ball, the yellow
#: arrow and the orange/green trails all stand out against every part of it.
HEIGHT_STOPS = np.array([
    [0.00, 0.09, 0.16, 0.42],
    [0.25, 0.13, 0.37, 0.66],
    [0.50, 0.16, 0.58, 0.70],
    [0.75, 0.45, 0.76, 0.68],
    [1.00, 0.86, 0.93, 0.86],
], np.float32)


def height_colours(t: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """RGBA float colours for relative heights ``t`` in [0, 1] (any shape → shape + (4,))."""
    t = np.clip(np.nan_to_num(np.asarray(t, np.float32), nan=0.0), 0.0, 1.0)
    out = np.empty(t.shape + (4,), np.float32)
    for c in range(3):
        out[..., c] = np.interp(t, HEIGHT_STOPS[:, 0], HEIGHT_STOPS[:, c + 1])
    out[..., 3] = alpha
    return out


def shaded_colours(grid: SurfaceGrid, light: tuple[float, float, float] = (-0.4, -0.5, 1.0),
                   ambient: float = 0.45, lines: int = 16, line_mix: float = 0.3) -> np.ndarray:
    """Height colours with simple diffuse lighting and grid lines baked in, ``(n, n, 4)``.

    Lighting from the grid's own slopes (numpy) is much cheaper than letting the mesh item
    compute a normal per vertex on every surface switch, and looks the same. The grid lines
    (``lines`` each way) are vertex rows and columns mixed towards white: drawn with the mesh,
    they cost the renderer nothing, where thousands of line segments cost a software renderer
    a tenth of a frame.
    """
    sx, sy = grid.scene_xy
    h = grid.height.astype(np.float64)
    dh_dx = np.gradient(h, sx.astype(np.float64), axis=0)
    dh_dy = np.gradient(h, sy.astype(np.float64), axis=1)
    normal = np.stack([-dh_dx, -dh_dy, np.ones_like(h)], axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    lvec = np.asarray(light, np.float64)
    lvec /= np.linalg.norm(lvec)
    diffuse = np.clip(normal @ lvec, 0.0, 1.0)
    colours = height_colours(h / SCENE_HEIGHT)
    colours[..., :3] *= (ambient + (1.0 - ambient) * diffuse)[..., None].astype(np.float32)
    if lines:
        n = h.shape[0]
        picks = np.unique(np.linspace(0, n - 1, lines).round().astype(int))
        mask = np.zeros(h.shape, bool)
        mask[picks, :] = True
        mask[:, picks] = True
        colours[mask, :3] += np.float32(line_mix) * (1.0 - colours[mask, :3])
    return colours


def height_lookup_table(n: int = 256) -> np.ndarray:
    """The same colours as a uint8 (n, 3) table for a 2D image."""
    return (height_colours(np.linspace(0.0, 1.0, n))[:, :3] * 255).astype(np.uint8)
