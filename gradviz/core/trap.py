"""The gradient accumulation trap, run on real tensors.

``backward()`` *adds* into ``.grad``. Pressing it again after a new forward pass, without zeroing,
piles the gradients up: 0.4, 0.8, 1.2, … (in float32 0.39999998, 0.79999995, …). This module runs
exactly that with the chapter's mini network (:class:`~gradviz.core.mininet.MiniNetwork`, the one
object every panel shares), plus the neighbouring traps the chapter names: reusing one graph for a
second ``backward()`` (PyTorch's real ``RuntimeError``) and what ``retain_graph=True`` changes,
and the two ways to zero (``optimizer.zero_grad()`` leaves ``.grad`` None, ``w.grad.zero_()``
leaves 0 and fails while ``.grad`` is still None).

Reading the gradient (nudges, one update, the non-scalar loss) lives in
:mod:`gradviz.core.trap_reading`; the code listings in :mod:`gradviz.core.trap_code`.
Scripts and tests use :func:`press_backward`; the panel uses :class:`TrapModel`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import Setting, SettingsModel
from gradviz.core.numbers import fmt
from gradviz.core.panel_info import PanelInfo, Presenter, shared
from gradviz.core.trap_code import CodeListing, trap_code

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


def explain_error(kind: str, exc: BaseException) -> TorchError:
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
            error = explain_error("reuse", exc)
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
                error = explain_error("zero_none", exc)
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

# --------------------------------------------------------------------------- the sub-model


class TrapModel(SettingsModel):
    """The zero_grad trap's state: its settings (saved) and the running experiment (not saved).

    Actions: ``pressed(PressRecord)``, ``zeroed(ZeroRecord)``, ``restarted()``.

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
        "mode": Setting("without", choices=MODES, label="press mode",
                        choice_labels=tuple(MODE_TITLES[m] for m in MODES),
                        doc="How each press runs: a new graph without or with zeroing first, "
                            "or the same graph again."),
        "zero_form": Setting("optimizer", choices=ZERO_FORMS, label="zero with",
                             choice_labels=tuple(ZERO_FORM_TITLES[f] for f in ZERO_FORMS),
                             doc="optimizer.zero_grad() sets .grad to None (PyTorch's default "
                                 "since 2.0); w.grad.zero_() fills the existing tensor with 0 "
                                 "(it needs one to exist)."),
        "retain_graph": Setting(False, label="retain_graph",
                                doc="Keep the graph's saved values after backward(), so the "
                                    "same graph can be walked again."),
        "delta": Setting(0.1, lo=-2.0, hi=2.0, step=0.01, label="nudge δ",
                         doc="How far to move w when comparing the predicted and the real "
                             "change of the loss."),
        "lr": Setting(0.1, lo=0.0, hi=10.0, step=0.05, decimals=3, label="learning rate",
                      doc="The step size of the one gradient-descent update shown below."),
    }
    ACTIONS = {"pressed": (object,), "zeroed": (object,), "restarted": ()}

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


# --------------------------------------------------------------------------- what the view shows


@dataclass(frozen=True)
class HistoryView:
    """The press-history plot, worked out from the records: ``.grad`` per press (NaN where it
    was None), the true-gradient line, the failed presses, the axes' ranges and tick spacing."""

    presses: tuple[float, ...]
    w_grads: tuple[float, ...]
    b_grads: tuple[float, ...]
    true_line: tuple[tuple[float, float], tuple[float, float]]
    errors: tuple[tuple[float, ...], tuple[float, ...]]
    x_range: tuple[float, float]
    tick: int
    y_range: tuple[float, float]


def history_view(history: Sequence[PressRecord], true_w_grad: float) -> HistoryView:
    """What the history plot draws for ``history``: at least five presses wide, ten ticks at
    most, and headroom at the top so the legend stays clear of a flat line."""
    n = len(history)
    ws = tuple(math.nan if r.w_grad is None else r.w_grad for r in history)
    bs = tuple(math.nan if r.b_grad is None else r.b_grad for r in history)
    span = max(n, 5) + 0.5
    bad = [(float(r.index), r.w_grad) for r in history if not r.ok and r.w_grad is not None]
    finite = [v for v in (*ws, *bs, true_w_grad) if math.isfinite(v)]
    lo, hi = min(finite + [0.0]), max(finite + [0.0])
    pad = 0.1 * (hi - lo or 1.0)
    return HistoryView(
        presses=tuple(float(i) for i in range(1, n + 1)), w_grads=ws, b_grads=bs,
        true_line=((0.5, span), (true_w_grad, true_w_grad)),
        errors=(tuple(p[0] for p in bad), tuple(p[1] for p in bad)),
        x_range=(0.5, span), tick=max(1, math.ceil(span / 10)), y_range=(lo - pad, hi + 4 * pad))


def ratio(value: float | None, reference: float) -> float | None:
    """``value / reference``, or None when either makes that meaningless."""
    if value is None or reference == 0:
        return None
    return value / reference


def press_summary(history: Sequence[PressRecord], w_grad: float | None,
                  true_w_grad: float) -> str:
    """One line under the button: how many presses, and .grad against one press's gradient."""
    n = len(history)
    if not n:
        return "Not pressed yet: .grad is None until the first backward()."
    return (f"{n} press{'es' if n != 1 else ''} in “{MODE_TITLES[history[-1].mode]}”: "
            f"w.grad = {fmt(w_grad)}, that is {fmt(ratio(w_grad, true_w_grad))} × "
            f"one press's gradient ({fmt(true_w_grad)}).")


def zero_summary(record: ZeroRecord) -> str:
    """What an explicit zeroing left in .grad (or that it failed)."""
    if record.error is not None:
        return "failed — PyTorch's message is in the red box"
    return f"now w.grad = {fmt(record.w_grad)}, b.grad = {fmt(record.b_grad)}"


PANEL = PanelInfo("trap", "zero_grad trap", "trap:QtTrapPanel", order=50,
                  models=lambda model: [TrapModel(shared(model, MiniNetwork, MiniNetwork.key))],
                  presenter=Presenter(show=("plot", "stepping", "nudge", "non-scalar"),
                                      fold=("trap-settings", "code"),
                                      overlay=("trap-press-status",), row=("stepping", "zero")))
