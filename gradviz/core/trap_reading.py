"""Reading the gradient, on real tensors: what ``w.grad`` predicts and what it does not.

* "the gradient tells you how to improve": the first-order prediction ``w.grad · δ`` against the
  real change of the loss (:func:`nudge`), and one update ``with torch.no_grad(): w -= lr * w.grad``
  (:func:`gradient_update`, applied to the shared network by :class:`ApplyUpdateCommand`);
* ``backward()`` on a loss that is not a scalar, and the fix (reduce it first):
  :func:`non_scalar_backward`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import check_number
from gradviz.core.numbers import fmt
from gradviz.core.trap import DTYPE, TorchError, explain_error


@dataclass(frozen=True)
class Nudge:
    """First-order prediction against the real change when w moves by ``delta``.

    ``predicted = w.grad · δ``; ``actual = L(w + δ) − L(w)``. For the chapter's numbers
    ``actual = 0.4 δ + δ²``: equal for small δ, apart for large δ.
    """

    delta: float
    loss: float
    loss_nudged: float
    w_grad: float
    predicted: float
    actual: float

    @property
    def gap(self) -> float:
        return self.actual - self.predicted


def nudge(net: MiniNetwork, delta: float) -> Nudge:
    """Compute :class:`Nudge` with real tensors: one ``backward()`` for w.grad, two forwards."""
    w = torch.tensor(net.w, dtype=DTYPE, requires_grad=True)
    b = torch.tensor(net.b, dtype=DTYPE, requires_grad=True)
    loss = net.single_loss(w, b)
    loss.backward()
    with torch.no_grad():
        nudged = net.single_loss(w + delta, b)
    g = float(w.grad.item())
    return Nudge(float(delta), float(loss.item()), float(nudged.item()), g, g * float(delta),
                 float(nudged.item()) - float(loss.item()))


def nudge_curve(net: MiniNetwork, deltas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Actual and predicted change of the loss for every δ in ``deltas`` (one vectorized call)."""
    deltas = torch.as_tensor(deltas, dtype=DTYPE)
    n = nudge(net, 0.0)
    w = torch.full_like(deltas, net.w) + deltas
    b = torch.full_like(deltas, net.b)
    with torch.no_grad():
        actual = net.single_loss(w, b) - n.loss
    return actual, n.w_grad * deltas


@dataclass(frozen=True)
class Update:
    """One gradient-descent update ``with torch.no_grad(): w -= lr * w.grad`` (and b)."""

    lr: float
    w_before: float
    b_before: float
    w_grad: float
    b_grad: float
    w_after: float
    b_after: float
    loss_before: float
    loss_after: float


def gradient_update(net: MiniNetwork, lr: float) -> Update:
    """Run one real update on copies of the network's parameters (the network is not changed)."""
    w = torch.tensor(net.w, dtype=DTYPE, requires_grad=True)
    b = torch.tensor(net.b, dtype=DTYPE, requires_grad=True)
    loss = net.single_loss(w, b)
    loss.backward()
    w_before, b_before = float(w.item()), float(b.item())
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        after = net.single_loss(w, b)
    return Update(float(lr), w_before, b_before, float(w.grad.item()), float(b.grad.item()),
                  float(w.item()), float(b.item()), float(loss.item()), float(after.item()))


class ApplyUpdateCommand:
    """Apply an :class:`Update` to the shared network's w and b as one undo step.

    Raises :class:`~gradviz.core.model.StateError` when the update leaves the network's range
    (a huge learning rate), so nothing changes.
    """

    def __init__(self, net: MiniNetwork, update: Update) -> None:
        self.net = net
        self.new = {name: check_number(f"updated {name}", value, -100.0, 100.0)
                    for name, value in (("w", update.w_after), ("b", update.b_after))}
        self.old = {name: getattr(net, name) for name in self.new}
        self.label = f"Gradient step: w ← {fmt(update.w_after)}, b ← {fmt(update.b_after)}"
        self.merge_key = None

    def do(self) -> None:
        for name, value in self.new.items():
            setattr(self.net, name, value)

    def undo(self) -> None:
        for name, value in self.old.items():
            setattr(self.net, name, value)


@dataclass(frozen=True)
class NonScalarDemo:
    """``backward()`` on a per-example loss vector: PyTorch's error, then the two fixes."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    losses: tuple[float, ...]
    error: TorchError
    mean_w_grad: float
    sum_w_grad: float


def non_scalar_backward(net: MiniNetwork, examples: int = 3) -> NonScalarDemo:
    """Call ``backward()`` on ``(w*xs + b - ys)**2`` for the first ``examples`` points of the
    network's data set, catch PyTorch's real error, then run ``.mean()`` and ``.sum()`` fixes."""
    xs, ys = net.dataset()
    xs, ys = xs[:examples], ys[:examples]
    w = torch.tensor(net.w, dtype=DTYPE, requires_grad=True)
    b = torch.tensor(net.b, dtype=DTYPE, requires_grad=True)
    losses = (w * xs + b - ys) ** 2
    try:
        losses.backward()
    except RuntimeError as exc:
        error = explain_error("non_scalar", exc)
    else:  # pragma: no cover - PyTorch has always refused this
        raise AssertionError("backward() on a vector loss unexpectedly succeeded")
    grads = []
    for reduce in (torch.mean, torch.sum):
        w.grad = None
        reduce((w * xs + b - ys) ** 2).backward()
        grads.append(float(w.grad.item()))
    return NonScalarDemo(tuple(xs.tolist()), tuple(ys.tolist()), tuple(losses.tolist()), error,
                         grads[0], grads[1])


def nudge_verdict(n: Nudge) -> str:
    """Whether the first-order prediction still holds at this δ (within 5 %)."""
    if abs(n.gap) <= 0.05 * max(abs(n.actual), 1e-12) or abs(n.gap) < 1e-6:
        return "Small δ: prediction and reality agree — the gradient is a good local guide."
    return ("Large δ: they come apart. The gradient is a slope at one point (first order only); "
            "the loss curves away from the tangent.")


def update_summary(upd: Update) -> str:
    """One update in words: w, b and the loss before and after."""
    return (f"One step with lr = {fmt(upd.lr)}: w {fmt(upd.w_before)} → {fmt(upd.w_after)}, "
            f"b {fmt(upd.b_before)} → {fmt(upd.b_after)}; loss {fmt(upd.loss_before)} → "
            f"{fmt(upd.loss_after)}.")


def non_scalar_summary(demo: NonScalarDemo) -> str:
    """The demo's outcome as rich text: the vector PyTorch refused, and both fixes."""
    losses = ", ".join(fmt(v) for v in demo.losses)
    return (f"losses = [{losses}] — three numbers, so backward() does not know where to start."
            f"<br><b>With the fix:</b> <code>losses.mean().backward()</code> → "
            f"w.grad = {fmt(demo.mean_w_grad)}; <code>losses.sum().backward()</code> → "
            f"w.grad = {fmt(demo.sum_w_grad)} (3 × larger: the sum does not divide by 3).")
