"""What the loss-surface panel shows, computed without Qt: each ball's pose, trails and arrows
for one frame, the ball's state line, the readout of f and ∇f, the caption, and the learning-rate
slider's logarithmic scale.

The panel only hands these arrays and texts to its widgets, so every number on screen is tested
here against the race's real torch values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gradviz.core.meshes import BALL_RADIUS, BallPose, ball_pose, flat_arrow
from gradviz.core.numbers import fmt, full_text
from gradviz.core.optim_race import Ball, OptimizerRace
from gradviz.core.surfaces import Domain, Surface, SurfaceGrid

#: Trails float this far (in ball radii) above the surface, so the mesh never hides them.
TRAIL_LIFT = 0.35


def loss_symbol(surface: Surface) -> str:
    """The loss's name in texts and on the axis: L for the mini network, f otherwise."""
    return "L" if surface.key == "mininet" else "f"


def caption_text(surface: Surface) -> str:
    """Formula (bold), partial derivatives and what to notice, as one rich-text line."""
    parts = [f"<b>{surface.formula}</b>"]
    if surface.gradient:
        parts.append(surface.gradient)
    if surface.caption:
        parts.append(surface.caption)
    return " — ".join(parts)


def trail_in_scene(grid: SurfaceGrid, path: np.ndarray, losses: np.ndarray) -> np.ndarray:
    """A ball's path in scene coordinates ``(k, 3)`` float32, just above the surface, cut where
    it first leaves the plotted square (a runaway ball's trail must not stretch the view)."""
    nx, ny = grid.surface.domain.normalised(path[:, 0], path[:, 1])
    with np.errstate(invalid="ignore"):
        outside = ~((np.abs(nx) <= 1.0) & (np.abs(ny) <= 1.0))
    if outside.any():
        cut = int(np.argmax(outside))
        nx, ny, losses = nx[:cut], ny[:cut], losses[:cut]
    z = grid.height_of(losses) + TRAIL_LIFT * BALL_RADIUS
    return np.stack([nx, ny, z], axis=-1).astype(np.float32)


def inside(domain: Domain, x: float, y: float) -> bool:
    """Whether (x, y) is a finite point of the plotted rectangle."""
    return math.isfinite(x) and math.isfinite(y) and domain.contains(x, y)


@dataclass
class RaceFrame:
    """One frame of the race, one entry per ball that is on (in ball order).

    ``poses``, ``positions`` and ``arrows2d`` are None for a ball outside the plot (it is then
    not drawn); ``arrows2d`` is also None when the arrow is switched off.
    """

    poses: list[BallPose | None]
    trails3d: list[np.ndarray]
    positions: list[tuple[float, float] | None]
    trails2d: list[np.ndarray]
    arrows2d: list[np.ndarray | None]
    names: list[str]
    losses: list[np.ndarray]


def race_frame(grid: SurfaceGrid, race: OptimizerRace, show_arrow: bool,
               trails3d: bool = True) -> RaceFrame:
    """Everything the 3D view, the map and the loss plot draw for the race's current step
    (``trails3d=False`` skips the 3D trails when no 3D view shows them)."""
    domain = grid.surface.domain
    frame = RaceFrame([], [], [], [], [], [], [])
    for ball in race.balls:
        path, losses = ball.path_array(), ball.loss_array()
        x, y = ball.position
        if inside(domain, x, y):
            dfx, dfy = ball.grad
            frame.poses.append(ball_pose(grid, x, y, ball.loss, dfx, dfy))
            frame.positions.append((x, y))
            frame.arrows2d.append(flat_arrow(grid, x, y, dfx, dfy) if show_arrow else None)
        else:
            frame.poses.append(None)
            frame.positions.append(None)
            frame.arrows2d.append(None)
        frame.trails3d.append(trail_in_scene(grid, path, losses) if trails3d else path[:0])
        frame.trails2d.append(path)
        frame.names.append(ball.label + (f" — {ball.message}" if ball.message else ""))
        frame.losses.append(losses)
    return frame


def ball_status(ball: Ball, domain: Domain, fname: str = "f") -> str:
    """One ball's state line: its message if it stopped, else its step and loss, saying when it
    is outside the plot or has settled."""
    if ball.message:
        return ball.message
    x, y = ball.position
    if not domain.contains(x, y):
        return f"step {ball.steps}, {fname} = {fmt(ball.loss)}, outside the plot"
    if ball.settled(domain):
        return f"settled at step {ball.steps}: ∇{fname} ≈ 0, {fname} = {fmt(ball.loss)}"
    return f"step {ball.steps}, {fname} = {fmt(ball.loss)}"


def readout_text(ball: Ball, number: int, surface: Surface, colour: str) -> tuple[str, str]:
    """The readout of one ball (rich text: position, f, both partials, |∇f|) and its tooltip
    (the same numbers in full)."""
    a, b = surface.names
    x, y = ball.position
    dfx, dfy = ball.grad
    norm = math.hypot(dfx, dfy)
    fname = loss_symbol(surface)
    text = (f"<span style='color:{colour}'>●</span> ball {number} at "
            f"({a}, {b}) = ({fmt(x)}, {fmt(y)}): &nbsp; <b>{fname} = {fmt(ball.loss)}</b> &nbsp; "
            f"∂{fname}/∂{a} = {fmt(dfx)} &nbsp; ∂{fname}/∂{b} = {fmt(dfy)} &nbsp; "
            f"|∇{fname}| = {fmt(norm)}")
    tip = (f"{fname} = {full_text(ball.loss)}\n\n∂{fname}/∂{a}: {full_text(dfx)}\n\n"
           f"∂{fname}/∂{b}: {full_text(dfy)}\n\nFrom loss.backward() at the ball, in float32.")
    return text, tip


@dataclass(frozen=True)
class LogScale:
    """A slider of ``steps`` positions over ``[lo, hi]`` in decades (for learning rates)."""

    lo: float
    hi: float
    steps: int = 1000

    def position(self, value: float) -> int:
        """The slider position showing ``value`` (clamped to the ends)."""
        a, b = math.log10(self.lo), math.log10(self.hi)
        t = (math.log10(value) - a) / (b - a) if value > 0 else 0.0
        return int(round(min(max(t, 0.0), 1.0) * self.steps))

    def value(self, position: int) -> float:
        """The value at a slider position, to the three digits a slider can resolve."""
        a, b = math.log10(self.lo), math.log10(self.hi)
        v = 10 ** (a + position / self.steps * (b - a))
        return float(f"{v:.3g}")
