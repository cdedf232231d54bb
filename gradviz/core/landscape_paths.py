"""Planes through solutions, paths projected onto a plane, 1-D interpolation, and optimizers
racing on the Playground network's real loss.

A training path lives in the full weight space; a plane is two dimensions of it. Projecting a
path (least squares) gives the nearest point of the plane *and* how far off it the path is, so a
picture can say when a path does not lie on the drawn surface.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from gradviz.core.landscape import Direction, flatten, grid_axis, plane_losses, unflatten
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_net import data_loss, make_optimizer, penalty


@dataclass(frozen=True)
class Plane:
    """The plane origin + a·d1 + b·d2 in weight space (flat float64 vectors)."""

    origin: torch.Tensor
    d1: torch.Tensor
    d2: torch.Tensor

    def point(self, a: float, b: float) -> torch.Tensor:
        return self.origin + a * self.d1 + b * self.d2


def three_point_plane(theta0: torch.Tensor, theta1: torch.Tensor, theta2: torch.Tensor) -> Plane:
    """The plane through three flat weight vectors (e.g. the initialization and the end points
    of two runs): origin θ₀, with θ₁ at (1, 0) and θ₂ at (0, 1)."""
    t0, t1, t2 = (t.to(torch.float64) for t in (theta0, theta1, theta2))
    d1, d2 = t1 - t0, t2 - t0
    if torch.linalg.matrix_rank(torch.stack([d1, d2])) < 2:
        raise ValueError("the three points lie on one line (or coincide): they span no plane")
    return Plane(t0, d1, d2)


def plane_of_directions(theta: torch.Tensor, directions: tuple[Direction, Direction]) -> Plane:
    """The plane of :func:`~gradviz.core.landscape.loss_grid`: θ* + a·δ + b·η."""
    return Plane(theta.to(torch.float64), flatten(directions[0]), flatten(directions[1]))


def project(plane: Plane, vectors: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Least-squares plane coordinates (K, 2) of flat weight vectors (K, P) (or one (P,)) and
    each one's distance off the plane (K,)."""
    v = vectors.to(torch.float64).reshape(-1, len(plane.origin)) - plane.origin
    basis = torch.stack([plane.d1, plane.d2], dim=1)  # (P, 2)
    coords = torch.linalg.lstsq(basis, v.T).solution.T
    distance = (v - coords @ basis.T).norm(dim=1)
    return coords, distance


def plane_grid(model: PlaygroundModel, plane: Plane, n: int = 51, lo: float = -0.5,
               hi: float = 1.5) -> tuple[torch.Tensor, torch.Tensor]:
    """Training loss on an n × n grid of plane coordinates from ``lo`` to ``hi`` on both axes
    (float64), and the axis."""
    axis = (grid_axis(n, 1.0) + 1) / 2 * (hi - lo) + lo
    like = list(model.network.parameters())
    grid = plane_losses(model, unflatten(plane.origin, like), unflatten(plane.d1, like),
                        unflatten(plane.d2, like), axis, axis)
    return grid, axis


def interpolate(model: PlaygroundModel, theta0: torch.Tensor, theta1: torch.Tensor,
                n: int = 81, lo: float = -0.5, hi: float = 1.5) -> tuple[torch.Tensor, torch.Tensor]:
    """L((1 − t)·θ₀ + t·θ₁) for n values of t from ``lo`` to ``hi`` (Goodfellow, Vinyals and
    Saxe 2015): the losses (float64) and the t values."""
    ts = torch.linspace(lo, hi, n, dtype=torch.float64)
    like = list(model.network.parameters())
    zero = [torch.zeros_like(p) for p in like]
    origin = unflatten(theta0.to(torch.float64), like)
    step = unflatten((theta1 - theta0).to(torch.float64), like)
    losses = plane_losses(model, origin, step, zero, ts, torch.zeros(1, dtype=torch.float64))
    return losses[:, 0], ts


@dataclass(frozen=True)
class RaceEntry:
    """One racer: ``torch.optim`` optimizer name, learning rate and momentum."""

    optimizer: str
    lr: float
    momentum: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.optimizer} lr={self.lr:g}" + (
            f" μ={self.momentum:g}" if self.momentum and self.optimizer != "Adam" else "")


@dataclass(frozen=True)
class RacePath:
    """A racer's weights after 0..steps full-batch updates (steps+1, P) and its training loss
    (data loss, as ``evaluate()[0]``) at each of them."""

    entry: RaceEntry
    path: torch.Tensor
    losses: torch.Tensor


def train_path(model: PlaygroundModel, make, steps: int, start: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Train a copy of the network full batch for ``steps`` updates with the optimizer
    ``make(params)`` returns, from the current weights (or the flat weights ``start``): its
    weights after 0..steps updates (steps+1, P) and the data loss at each (float64)."""
    x, y, _, _ = model.data()
    net = copy.deepcopy(model.network)
    if start is not None:
        torch.nn.utils.vector_to_parameters(
            start.to(next(net.parameters()).dtype), list(net.parameters()))
    opt = make(list(net.parameters()))
    path, losses = [flatten(net.parameters())], []
    for _ in range(steps):
        opt.zero_grad()
        output = net(x)
        loss = data_loss(output, y, model.task)
        losses.append(float(loss.detach()))
        (loss + penalty(net, model.regularization, model.reg_rate)).backward()
        opt.step()
        path.append(flatten(net.parameters()))
    with torch.no_grad():
        losses.append(float(data_loss(net(x), y, model.task)))
    return torch.stack(path), torch.tensor(losses, dtype=torch.float64)


def race(model: PlaygroundModel, entries: list[RaceEntry], steps: int) -> list[RacePath]:
    """Train a copy of the network per entry, full batch, from the current weights, with a real
    ``torch.optim`` optimizer; the model's own network is not touched."""
    out = []
    for entry in entries:
        def make(params, entry=entry):
            return make_optimizer(entry.optimizer, params, entry.lr, entry.momentum)
        out.append(RacePath(entry, *train_path(model, make, steps)))
    return out
