"""The gradient accumulation trap, run on real tensors.

``backward()`` *adds* into ``.grad``. Pressing it again after a new forward pass, without zeroing,
piles the gradients up: 0.4, 0.8, 1.2, … (in float32 0.39999998, 0.79999995, …). This module runs
exactly that with the chapter's mini network (:class:`~gradviz.core.mininet.MiniNetwork`, the one
object every panel shares), plus the neighbouring traps the chapter names:

* reusing one graph for a second ``backward()`` (PyTorch's real ``RuntimeError``) and what
  ``retain_graph=True`` changes;
* the two ways to zero (``optimizer.zero_grad()`` leaves ``.grad`` None, ``w.grad.zero_()``
  leaves 0 and fails while ``.grad`` is still None);
* ``backward()`` on a loss that is not a scalar, and the fix (reduce it first);
* "the gradient tells you how to improve": the first-order prediction ``w.grad · δ`` against the
  real change of the loss, and one update ``with torch.no_grad(): w -= lr * w.grad``.

Scripts and tests use :func:`press_backward`; the panel uses :class:`TrapModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from psygnal import Signal, SignalGroup

from gradviz.core.evented_settings import EventedSettings, Setting
from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import check_number
from gradviz.core.numbers import fmt
from gradviz.core.panel_info import PanelInfo, shared

#: The press modes: a new forward pass each press without / with zeroing, or one graph reused.
MODES = ("without", "with", "reuse")
MODE_TITLES = {"without": "Without zero_grad()", "with": "With zero_grad()",
               "reuse": "Reuse the same graph"}
#: The two zeroing forms: ``optimizer.zero_grad()`` (→ None) and ``w.grad.zero_()`` (→ 0).
ZERO_FORMS = ("optimizer", "tensor")
ZERO_FORM_TITLES = {"optimizer": "optimizer.zero_grad()", "tensor": "w.grad.zero_()"}

DTYPE = torch.float32


@dataclass(frozen=True)
class TorchError:
    """An error PyTorch (or Python) really raised, with our explanation and the fix.

    ``message`` is the exception's text exactly as raised; ``kind`` names the trap
    (``"reuse"``, ``"zero_none"``, ``"non_scalar"``).
    """

    kind: str
    exc_type: str
    message: str
    explanation: str
    fix: str


@dataclass(frozen=True)
class PressRecord:
    """What one press of ``loss.backward()`` did: ``.grad`` of w and b afterwards (None where
    PyTorch's ``.grad`` is None), the loss, and the error if the press failed."""

    index: int
    mode: str
    zero_form: str
    retain_graph: bool
    w_grad: float | None
    b_grad: float | None
    loss: float | None
    error: TorchError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ZeroRecord:
    """The outcome of one explicit zeroing: ``.grad`` afterwards, or the error raised."""

    form: str
    w_grad: float | None
    b_grad: float | None
    error: TorchError | None = None


def _grad(t: torch.Tensor) -> float | None:
    return None if t.grad is None else float(t.grad.item())


def _explain(kind: str, exc: BaseException) -> TorchError:
    texts = {
        "reuse": ("backward() frees the values the graph saved for it (here the input of ** 2) "
                  "as soon as it has used them, to save memory. A second backward() through "
                  "the same graph finds them gone.",
                  "Run the forward pass again before each backward() (a training loop does), "
                  "or call loss.backward(retain_graph=True) if you really need the graph "
                  "twice; then the gradients add up again."),
        "zero_none": ("Before the first backward() a parameter's .grad is None, not a tensor of "
                      "zeros, so there is nothing to call zero_() on.",
                      "Use optimizer.zero_grad() (it handles None), or guard the line with "
                      "'if w.grad is not None:'."),
        "non_scalar": ("backward() without an argument needs a single number to start from. "
                       "A loss with one value per example is a vector: PyTorch will not guess "
                       "how to combine them.",
                       "Reduce the loss to one number first: loss.mean().backward() or "
                       "loss.sum().backward()."),
    }
    explanation, fix = texts[kind]
    return TorchError(kind, type(exc).__name__, str(exc), explanation, fix)


class TrapSession:
    """The tensors of one experiment: leaves ``w`` and ``b`` (float32, ``requires_grad``), an
    optimizer over them (only ever used to zero), and the graph of the last forward pass.

    Parameters
    ----------
    net
        The shared mini network; its current x, y, w and b are copied into new tensors, so the
        experiment never changes the network.
    """

    def __init__(self, net: MiniNetwork) -> None:
        self.x = torch.tensor(net.x, dtype=DTYPE)
        self.y = torch.tensor(net.y, dtype=DTYPE)
        self.w = torch.tensor(net.w, dtype=DTYPE, requires_grad=True)
        self.b = torch.tensor(net.b, dtype=DTYPE, requires_grad=True)
        self._optimizer: torch.optim.SGD | None = None
        self.loss: torch.Tensor | None = None
        self.history: list[PressRecord] = []
        self.true_w_grad, self.true_b_grad = self._one_backward()

    @property
    def optimizer(self) -> torch.optim.SGD:
        """Built on first use: a process's first optimizer imports torch._dynamo (~0.8 s here),
        which must not delay the window's first frame. lr is irrelevant: the trap never steps,
        it only shows what backward() leaves in .grad."""
        if self._optimizer is None:
            self._optimizer = torch.optim.SGD([self.w, self.b], lr=0.1)
        return self._optimizer

    def _one_backward(self) -> tuple[float, float]:
        """One press's gradient, from fresh tensors: the dashed 'true gradient' line."""
        w = self.w.detach().clone().requires_grad_(True)
        b = self.b.detach().clone().requires_grad_(True)
        ((w * self.x + b - self.y) ** 2).backward()
        return float(w.grad.item()), float(b.grad.item())

    def forward(self) -> torch.Tensor:
        """The forward pass: a new graph every call."""
        self.loss = (self.w * self.x + self.b - self.y) ** 2
        return self.loss

    def press(self, mode: str = "without", zero_form: str = "optimizer",
              retain_graph: bool = False) -> PressRecord:
        """Press ``loss.backward()`` once in ``mode``; never raises for PyTorch's errors (they are
        recorded in :attr:`PressRecord.error`)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if zero_form not in ZERO_FORMS:
            raise ValueError(f"zero_form must be one of {ZERO_FORMS}, got {zero_form!r}")
        error = None
        if mode == "with":
            if zero_form == "optimizer":
                self.optimizer.zero_grad()
            else:
                with torch.no_grad():
                    for p in (self.w, self.b):
                        if p.grad is not None:
                            p.grad.zero_()
        if mode != "reuse" or self.loss is None:
            self.forward()
        assert self.loss is not None
        try:
            self.loss.backward(retain_graph=retain_graph if mode == "reuse" else False)
        except RuntimeError as exc:
            error = _explain("reuse", exc)
        record = PressRecord(len(self.history) + 1, mode, zero_form, retain_graph,
                             _grad(self.w), _grad(self.b), float(self.loss.item()), error)
        self.history.append(record)
        return record

    def zero(self, form: str) -> ZeroRecord:
        """Zero now with ``form``: ``"optimizer"`` sets ``.grad`` to None; ``"tensor"`` runs
        ``w.grad.zero_()`` and ``b.grad.zero_()`` unguarded, so it fails while ``.grad`` is None."""
        if form not in ZERO_FORMS:
            raise ValueError(f"form must be one of {ZERO_FORMS}, got {form!r}")
        error = None
        if form == "optimizer":
            self.optimizer.zero_grad()
        else:
            try:
                self.w.grad.zero_()  # type: ignore[union-attr]  # may be None: that is the point
                self.b.grad.zero_()  # type: ignore[union-attr]
            except AttributeError as exc:
                error = _explain("zero_none", exc)
        return ZeroRecord(form, _grad(self.w), _grad(self.b), error)


def press_backward(presses: int, zero_grad: bool, *, zero_form: str = "optimizer",
                   net: MiniNetwork | None = None) -> list[float | None]:
    """``w.grad`` after each of ``presses`` presses of ``loss.backward()``.

    Each press runs the forward pass again, then ``backward()``; with ``zero_grad`` the
    gradients are zeroed first (``zero_form`` ``"optimizer"`` or ``"tensor"``). Values are
    float32 results as PyTorch stores them (``0.39999998…``); None where ``.grad`` is None.

    >>> [round(g, 4) for g in press_backward(3, zero_grad=False)]
    [0.4, 0.8, 1.2]
    >>> [round(g, 4) for g in press_backward(3, zero_grad=True)]
    [0.4, 0.4, 0.4]
    """
    if isinstance(presses, bool) or not isinstance(presses, int) or presses < 0:
        raise ValueError(f"presses must be a whole number ≥ 0, got {presses!r}")
    session = TrapSession(net or MiniNetwork())
    mode = "with" if zero_grad else "without"
    return [session.press(mode, zero_form).w_grad for _ in range(presses)]


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
        error = _explain("non_scalar", exc)
    else:  # pragma: no cover - PyTorch has always refused this
        raise AssertionError("backward() on a vector loss unexpectedly succeeded")
    grads = []
    for reduce in (torch.mean, torch.sum):
        w.grad = None
        reduce((w * xs + b - ys) ** 2).backward()
        grads.append(float(w.grad.item()))
    return NonScalarDemo(tuple(xs.tolist()), tuple(ys.tolist()), tuple(losses.tolist()), error,
                         grads[0], grads[1])


# --------------------------------------------------------------------------- code listings


@dataclass(frozen=True)
class CodeListing:
    """Lines of Python and the indices of the lines that matter for the current mode."""

    lines: tuple[str, ...]
    highlight: tuple[int, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _literal(v: float) -> str:
    """A float literal for code listings (``1.0``, not ``1``: torch.tensor(1) is an integer
    tensor, which cannot require grad)."""
    text = fmt(v)
    return text if any(c in text for c in ".en") else text + ".0"


def trap_code(net: MiniNetwork, mode: str, zero_form: str = "optimizer",
              retain_graph: bool = False) -> CodeListing:
    """The code a press runs in ``mode``, with the numbers of the shared network."""
    head = [
        "import torch",
        "",
        f"x, y = torch.tensor({_literal(net.x)}), torch.tensor({_literal(net.y)})",
        f"w = torch.tensor({_literal(net.w)}, requires_grad=True)",
        f"b = torch.tensor({_literal(net.b)}, requires_grad=True)",
    ]
    if mode == "with" and zero_form == "optimizer":
        head.append("optimizer = torch.optim.SGD([w, b], lr=0.1)")
    lines = list(head)
    hi: list[int] = []
    if mode == "reuse":
        lines.append("loss = (w * x + b - y) ** 2          # forward pass ONCE")
        lines.append("for press in range(presses):")
        hi.append(len(lines))
        if retain_graph:
            lines.append("    loss.backward(retain_graph=True)  # graph kept: .grad piles up")
        else:
            lines.append("    loss.backward()      # 2nd press: RuntimeError, graph was freed")
    else:
        lines.append("for press in range(presses):")
        if mode == "with" and zero_form == "optimizer":
            hi.append(len(lines))
            lines.append("    optimizer.zero_grad()            # .grad becomes None")
        elif mode == "with":
            hi += [len(lines) + 1, len(lines) + 2]
            lines += ["    if w.grad is not None:          # None before the first backward",
                      "        w.grad.zero_()              # in place: .grad becomes 0",
                      "        b.grad.zero_()"]
        lines.append("    loss = (w * x + b - y) ** 2      # forward pass: a new graph")
        if mode == "without":
            hi.append(len(lines))
            lines.append("    loss.backward()                  # ADDS into w.grad: piles up")
        else:
            lines.append("    loss.backward()                  # fills w.grad afresh")
    lines.append("    print(w.grad)")
    return CodeListing(tuple(lines), tuple(hi))


def update_code(lr: float) -> CodeListing:
    """The manual update, always written with ``torch.no_grad()``."""
    lines = (
        "loss = (w * x + b - y) ** 2",
        "loss.backward()",
        "with torch.no_grad():         # an update must not be recorded in the graph",
        f"    w -= {fmt(lr)} * w.grad",
        f"    b -= {fmt(lr)} * b.grad",
    )
    return CodeListing(lines, (2, 3))


# --------------------------------------------------------------------------- the sub-model


class TrapEvents(SignalGroup):
    """Settings events, and ``pressed(PressRecord)``, ``zeroed(ZeroRecord)``, ``restarted()``."""

    mode = Signal(str)
    zero_form = Signal(str)
    retain_graph = Signal(bool)
    delta = Signal(float)
    lr = Signal(float)
    pressed = Signal(object)
    zeroed = Signal(object)
    restarted = Signal()


class TrapModel(EventedSettings):
    """The zero_grad trap's state: its settings (saved) and the running experiment (not saved).

    Parameters
    ----------
    net
        The shared :class:`MiniNetwork` (the one registered instance). When its x, y, w or b
        change, the experiment restarts from fresh tensors.

    Examples
    --------
    >>> trap = TrapModel(MiniNetwork())
    >>> [fmt(trap.press().w_grad) for _ in range(3)]
    ['0.4', '0.8', '1.2']
    """

    key = "trap"
    SETTINGS = {
        "mode": Setting("without", choices=MODES),
        "zero_form": Setting("optimizer", choices=ZERO_FORMS),
        "retain_graph": Setting(False),
        "delta": Setting(0.1, lo=-2.0, hi=2.0),
        "lr": Setting(0.1, lo=0.0, hi=10.0),
    }
    Events = TrapEvents

    def __init__(self, net: MiniNetwork | None = None) -> None:
        super().__init__()
        self.net = net if net is not None else MiniNetwork()
        self.session = TrapSession(self.net)
        self.last_zero: ZeroRecord | None = None
        for name in ("x", "y", "w", "b"):
            getattr(self.net.events, name).connect(self._on_net_changed)
        # Switching how a press works starts a clean experiment, as a fresh script would.
        for sig in (self.events.mode, self.events.zero_form, self.events.retain_graph):
            sig.connect(self._on_net_changed)

    def _on_net_changed(self, *_: Any) -> None:
        self.restart()

    @property
    def history(self) -> list[PressRecord]:
        return self.session.history

    def press(self) -> PressRecord:
        """One press in the current mode; emits ``pressed``."""
        record = self.session.press(self.mode, self.zero_form, self.retain_graph)
        self.events.pressed.emit(record)
        return record

    def zero(self, form: str) -> ZeroRecord:
        """Zero now with ``form``; emits ``zeroed``."""
        record = self.session.zero(form)
        self.last_zero = record
        self.events.zeroed.emit(record)
        return record

    def restart(self) -> None:
        """Fresh tensors, empty history; emits ``restarted``."""
        self.session = TrapSession(self.net)
        self.last_zero = None
        self.events.restarted.emit()

    def current_grads(self) -> tuple[float | None, float | None]:
        return _grad(self.session.w), _grad(self.session.b)

    def code(self) -> CodeListing:
        return trap_code(self.net, self.mode, self.zero_form, self.retain_graph)

    def reset(self) -> None:
        super().reset()
        self.restart()


PANEL = PanelInfo("trap", "zero_grad trap", "trap:QtTrapPanel", order=50,
                  models=lambda model: [TrapModel(shared(model, MiniNetwork, MiniNetwork.key))])
