"""The 3D panel's "Network loss" source: the Playground network's training loss on a plane of
its weight space, computed off the GUI thread.

A network has hundreds or thousands of weights; the surface shows two directions of that space.
The panel takes a :class:`Snapshot` of the shared Playground model (its settings and a copy of its
weights) on the GUI thread and hands it to a worker; :func:`compute_landscape` rebuilds a private
:class:`~gradviz.core.playground.PlaygroundModel` from the snapshot, so the worker never touches
tensors the Playground panel may be training. Two planes:

* ``random``: θ* + α·δ + β·η around the current weights θ*, with δ and η filter-normalized random
  directions drawn from two seeds (:func:`~gradviz.core.landscape.random_directions`);
* ``three_point``: through the initialization θ₀ (at (0, 0)) and the ends of two full-batch runs
  (balls 1 and 2's optimizers), θ₁ at (1, 0) and θ₂ at (0, 1), so two solutions share a picture.

What is saved is only the plane's recipe (seeds, grid size, span): a lesson recomputes the
tensors. Nothing here imports Qt.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from gradviz.core.landscape import flatten, grid_axis, plane_losses, random_directions, unflatten
from gradviz.core.landscape_paths import Plane, plane_of_directions, three_point_plane, train_path
from gradviz.core.model import Setting, StateError, check_number
from gradviz.core.optim_race import OptimizerSettings
from gradviz.core.playground import PlaygroundModel
from gradviz.core.surfaces import Domain, Surface, SurfaceGrid, one_thread

NETWORK = "network"
NETWORK_TITLE = "Network loss (the Playground's network)"
NET_GRID_MIN, NET_GRID_MAX = 11, 101
PLANES = ("random", "three_point")
SEED_MAX = 2**31 - 1
#: Full-batch updates of each run whose end point spans the three-point plane.
RUN_STEPS = 100
#: The three-point plane is drawn over this range of both coordinates (θ₀ at 0, the ends at 1).
THREE_POINT_RANGE = (-0.5, 1.5)
#: A grid is computed in about this many pieces, so the progress bar moves and Cancel is heard.
PROGRESS_PIECES = 17

#: What the panel's explainer says about slices of weight space (our words).
SLICE_EXPLAINER = (
    "A real network has thousands of parameters: “Network loss” shows one flat 2-D slice "
    "through them. A slice can show how wide or sharp the valley around a solution is along "
    "those two directions, and whether a straight line between two solutions crosses a hill; "
    "it cannot show the other directions, so a minimum of the slice need not be a minimum of "
    "the network, and a training path mostly runs off the slice (we draw its nearest point "
    "and say how far off it is). A ReLU network computes the same function when one layer's "
    "weights are scaled up and the next one's down, so an unscaled random direction would make "
    "the same network look sharp or flat; filter normalization gives every neuron's direction "
    "the length of its own weights, so slices of different networks can be compared.")

ProgressFn = Callable[[float], None]
CancelledFn = Callable[[], bool]


class Cancelled(Exception):
    """The computation was asked to stop (the user pressed Cancel or asked for another one)."""


def _odd_grid(label: str, value: object) -> int:
    n = check_number(label, value, NET_GRID_MIN, NET_GRID_MAX, integer=True)
    if n % 2 == 0:
        raise StateError(f"{label} must be odd, so the current weights are a grid point; "
                         f"got {n}")
    return n


NETWORK_SETTINGS: dict[str, Setting] = {
    "net_plane": Setting(
        "random", choices=PLANES,
        choice_labels=("around the current weights (random directions)",
                       "through the initialization and two solutions"),
        label="plane of the network loss",
        doc="Which 2-D slice of the network's weight space the surface shows."),
    "net_grid": Setting(51, lo=NET_GRID_MIN, hi=NET_GRID_MAX, integer=True, step=2,
                        check=_odd_grid, label="network grid",
                        doc=f"Odd number of samples per side of the network loss "
                            f"({NET_GRID_MIN}–{NET_GRID_MAX}); n² forward passes."),
    "net_span": Setting(1.0, lo=0.1, hi=5.0, step=0.1, decimals=2, label="span",
                        doc="How far the grid reaches along each direction, in multiples of "
                            "the filter-normalized direction."),
    "net_seed1": Setting(1, lo=0, hi=SEED_MAX, integer=True, label="seed of direction δ",
                         doc="The random seed the first direction δ is drawn from."),
    "net_seed2": Setting(2, lo=0, hi=SEED_MAX, integer=True, label="seed of direction η",
                         doc="The random seed the second direction η is drawn from."),
}


@dataclass(frozen=True)
class GridSpec:
    """Everything a network-loss grid depends on besides the network: the plane's recipe.

    Fields that do not apply to the plane are left empty, so equal pictures have equal specs.
    """

    plane: str
    n: int
    span: float = 0.0
    seeds: tuple[int, ...] = ()
    runs: tuple[OptimizerSettings, ...] = ()

    @classmethod
    def of(cls, state) -> GridSpec:
        """The spec of a :class:`~gradviz.core.loss_surface.LossSurface`'s current settings."""
        if state.net_plane == "random":
            return cls("random", state.net_grid, state.net_span,
                       (state.net_seed1, state.net_seed2))
        return cls("three_point", state.net_grid, runs=tuple(state.ball_settings()[:2]))


def weights_digest(model: PlaygroundModel) -> str:
    """A short fingerprint of the network's current weights."""
    weights = flatten(model.network.parameters())
    return hashlib.sha1(weights.numpy().tobytes()).hexdigest()


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The Playground's settings (with its hand-added points) and a copy of its weights."""

    settings: tuple
    weights: torch.Tensor
    digest: str

    @classmethod
    def of(cls, model: PlaygroundModel) -> Snapshot:
        weights = flatten(model.network.parameters()).clone()
        digest = hashlib.sha1(weights.numpy().tobytes()).hexdigest()
        return cls(tuple(sorted(model.settings().items())), weights, digest)

    @property
    def key(self) -> tuple:
        return (self.digest, self.settings)

    def rebuild(self) -> tuple[PlaygroundModel, torch.Tensor]:
        """A private model with the same data and initialization, set to these weights, and
        its initial weights θ₀ (flat float64)."""
        values = dict(self.settings)
        model = PlaygroundModel()
        for name in PlaygroundModel.SETTINGS:
            setattr(model, name, values[name])
        model.points = values["points"]
        params = list(model.network.parameters())
        theta0 = flatten(params)
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(self.weights.to(params[0].dtype), params)
        return model, theta0


def _sampled(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    raise ValueError("the network loss is sampled on its grid, it is not a formula")


def network_surface(spec: GridSpec, axis: np.ndarray) -> Surface:
    """The surface description (title, formula, domain, caption) of a network-loss grid."""
    lo, hi = float(axis[0]), float(axis[-1])
    if spec.plane == "random":
        formula = "L(θ* + α·δ + β·η)"
        names = ("α", "β")
        caption = (f"The Playground network's training loss on one plane through its current "
                   f"weights θ* (the centre), along two filter-normalized random directions "
                   f"(seeds {spec.seeds[0]} and {spec.seeds[1]}). One slice of a space with "
                   "many more dimensions.")
    else:
        formula = "L(θ₀ + α·(θ₁ − θ₀) + β·(θ₂ − θ₀))"
        names = ("α", "β")
        caption = ("The plane through the initialization θ₀ at (0, 0) and the ends of two "
                   f"{RUN_STEPS}-step full-batch runs with balls 1 and 2's optimizers: θ₁ at "
                   "(1, 0), θ₂ at (0, 1).")
    return Surface(NETWORK, NETWORK_TITLE, formula, "loss_grid(model, directions)", _sampled,
                   Domain(lo, hi, lo, hi), (0.0, 0.0), names=names, caption=caption,
                   log_height=True)


def spec_axis(spec: GridSpec) -> torch.Tensor:
    """The grid's coordinates along each direction (float64, odd length, centre exact)."""
    if spec.plane == "random":
        return grid_axis(spec.n, spec.span)
    lo, hi = THREE_POINT_RANGE
    return (grid_axis(spec.n, 1.0) + 1) / 2 * (hi - lo) + lo


@dataclass(eq=False)
class Landscape:
    """One computed network-loss grid: ``losses[i, j]`` = L(plane.point(axis[i], axis[j])).

    ``start`` is where the racing balls begin (θ* on the random plane, θ₀ on the three-point
    one); ``model`` is the worker's private copy of the network, at the snapshot's weights.
    """

    key: tuple
    spec: GridSpec
    plane: Plane
    axis: np.ndarray
    losses: np.ndarray
    theta0: torch.Tensor
    start: torch.Tensor
    model: PlaygroundModel
    _grid: SurfaceGrid | None = field(default=None, repr=False)

    @property
    def grid(self) -> SurfaceGrid:
        """The grid as the views draw it (built once)."""
        if self._grid is None:
            self._grid = landscape_grid(network_surface(self.spec, self.axis), self.axis,
                                        self.losses)
        return self._grid


def landscape_grid(surface: Surface, axis: np.ndarray, losses: np.ndarray) -> SurfaceGrid:
    """A :class:`SurfaceGrid` of sampled losses; non-finite values drawn at the top."""
    f = np.asarray(losses, np.float64)
    ok = f[np.isfinite(f)]
    lo, hi = (float(ok.min()), float(ok.max())) if ok.size else (0.0, 1.0)
    hi = hi if hi > lo else lo + 1.0
    f = np.where(np.isfinite(f), f, hi).astype(np.float32)
    xs = np.asarray(axis, np.float32)
    return SurfaceGrid(surface, xs, xs.copy(), f, lo, hi)


def _plane(model: PlaygroundModel, snapshot: Snapshot, spec: GridSpec,
           theta0: torch.Tensor) -> tuple[Plane, torch.Tensor]:
    """The plane to sample and where the balls start on it."""
    if spec.plane == "random":
        params = list(model.network.parameters())
        directions = (random_directions(params, spec.seeds[0]),
                      random_directions(params, spec.seeds[1]))
        return plane_of_directions(snapshot.weights, directions), snapshot.weights
    if len(spec.runs) < 2:
        raise ValueError("the plane through two solutions needs two runs: switch ball 2 on")
    ends = [train_path(model, s.make, RUN_STEPS, start=theta0)[0][-1] for s in spec.runs]
    if not all(bool(torch.isfinite(e).all()) for e in ends):
        raise ValueError("a run diverged (its weights are no longer finite): lower its "
                         "learning rate")
    return three_point_plane(theta0, *ends), theta0


def plane_rows(model: PlaygroundModel, plane: Plane, axis: torch.Tensor,
               progress: ProgressFn | None = None,
               cancelled: CancelledFn | None = None) -> torch.Tensor:
    """The loss grid on ``plane`` in pieces of rows, reporting progress and stopping with
    :class:`Cancelled` between pieces when asked to."""
    like = list(model.network.parameters())
    origin, d1, d2 = (unflatten(v, like) for v in (plane.origin, plane.d1, plane.d2))
    n = len(axis)
    rows = max(1, math.ceil(n / PROGRESS_PIECES))
    out = torch.empty(n, n, dtype=torch.float64)
    for first in range(0, n, rows):
        if cancelled is not None and cancelled():
            raise Cancelled()
        out[first:first + rows] = plane_losses(model, origin, d1, d2, axis[first:first + rows],
                                               axis)
        if progress is not None:
            progress(min(first + rows, n) / n)
    return out


def compute_landscape(snapshot: Snapshot, spec: GridSpec, progress: ProgressFn | None = None,
                      cancelled: CancelledFn | None = None) -> Landscape:
    """The network loss of ``snapshot`` on the plane ``spec`` describes (run it in a worker).

    Runs torch on one thread: with matrices this small, the intra-op pool costs more than it
    gives (a 51 × 51 grid of an 8 × 16 network: 0.09 s on one thread, 0.45 s on two, here).
    """
    with one_thread():
        model, theta0 = snapshot.rebuild()
        plane, start = _plane(model, snapshot, spec, theta0)
        axis = spec_axis(spec)
        losses = plane_rows(model, plane, axis, progress, cancelled)
    return Landscape((snapshot.key, spec), spec, plane, axis.numpy(), losses.numpy(), theta0,
                     start, model)


def landscape_code(spec: GridSpec) -> tuple[str, str]:
    """The recipe in plain torch: filter-normalized directions, then the grid of losses."""
    directions = (
        "def direction(params, seed):\n"
        "    gen = torch.Generator().manual_seed(seed)\n"
        "    out = []\n"
        "    for p in params:\n"
        "        d = torch.randn(p.shape, generator=gen)\n"
        "        if p.dim() <= 1:\n"
        "            d.zero_()              # biases stay put\n"
        "        else:                      # each row gets the norm of the weights' row\n"
        "            w = p.detach().flatten(1).norm(dim=1)\n"
        "            d *= (w / (d.flatten(1).norm(dim=1) + 1e-10)).view(-1, *[1] * (p.dim() - 1))\n"
        "        out.append(d)\n"
        "    return out\n")
    if spec.plane == "random":
        setup = (f"theta = [p.detach().clone() for p in net.parameters()]\n"
                 f"delta = direction(theta, {spec.seeds[0]})\n"
                 f"eta = direction(theta, {spec.seeds[1]})\n"
                 f"a = torch.linspace(-{spec.span:g}, {spec.span:g}, {spec.n})\n")
    else:
        setup = ("theta = theta0                    # the initialization, at (0, 0)\n"
                 "delta = [t1 - t0 for t1, t0 in zip(theta1, theta0)]   # run 1's end - θ₀\n"
                 "eta = [t2 - t0 for t2, t0 in zip(theta2, theta0)]     # run 2's end - θ₀\n"
                 f"a = torch.linspace(-0.5, 1.5, {spec.n})\n")
    loop = (setup + f"grid = torch.empty({spec.n}, {spec.n})\n"
            "with torch.no_grad():\n"
            "    for i, ai in enumerate(a):\n"
            "        for j, bj in enumerate(a):\n"
            "            for p, t, d, e in zip(net.parameters(), theta, delta, eta):\n"
            "                p.copy_(t + ai * d + bj * e)\n"
            "            grid[i, j] = loss_fn(net(x), y)\n"
            "    for p, t in zip(net.parameters(), theta):\n"
            "        p.copy_(t)                 # the weights as they were\n"
            "# (GradViz batches the grid points instead of looping over them.)\n")
    return directions, loop
