"""1-D gradient descent with autograd, the chapter's loop: forward, ``backward()``, update under
``torch.no_grad()``, zero the gradient, repeat.

>>> rows = gradient_descent_1d("(x - 3)**2", x0=0.0, lr=0.1, steps=3)
>>> [round(r.loss, 4) for r in rows]
[9.0, 5.76, 3.6864]
>>> [round(r.x, 4) for r in rows]
[0.0, 0.6, 1.08]
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch

from gradviz.core.functions1d import compiled

#: Beyond this |x| a run counts as flown off (and stops): the point left any sensible plot.
DIVERGED_AT = 1e6
MAX_STEPS = 10_000


@dataclass(frozen=True)
class DescentRow:
    """One step: ``x``, ``loss`` and ``grad`` are read *before* the update, as the chapter prints."""

    step: int
    x: float
    loss: float
    grad: float

    def __getitem__(self, key: str) -> float:
        return asdict(self)[key]


def gradient_descent_1d(source: str, x0: float, lr: float, steps: int,
                        dtype: torch.dtype = torch.float32) -> list[DescentRow]:
    """Run ``steps`` steps of ``x ← x − lr·f′(x)`` on ``f = source`` from ``x0``.

    ``source`` goes through the safe expression compiler (``ExpressionError`` when bad). Returns one
    row per step, numbered from 0. The run stops early (fewer rows) once x, the loss or the
    gradient stop being finite or |x| passes ``DIVERGED_AT``: that row is the last one.
    """
    if not 0 <= int(steps) <= MAX_STEPS:
        raise ValueError(f"steps must lie in [0, {MAX_STEPS}], got {steps}")
    if not (math.isfinite(x0) and math.isfinite(lr)):
        raise ValueError("x0 and lr must be finite numbers")
    fn = compiled(source)
    x = torch.tensor(float(x0), dtype=dtype, requires_grad=True)
    rows: list[DescentRow] = []
    for step in range(int(steps)):
        loss = fn(x)
        if loss.requires_grad:
            loss.backward()
            grad = x.grad if x.grad is not None else torch.zeros_like(x)
        else:
            grad = torch.zeros_like(x)
        rows.append(DescentRow(step, x.item(), loss.item(), grad.item()))
        if not _finite(rows[-1]) or abs(rows[-1].x) > DIVERGED_AT:
            break
        with torch.no_grad():
            x -= lr * grad
        if x.grad is not None:
            x.grad.zero_()
    return rows


def _finite(row: DescentRow) -> bool:
    return math.isfinite(row.x) and math.isfinite(row.loss) and math.isfinite(row.grad)


def describe_run(rows: list[DescentRow], lr: float) -> tuple[str, str]:
    """What the run is doing, in words, and a meaning key ("neutral", "warning", "error")."""
    if not rows:
        return "Press Step to take the first step downhill.", "neutral"
    last = rows[-1]
    if math.isfinite(last.x) and abs(last.x) <= DIVERGED_AT and not _finite(last):
        return (f"Stuck: at x = {last.x:.4g} PyTorch gives loss {last.loss:g} and gradient "
                f"{last.grad:g}, so the next step is undefined (outside f's domain?)."), "error"
    if not _finite(last) or abs(last.x) > DIVERGED_AT:
        return (f"Diverged: after {last.step} steps x flew off to {last.x:.3g}. The learning rate "
                f"{lr:g} is far too large for this curve."), "error"
    if len(rows) < 2:
        return "At the start. Each step moves x by −lr·f′(x).", "neutral"
    if lr == 0:
        return "The learning rate is 0: every step moves x by 0·f′(x) = 0.", "warning"
    moves = [b.x - a.x for a, b in zip(rows, rows[1:], strict=False)]
    losses = [r.loss for r in rows]
    if abs(last.grad) < 1e-4:
        return (f"Converged: f′ ≈ 0 at x = {last.x:.4g}, so the steps have shrunk to nothing."
                ), "neutral"
    if len(losses) >= 3 and losses[-1] > losses[-2] > losses[-3]:
        return ("Diverging: the loss grows every step. Each step overshoots the minimum by more "
                "than the last; lower the learning rate."), "error"
    if len(moves) >= 2 and moves[-1] * moves[-2] < 0:
        return ("Overshooting: x bounces from one side of the minimum to the other. It still "
                "settles if the bounces shrink."), "warning"
    if len(moves) >= 2 and abs(moves[-1]) < abs(moves[-2]):
        return ("Converging: the steps shrink because the slope flattens near the minimum "
                f"(last step {abs(moves[-1]):.3g})."), "neutral"
    return f"Moving downhill: last step {abs(moves[-1]):.3g}.", "neutral"
