"""Balls rolling down a loss surface, each driven by a real ``torch.optim`` optimizer.

Every ball owns a 2-element float32 tensor ``p = [x, y]`` with ``requires_grad=True`` and an
optimizer built on ``[p]``. One step is exactly the loop students write::

    loss = f(p[0], p[1]); loss.backward()      # done once at the start, then after every step
    optimizer.step(); optimizer.zero_grad()

so the positions after n steps equal ``torch.optim`` run directly with the same settings
(tests check it). A ball whose position or loss stops being finite, or that runs far off the
plotted rectangle, stops with a message; the others go on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from gradviz.core.surfaces import Domain, SurfaceFn

#: Optimizer keys → what the legend says.
OPTIMIZERS = {
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "nesterov": "Nesterov",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
    "adam": "Adam",
}
#: Which hyper-parameters each optimizer uses (the panel enables only those).
USES_MOMENTUM = frozenset({"momentum", "nesterov"})
USES_BETAS = frozenset({"adam"})
MAX_BALLS = 4
#: A ball further than this many half-widths from the centre of the plot (one half-width
#: beyond its edge) has run away.
FAR_OFF = 2.0
LR_MIN, LR_MAX = 1e-4, 10.0


@dataclass(frozen=True)
class OptimizerSettings:
    """One ball's optimizer: which one and its hyper-parameters."""

    kind: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999

    @property
    def label(self) -> str:
        return OPTIMIZERS[self.kind]

    def kwargs(self) -> dict:
        """Keyword arguments for the ``torch.optim`` constructor."""
        if self.kind == "sgd":
            return {"lr": self.lr}
        if self.kind == "momentum":
            return {"lr": self.lr, "momentum": self.momentum}
        if self.kind == "nesterov":
            # torch refuses Nesterov without momentum; a vanishing momentum is plain SGD.
            return {"lr": self.lr, "momentum": max(self.momentum, 1e-6), "nesterov": True}
        if self.kind in ("rmsprop", "adagrad"):
            return {"lr": self.lr}
        if self.kind == "adam":
            return {"lr": self.lr, "betas": (self.beta1, self.beta2)}
        raise ValueError(f"unknown optimizer {self.kind!r}")

    def optimizer_class(self) -> type[torch.optim.Optimizer]:
        return {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
                "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad,
                "adam": torch.optim.Adam}[self.kind]

    def make(self, params: list[torch.Tensor]) -> torch.optim.Optimizer:
        return self.optimizer_class()(params, **self.kwargs())

    def code(self, params: str = "[p]") -> str:
        """The constructor as a student would type it."""
        args = []
        for key, value in self.kwargs().items():
            if isinstance(value, tuple):
                args.append(f"{key}=({', '.join(_num(v) for v in value)})")
            elif isinstance(value, bool):
                args.append(f"{key}={value}")
            else:
                args.append(f"{key}={_num(value)}")
        return f"torch.optim.{self.optimizer_class().__name__}({params}, {', '.join(args)})"


def _num(v: float) -> str:
    return f"{v:.6g}"


@dataclass
class Ball:
    """One ball: its tensor, its optimizer, and everything it has done so far.

    ``path[k]``, ``losses[k]`` and ``grads[k]`` describe the ball after k steps; the last entries
    are where it is now (``grads`` hold ∂f/∂x, ∂f/∂y from ``backward()`` there).
    """

    index: int
    settings: OptimizerSettings
    p: torch.Tensor
    optimizer: torch.optim.Optimizer
    path: list[tuple[float, float]] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    grads: list[tuple[float, float]] = field(default_factory=list)
    stopped: bool = False
    message: str = ""
    # The same history as arrays, grown by doubling, so a view can take it every frame
    # without converting a long list.
    _xy: np.ndarray = field(default_factory=lambda: np.empty((64, 2)), repr=False)
    _f: np.ndarray = field(default_factory=lambda: np.empty(64), repr=False)

    def _record(self, x: float, y: float, loss: float, grad: tuple[float, float]) -> None:
        n = len(self.path)
        if n >= len(self._f):
            self._xy = np.concatenate([self._xy, np.empty_like(self._xy)])
            self._f = np.concatenate([self._f, np.empty_like(self._f)])
        self._xy[n] = (x, y)
        self._f[n] = loss
        self.path.append((x, y))
        self.losses.append(loss)
        self.grads.append(grad)

    @property
    def label(self) -> str:
        return f"{self.index + 1} · {self.settings.label}"

    @property
    def steps(self) -> int:
        return len(self.path) - 1

    @property
    def position(self) -> tuple[float, float]:
        return self.path[-1]

    def settled(self, domain: Domain, tol: float = 1e-6) -> bool:
        """Resting: the last step moved less than ``tol`` of the plot's half-width and the
        gradient is (nearly) zero, so further steps change nothing visible."""
        if self.stopped or len(self.path) < 2:
            return False
        (x0, y0), (x1, y1) = self.path[-2], self.path[-1]
        hx, hy = domain.half
        still = abs(x1 - x0) <= tol * hx and abs(y1 - y0) <= tol * hy
        return still and math.hypot(*self.grad) < 1e-5

    @property
    def loss(self) -> float:
        return self.losses[-1]

    @property
    def grad(self) -> tuple[float, float]:
        return self.grads[-1]

    def path_array(self) -> np.ndarray:
        """``(steps + 1, 2)`` positions (a read-only view)."""
        view = self._xy[: len(self.path)]
        view.flags.writeable = False
        return view

    def loss_array(self) -> np.ndarray:
        """``(steps + 1,)`` losses (a read-only view)."""
        view = self._f[: len(self.losses)]
        view.flags.writeable = False
        return view


class OptimizerRace:
    """Up to four balls starting at the same point on ``fn``, each with its own optimizer.

    Parameters
    ----------
    fn
        The surface, a vectorized differentiable function of two tensors.
    domain
        The plotted rectangle (to tell when a ball has run far off it).
    start
        The common starting point.
    settings
        One :class:`OptimizerSettings` per ball (1 to 4).
    numbers
        Each ball's number on screen (1–4; default 1, 2, …): its label and colour follow it.
    reuse
        Balls of an earlier race on the same surface and start, by number: a ball whose
        settings are unchanged is taken over as it is, so changing one ball's learning rate
        does not replay the others.
    """

    def __init__(self, fn: SurfaceFn, domain: Domain, start: tuple[float, float],
                 settings: list[OptimizerSettings], numbers: list[int] | None = None,
                 reuse: dict[int, Ball] | None = None) -> None:
        if not 1 <= len(settings) <= MAX_BALLS:
            raise ValueError(f"a race has 1 to {MAX_BALLS} balls, got {len(settings)}")
        numbers = list(numbers) if numbers is not None else list(range(1, len(settings) + 1))
        if len(numbers) != len(settings):
            raise ValueError("one number per ball")
        self.fn = fn
        self.domain = domain
        self.start = (float(start[0]), float(start[1]))
        self.balls: list[Ball] = []
        self.fresh: list[Ball] = []  # the balls built here (not taken over)
        reuse = reuse or {}
        for n, s in zip(numbers, settings, strict=True):
            old = reuse.get(n)
            if old is not None and old.settings == s:
                self.balls.append(old)
                continue
            p = torch.tensor(self.start, dtype=torch.float32, requires_grad=True)
            ball = Ball(n - 1, s, p, s.make([p]))
            self._evaluate(ball)
            self.balls.append(ball)
            self.fresh.append(ball)

    @property
    def steps(self) -> int:
        """Steps taken so far (by the balls still running; stopped balls keep their count)."""
        return max(b.steps for b in self.balls)

    @property
    def running(self) -> bool:
        return any(not b.stopped for b in self.balls)

    def _evaluate(self, ball: Ball) -> None:
        """Forward and backward at the ball's current position: fills ``p.grad``."""
        ball.optimizer.zero_grad()
        p = ball.p
        loss = self.fn(p[0], p[1])
        loss.backward()
        x, y = p.detach().tolist()
        g = p.grad.tolist() if p.grad is not None else [0.0, 0.0]
        ball._record(x, y, loss.item(), (g[0], g[1]))
        self._check(ball)

    def _check(self, ball: Ball) -> None:
        x, y = ball.position
        values = (x, y, ball.loss, *ball.grad)
        if not all(math.isfinite(v) for v in values):
            what = "position" if not (math.isfinite(x) and math.isfinite(y)) else (
                "loss" if not math.isfinite(ball.loss) else "gradient")
            ball.stopped = True
            ball.message = f"diverged at step {ball.steps}: the {what} is no longer finite"
            return
        (cx, cy), (hx, hy) = self.domain.centre, self.domain.half
        if abs(x - cx) > FAR_OFF * hx or abs(y - cy) > FAR_OFF * hy:
            ball.stopped = True
            ball.message = f"ran off the surface at step {ball.steps}"

    def step_ball(self, ball: Ball) -> None:
        """One optimizer step for one ball (nothing if it has stopped)."""
        if ball.stopped:
            return
        try:
            ball.optimizer.step()
            self._evaluate(ball)
        except (RuntimeError, ValueError, OverflowError) as exc:
            ball.stopped = True
            ball.message = f"stopped at step {ball.steps}: {exc}"

    def step(self) -> bool:
        """One optimizer step for every running ball; returns whether any ball is still running."""
        for ball in self.balls:
            self.step_ball(ball)
        return self.running

    def run(self, n: int, balls: list[Ball] | None = None) -> None:
        """``n`` steps of every ball (or of ``balls`` only), stopping early when all stopped."""
        chosen = self.balls if balls is None else balls
        for _ in range(n):
            if all(b.stopped for b in chosen):
                break
            for ball in chosen:
                self.step_ball(ball)


def run_directly(fn: SurfaceFn, start: tuple[float, float], settings: OptimizerSettings,
                 steps: int) -> np.ndarray:
    """The reference loop, written as a student would: positions after 0..steps steps."""
    p = torch.tensor(start, dtype=torch.float32, requires_grad=True)
    opt = settings.make([p])
    out = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss = fn(p[0], p[1])
        loss.backward()
        opt.step()
        out.append(p.detach().clone())
    return torch.stack(out).numpy()
