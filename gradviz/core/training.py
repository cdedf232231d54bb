"""The training-loop pattern on a real run: linear regression with ``torch.optim.SGD``.

Every training loop repeats four phases — ``optimizer.zero_grad()``, the forward pass,
``loss.backward()``, ``optimizer.step()``. :class:`TrainingRun` executes them one phase at a time
(so a view can highlight the phase that just ran) on the shared mini network's seeded data set.
:class:`TrainingModel` runs two of them side by side: a correct loop and the same loop with the
``zero_grad()`` line forgotten, whose gradients pile up so it oscillates or blows up.

A loss that overflows marks that run "diverged" and stops it; nothing raises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import Setting, SettingsModel
from gradviz.core.numbers import fmt
from gradviz.core.panel_info import PanelInfo, Presenter, shared
from gradviz.core.trap_code import CodeListing

#: The four phases of one training step, in the order they run.
PHASES = ("zero_grad", "forward", "backward", "step")
PHASE_CODE = {
    "zero_grad": "optimizer.zero_grad()",
    "forward": "loss = ((w * xs + b - ys) ** 2).mean()",
    "backward": "loss.backward()",
    "step": "optimizer.step()",
}
#: Runs stop after this many steps (the curves would no longer fit a slide anyway).
MAX_STEPS = 5000


@dataclass(frozen=True)
class PhaseResult:
    """What one phase did: its name, whether it was skipped (the buggy run's missing
    ``zero_grad()``) and the run's state afterwards."""

    run: str
    phase: str
    skipped: bool
    step: int
    loss: float | None
    w: float
    b: float
    w_grad: float | None


class TrainingRun:
    """One real training run, advanced a phase at a time.

    Parameters
    ----------
    net
        Supplies the data set (``net.dataset()``) and the starting w and b.
    lr
        SGD learning rate (change it later with :meth:`set_lr`).
    zero_grad
        False leaves out ``optimizer.zero_grad()``: the gradient accumulation bug.
    """

    def __init__(self, net: MiniNetwork, lr: float, zero_grad: bool, name: str = "") -> None:
        self.name = name or ("correct" if zero_grad else "buggy")
        self.zero_grad = zero_grad
        self.xs, self.ys = net.dataset(torch.float32)
        self.w = torch.tensor(net.w, dtype=torch.float32, requires_grad=True)
        self.b = torch.tensor(net.b, dtype=torch.float32, requires_grad=True)
        # w and b as floats, read again only after optimizer.step() changes them: every phase
        # reports them, and reading a tensor costs more than the phase's own arithmetic.
        self._wb = (float(self.w.item()), float(self.b.item()))
        self.lr = lr
        self._optimizer: torch.optim.SGD | None = None
        self.losses: list[float] = []
        self.next_phase = 0  # index into PHASES
        self.last_phase: str | None = None
        self.diverged = False
        self._loss: torch.Tensor | None = None

    @property
    def optimizer(self) -> torch.optim.SGD:
        """Built on first use: a process's first optimizer imports torch._dynamo (~0.8 s here),
        which must not delay the window's first frame."""
        if self._optimizer is None:
            self._optimizer = torch.optim.SGD([self.w, self.b], lr=self.lr)
        return self._optimizer

    @property
    def steps(self) -> int:
        """Completed ``optimizer.step()`` calls."""
        return len(self.losses) - (1 if self.next_phase in (2, 3) else 0)

    @property
    def finished(self) -> bool:
        return self.diverged or len(self.losses) >= MAX_STEPS and self.next_phase == 0

    @property
    def status(self) -> str:
        if self.diverged:
            return "diverged (loss → inf)"
        if self.finished:
            return f"stopped after {MAX_STEPS} steps"
        if not self.losses and self.next_phase == 0:
            return "not started"
        return "in progress"

    def set_lr(self, lr: float) -> None:
        self.lr = lr
        if self._optimizer is not None:
            for group in self._optimizer.param_groups:
                group["lr"] = lr

    def advance(self) -> PhaseResult | None:
        """Run the next phase; None once the run has diverged or finished."""
        if self.finished:
            return None
        phase = PHASES[self.next_phase]
        skipped = False
        if phase == "zero_grad":
            if self.zero_grad:
                self.optimizer.zero_grad()
            else:
                skipped = True
        elif phase == "forward":
            self._loss = ((self.w * self.xs + self.b - self.ys) ** 2).mean()
            value = float(self._loss.item())
            self.losses.append(value)
            if not (math.isfinite(value) and math.isfinite(self._wb[0])
                    and math.isfinite(self._wb[1])):
                self.diverged = True
        elif phase == "backward":
            assert self._loss is not None
            self._loss.backward()
            self._loss = None  # the graph is freed; keep nothing alive
        else:
            self.optimizer.step()
            self._wb = (float(self.w.item()), float(self.b.item()))
        self.last_phase = phase
        self.next_phase = 0 if self.diverged else (self.next_phase + 1) % len(PHASES)
        grad = self.w.grad
        return PhaseResult(self.name, phase, skipped, self.steps,
                           self.losses[-1] if self.losses else None,
                           *self._wb,
                           None if grad is None else float(grad.item()))

    def step(self) -> None:
        """Finish the current step (all remaining phases up to and including ``step``)."""
        while not self.finished:
            self.advance()
            if self.next_phase == 0:
                break


def train(net: MiniNetwork, lr: float, steps: int, zero_grad: bool = True) -> list[float]:
    """The loss at every step of a run of ``steps`` steps (stops early if it diverges)."""
    run = TrainingRun(net, lr, zero_grad)
    for _ in range(steps):
        if run.finished:
            break
        run.step()
    return list(run.losses)


def training_code(zero_grad: bool, lr: float) -> CodeListing:
    """The loop the run executes; the zero_grad line is the one that matters."""
    zero = ("    optimizer.zero_grad()        # clear last step's gradients"
            if zero_grad else
            "    # optimizer.zero_grad()  <- forgotten: .grad piles up")
    lines = (
        "w = torch.tensor(0.5, requires_grad=True)",
        "b = torch.tensor(0.0, requires_grad=True)",
        f"optimizer = torch.optim.SGD([w, b], lr={lr:.4g})",
        "for step in range(steps):",
        zero,
        "    loss = ((w * xs + b - ys) ** 2).mean()",
        "    loss.backward()              # ADDS into .grad",
        "    optimizer.step()",
        "    # step() does: with torch.no_grad(): w -= lr * w.grad",
    )
    return CodeListing(lines, (4,))


class TrainingModel(SettingsModel):
    """Two runs side by side — with ``zero_grad()`` and without — on the shared data set.

    Actions: ``stepped(list[PhaseResult])`` after each batch of phases, ``restarted()``.

    Parameters
    ----------
    net
        The shared :class:`MiniNetwork`; changing its data set or starting w, b restarts both runs.
    """

    key = "training"
    SETTINGS = {
        "lr": Setting(0.1, lo=1e-4, hi=10.0, log=True, label="learning rate",
                      doc="SGD's step size for both runs (log scale); large values diverge."),
        "steps_per_second": Setting(10.0, lo=0.5, hi=1000.0, log=True, label="steps per second",
                                    doc="How fast Run trains (log scale)."),
    }
    ACTIONS = {"stepped": (object,), "restarted": ()}

    def __init__(self, net: MiniNetwork | None = None) -> None:
        super().__init__()
        self.net = net if net is not None else MiniNetwork()
        self.runs: dict[str, TrainingRun] = {}
        self.restart(emit=False)
        for name in ("w", "b", "seed", "n_samples", "true_w", "true_b", "noise"):
            getattr(self.net.events, name).connect(self._on_net_changed)
        self.events.lr.connect(self._on_lr_changed)

    def _on_net_changed(self, *_: Any) -> None:
        self.restart()

    def _on_lr_changed(self, lr: float) -> None:
        for run in self.runs.values():
            run.set_lr(lr)

    def restart(self, emit: bool = True) -> None:
        self.runs = {"correct": TrainingRun(self.net, self.lr, True, "correct"),
                     "buggy": TrainingRun(self.net, self.lr, False, "buggy")}
        if emit:
            self.events.restarted.emit()

    @property
    def finished(self) -> bool:
        return all(run.finished for run in self.runs.values())

    @property
    def last_phase(self) -> str | None:
        return self.runs["correct"].last_phase or self.runs["buggy"].last_phase

    @property
    def next_phase(self) -> str:
        live = [r for r in self.runs.values() if not r.finished]
        return PHASES[(live[0] if live else self.runs["correct"]).next_phase]

    def advance(self, phases: int = 1) -> list[PhaseResult]:
        """Advance every live run by ``phases`` phases; emits ``stepped`` once."""
        results: list[PhaseResult] = []
        for _ in range(max(0, int(phases))):
            for run in self.runs.values():
                res = run.advance()
                if res is not None:
                    results.append(res)
        if results:
            self.events.stepped.emit(results)
        return results

    def step(self) -> list[PhaseResult]:
        """Finish the current step of both runs (they stay in phase)."""
        remaining = len(PHASES) - self.runs["correct"].next_phase
        if self.runs["correct"].finished:
            remaining = len(PHASES) - self.runs["buggy"].next_phase
        return self.advance(remaining)

    def reset(self) -> None:
        super().reset()
        self.restart()


# --------------------------------------------------------------------------- what the view shows


@dataclass(frozen=True)
class LossCurve:
    """A run's loss curve as a log plot draws it: the steps and losses where the loss is finite
    and positive, the peak-downsampling factor that keeps about 800 points on screen (swings
    stay visible, the redraw stays cheap), and the last drawable point."""

    steps: np.ndarray
    losses: np.ndarray
    downsample: int

    @property
    def last(self) -> tuple[float, float] | None:
        """(step, log10 loss) of the last drawable point: where a diverged run gets its mark."""
        if not len(self.steps):
            return None
        return float(self.steps[-1]), math.log10(float(self.losses[-1]))


def loss_curve(losses: list[float]) -> LossCurve:
    """:class:`LossCurve` of one run's losses (vectorized: runs reach thousands of steps)."""
    values = np.asarray(losses, dtype=float)
    steps = np.arange(len(values), dtype=float)
    ok = np.isfinite(values) & (values > 0)
    return LossCurve(steps[ok], values[ok], max(1, len(values) // 800))


def log_ticks(values: list[float]) -> list[list[tuple[float, str]]] | None:
    """Ticks for a log10 axis over ``values``: decades on the first level, 2 and 5 × on the
    second (a plot drops the second level when its labels would crowd); None with no positive
    finite value. pyqtgraph's own log ticks label every minor line."""
    arr = np.asarray(values, dtype=float)
    finite = arr[np.isfinite(arr) & (arr > 0)]
    if not len(finite):
        return None
    lo, hi = math.floor(math.log10(finite.min())), math.ceil(math.log10(finite.max()))
    decades = range(lo, hi + 1)
    if hi - lo > 12:  # a diverging run spans dozens of decades: every few is enough
        decades = range(lo, hi + 1, math.ceil((hi - lo) / 8))
    minor = (2, 5) if hi - lo <= 4 else ()
    return [[(float(k), fmt(10.0 ** k)) for k in decades],
            [(k + math.log10(m), fmt(m * 10.0 ** k)) for k in decades for m in minor]]


def run_summary(run: TrainingRun) -> str:
    """A run's state in one line: step, last loss, w, w.grad (the panel adds colour and status)."""
    loss = run.losses[-1] if run.losses else None
    grad = None if run.w.grad is None else float(run.w.grad.item())
    return (f"step {run.steps}, loss {'—' if loss is None else fmt(loss)}, "
            f"w = {fmt(run.w.item())}, w.grad = {fmt(grad)}")


def centre_text(model: TrainingModel) -> str:
    """The loop diagram's caption: a hint before the first phase, then the step count."""
    if model.last_phase is None:
        return "press Run or Next phase"
    return f"repeat — step {model.runs['correct'].steps}"


PANEL = PanelInfo("training", "Training loop", "training:QtTrainingPanel", order=60,
                  models=lambda model: [TrainingModel(shared(model, MiniNetwork, MiniNetwork.key))],
                  presenter=Presenter(show=("plot", "stepping", "status"),
                                      fold=("training-settings", "code")))
