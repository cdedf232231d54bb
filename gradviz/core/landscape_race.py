"""Optimizers racing on the Playground network's real loss, drawn on a fixed plane.

Each ball trains its own copy of the network, full batch, in the full weight space with a real
``torch.optim`` optimizer (:func:`~gradviz.core.landscape_paths.train_path`). Its path is then
projected onto the landscape's plane by least squares: the nearest point of the plane gives the
coordinates drawn, the distance to it says how far off the plane the path really is. The ball is
drawn at its *true* loss, so a path that leaves the plane floats above or below the surface
instead of pretending to lie on it. :class:`NetworkLandscape` keeps the computed landscapes (an
LRU cache keyed by weights, plane and grid), the race on the shown one and the step shown.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from gradviz.core.landscape_paths import interpolate, project, train_path
from gradviz.core.landscape_source import (
    Cancelled,
    CancelledFn,
    Landscape,
    Snapshot,
    weights_digest,
)
from gradviz.core.meshes import ball_pose
from gradviz.core.numbers import fmt
from gradviz.core.optim_race import OptimizerSettings
from gradviz.core.surface_view import RaceFrame, inside, trail_in_scene
from gradviz.core.surfaces import SurfaceGrid, one_thread

#: Full-batch updates each ball's race is computed for (Step and Play walk through them).
RACE_STEPS = 100
#: Values of t in the 1-D interpolations L((1 − t)·θ₀ + t·θ₁), t from −0.5 to 1.5.
INTERPOLATION_POINTS = 81
CACHE_SIZE = 8


@dataclass(eq=False)
class NetPath:
    """One ball's race: plane coordinates (K, 2), distance off the plane (K,), true training
    loss (K,) after 0..K−1 updates, and how far each point is from the plane's origin (K,)."""

    number: int
    settings: OptimizerSettings
    coords: np.ndarray
    distance: np.ndarray
    losses: np.ndarray
    reach: np.ndarray

    @property
    def label(self) -> str:
        return f"{self.settings.label} lr={self.settings.lr:g}"


@dataclass(eq=False)
class NetRace:
    """The balls' races on one landscape and the 1-D interpolations between their ends:
    ``curves`` holds ``(label, t, losses)``."""

    key: tuple
    paths: list[NetPath]
    curves: list[tuple[str, np.ndarray, np.ndarray]]

    @property
    def steps(self) -> int:
        return min(len(p.losses) for p in self.paths) - 1


def race_key(land: Landscape, balls: list[tuple[int, OptimizerSettings]]) -> tuple:
    return (land.key, tuple(balls), RACE_STEPS)


def compute_race(land: Landscape, balls: list[tuple[int, OptimizerSettings]],
                 cancelled: CancelledFn | None = None) -> NetRace:
    """Race every ball from ``land.start`` for :data:`RACE_STEPS` updates, project the paths
    onto the plane, and interpolate from θ₀ to ball 1's end and from ball 1's to ball 2's end
    (on one torch thread, as :func:`~gradviz.core.landscape_source.compute_landscape`)."""
    with one_thread():
        return _race(land, balls, cancelled)


def _race(land: Landscape, balls: list[tuple[int, OptimizerSettings]],
          cancelled: CancelledFn | None) -> NetRace:
    paths, ends = [], []
    for number, settings in balls:
        if cancelled is not None and cancelled():
            raise Cancelled()
        weights, losses = train_path(land.model, settings.make, RACE_STEPS, start=land.start)
        coords, distance = project(land.plane, weights)
        reach = (weights - land.plane.origin).norm(dim=1)
        paths.append(NetPath(number, settings, coords.numpy(), distance.numpy(),
                             losses.numpy(), reach.numpy()))
        ends.append(weights[-1])
    curves = []
    pairs = [("θ₀ → ball 1's end", land.theta0, ends[0])]
    if len(ends) > 1:
        pairs.append(("ball 1's end → ball 2's end", ends[0], ends[1]))
    for label, a, b in pairs:
        losses, ts = interpolate(land.model, a, b, INTERPOLATION_POINTS)
        curves.append((label, ts.numpy(), losses.numpy()))
    return NetRace(race_key(land, balls), paths, curves)


def network_frame(grid: SurfaceGrid, race: NetRace, index: int,
                  trails3d: bool = True) -> RaceFrame:
    """What the views draw at step ``index``: each ball at its projected point and its true
    loss (no −∇ arrow: the gradient lives in the full space), its projected trail, and in its
    name the distance off the plane."""
    domain = grid.surface.domain
    frame = RaceFrame([], [], [], [], [], [], [])
    for p in race.paths:
        k = min(index, len(p.losses) - 1)
        a, b = (float(v) for v in p.coords[k])
        loss = float(p.losses[k])
        shown = inside(domain, a, b) and np.isfinite(loss)
        frame.poses.append(ball_pose(grid, a, b, loss, 0.0, 0.0) if shown else None)
        frame.positions.append((a, b) if shown else None)
        frame.arrows2d.append(None)
        trail = p.coords[:k + 1]
        frame.trails3d.append(trail_in_scene(grid, trail, p.losses[:k + 1]) if trails3d
                              else trail[:0])
        frame.trails2d.append(trail)
        frame.names.append(f"{p.label} — {fmt(float(p.distance[k]))} off the plane")
        frame.losses.append(p.losses[:k + 1])
    return frame


def net_ball_status(path: NetPath, index: int) -> str:
    """One ball's state line: step, true loss, and how much of its move is off the plane."""
    k = min(index, len(path.losses) - 1)
    a, b = path.coords[k]
    off, reach = float(path.distance[k]), float(path.reach[k])
    share = f" ({100 * off / reach:.0f}% of its distance from the origin)" if reach > 0 else ""
    return (f"step {k}, L = {fmt(float(path.losses[k]))}, drawn at ({fmt(float(a))}, "
            f"{fmt(float(b))}); off the plane by {fmt(off)}{share}")


class NetworkLandscape:
    """The network source's state: computed landscapes (LRU, by weights + plane + grid), the
    snapshot the picture is pinned to, the race on the shown landscape and the step shown.

    The picture stays pinned to the weights it was computed for while the Playground trains
    on (:meth:`stale` says so); :meth:`invalidate` (``hidden``, the data or the seed changed)
    drops everything, and :meth:`repin` follows the network's current weights.
    """

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple, Landscape] = OrderedDict()
        self._races: OrderedDict[tuple, NetRace] = OrderedDict()
        self.pinned: Snapshot | None = None
        self.race: NetRace | None = None
        self.index = 0

    def invalidate(self, *_args) -> None:
        self._cache.clear()
        self._races.clear()
        self.pinned = None
        self.race = None
        self.index = 0

    def repin(self, model) -> None:
        self.pinned = Snapshot.of(model)

    def snapshot(self, model) -> Snapshot:
        if self.pinned is None:
            self.repin(model)
        return self.pinned

    def stale(self, model) -> bool:
        """Whether the network has moved on since the pinned snapshot."""
        return self.pinned is not None and weights_digest(model) != self.pinned.digest

    def get(self, key: tuple) -> Landscape | None:
        return _lookup(self._cache, key)

    def put(self, land: Landscape) -> None:
        _store(self._cache, land.key, land)

    def find_race(self, key: tuple) -> NetRace | None:
        """A race computed before (on a cached landscape, with the same balls)."""
        return _lookup(self._races, key)

    def __len__(self) -> int:
        return len(self._cache)

    def set_race(self, race: NetRace) -> None:
        """Show ``race`` (kept for a later switch back), at the same step where it can."""
        _store(self._races, race.key, race)
        self.race = race
        self.index = min(self.index, race.steps)

    def step(self, n: int = 1) -> bool:
        if self.race is None or self.index >= self.race.steps:
            return False
        self.index = min(self.index + int(n), self.race.steps)
        return True

    def back(self) -> bool:
        if self.index == 0:
            return False
        self.index -= 1
        return True

    def restart(self) -> None:
        self.index = 0

    @property
    def running(self) -> bool:
        return self.race is not None and self.index < self.race.steps


def _lookup(cache: OrderedDict, key: tuple):
    value = cache.get(key)
    if value is not None:
        cache.move_to_end(key)
    return value


def _store(cache: OrderedDict, key: tuple, value) -> None:
    """Keep ``value`` as the newest entry; the least recently used go beyond CACHE_SIZE."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
