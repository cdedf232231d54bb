"""One training iteration of the Playground walked phase by phase, with the numbers plugged in.

:class:`BackpropWalk` runs the model's next update as four real phases — ``forward`` (each layer's
pre-activation z and activation a), ``loss``, ``backward`` (each layer's δ = ∂ℓᵢ/∂z for every
point i of the batch) and ``step`` (the real ``optimizer.step()``). It makes exactly the update
:meth:`PlaygroundModel.step` would have made, so a walked run and a stepped run stay identical.

For any weight, :meth:`BackpropWalk.gradient` shows ∂L/∂w as the batch mean of δ·a (plus the
regularization term) and :meth:`BackpropWalk.update` the real change w_new − w_old beside the
chosen optimizer's formula evaluated on torch's own optimizer state. Every number is read from
torch tensors; the formulas are shown *next to* torch, which the tests check they agree with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from gradviz.core.numbers import fmt
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_net import data_loss

PHASES = ("forward", "loss", "backward", "step")
#: How many terms of a batch sum are written out before "…".
SHOWN_TERMS = 4


@dataclass
class LayerTrace:
    """One linear layer of the forward and backward pass, for the batch (row i = point i).

    ``inputs`` is a (the layer's input), ``z`` = inputs·Wᵀ + b, ``outputs`` the activation of z
    (z itself for the output layer); ``delta`` is filled by the backward phase.
    """

    inputs: torch.Tensor
    z: torch.Tensor
    outputs: torch.Tensor
    delta: torch.Tensor | None = None


@dataclass
class Formula:
    """A formula as text with the numbers plugged in, its value and torch's own value."""

    text: str
    value: float
    torch_value: float


@dataclass
class _Snapshot:
    params: list[torch.Tensor] = field(default_factory=list)
    state: list[dict[str, torch.Tensor]] = field(default_factory=list)


def _snapshot(model: PlaygroundModel) -> _Snapshot:
    opt = model.optimizer_instance
    params = list(model.network.parameters())
    return _Snapshot([p.detach().clone() for p in params],
                     [{k: v.detach().clone() for k, v in opt.state.get(p, {}).items()
                       if isinstance(v, torch.Tensor)} for p in params])


class BackpropWalk:
    """The model's next update, one phase per :meth:`advance`.

    Parameters
    ----------
    model
        The Playground; do not step it by other means until the walk is :attr:`done`.
    """

    def __init__(self, model: PlaygroundModel) -> None:
        self.model = model
        self.next = 0
        self.layers: list[LayerTrace] = []
        self.x = self.y = self.output = self.loss = None
        self.data_loss: float | None = None
        self.penalty: float | None = None
        self.before = self.after = None
        self._run = model.run
        self._loss_tensor: torch.Tensor | None = None

    @property
    def done(self) -> bool:
        return self.next == len(PHASES)

    @property
    def phase(self) -> str | None:
        """The phase that ran last (None before the first)."""
        return PHASES[self.next - 1] if self.next else None

    def advance(self) -> str:
        """Run the next phase and return its name."""
        if self.done:
            raise ValueError("this iteration is finished; start a new walk")
        if self.model.run is not self._run:
            raise ValueError("the run was restarted during the walk")
        name = PHASES[self.next]
        getattr(self, f"_{name}")()
        self.next += 1
        return name

    def run_all(self) -> None:
        while not self.done:
            self.advance()

    def _forward(self) -> None:
        self.model.optimizer_instance.zero_grad()
        self.x, self.y = self.model.next_batch()
        a = self.x
        modules = list(self.model.network)
        for i, module in enumerate(modules):
            if not isinstance(module, torch.nn.Linear):
                continue
            z = module(a)
            z.retain_grad()
            nxt = modules[i + 1](z) if i + 1 < len(modules) else z
            self.layers.append(LayerTrace(a, z, nxt))
            a = nxt
        self.output = a

    def _loss(self) -> None:
        task = self.model.task
        self._loss_tensor = self.model.objective(self.output, self.y)
        self.data_loss = float(data_loss(self.output.detach(), self.y, task))
        self.loss = float(self._loss_tensor.detach())
        self.penalty = self.loss - self.data_loss

    def _backward(self) -> None:
        self._loss_tensor.backward()
        batch = len(self.x)
        for layer in self.layers:
            # The loss is the batch mean of per-point losses ℓᵢ, so z.grad = δᵢ / B.
            layer.delta = layer.z.grad.detach() * batch
        self.before = _snapshot(self.model)

    def _step(self) -> None:
        self.model.optimizer_instance.step()
        self.after = _snapshot(self.model)
        self.model.finish_update(self.loss)
        self.model.events.stepped.emit(self.model.steps)

    # -- one weight -----------------------------------------------------------------------

    def _param(self, layer: int, bias: bool) -> tuple[int, torch.Tensor]:
        index = 2 * layer + (1 if bias else 0)
        return index, list(self.model.network.parameters())[index]

    def gradient(self, layer: int, j: int, k: int | None = None) -> Formula:
        """∂L/∂w for weight ``W[j, k]`` of linear layer ``layer`` (bias ``b[j]`` if ``k`` is
        None): the batch mean of δ·a, plus the regularization term for weights."""
        if self.next < 3:
            raise ValueError("the gradient exists after the backward phase")
        trace = self.layers[layer]
        delta = trace.delta[:, j].double()
        a = torch.ones_like(delta) if k is None else trace.inputs[:, k].detach().double()
        terms = delta * a
        value = float(terms.mean())
        parts = [f"({fmt(d)})·({fmt(v)})" for d, v in zip(delta[:SHOWN_TERMS].tolist(),
                                                          a[:SHOWN_TERMS].tolist(), strict=True)]
        more = " + …" if len(terms) > SHOWN_TERMS else ""
        name = f"b{layer + 1}[{j}]" if k is None else f"W{layer + 1}[{j},{k}]"
        what = "δ" if k is None else "δ·a"
        text = (f"∂L/∂{name} = mean over {len(terms)} points of {what} = "
                f"(1/{len(terms)})·({' + '.join(parts)}{more}) = {fmt(value)}")
        index, param = self._param(layer, k is None)
        if k is not None and self.model.regularization != "none":
            w = float(self.before.params[index][j, k])
            rate = self.model.reg_rate
            reg = rate * w if self.model.regularization == "L2" else rate * (w > 0) - rate * (w < 0)
            rule = "λ·w" if self.model.regularization == "L2" else "λ·sign(w)"
            text += f"\n  + {rule} = {fmt(rate)}·{fmt(w)} → {fmt(value + reg)}"
            value += reg
        grad = param.grad[j] if k is None else param.grad[j, k]
        return Formula(text + f"\n  torch's .grad: {fmt(grad)}", value, float(grad))

    def update(self, layer: int, j: int, k: int | None = None) -> Formula:
        """The real change w_new − w_old of ``optimizer.step()`` beside the optimizer's formula on
        torch's state (gradient g, momentum buffer, Adam's moments, RMSprop's average)."""
        if not self.done:
            raise ValueError("the update exists after the step phase")
        index, param = self._param(layer, k is None)
        at = (j,) if k is None else (j, k)
        real = float(self.after.params[index][at]) - float(self.before.params[index][at])
        g = float(param.grad[at])
        old = {key: v[at] if v.dim() else v for key, v in self.before.state[index].items()}
        new = {key: v[at] if v.dim() else v for key, v in self.after.state[index].items()}
        group = self.model.optimizer_instance.param_groups[0]
        text, value = _update_formula(self.model.optimizer, group, g, old, new)
        return Formula(f"{text}\n  real w_new − w_old: {fmt(real)}", value, real)


def _update_formula(kind: str, group: dict, g: float, old: dict, new: dict) -> tuple[str, float]:
    """The optimizer's update rule with this weight's numbers (torch's state before and after
    the step) plugged in, and the Δw it gives."""
    rule = {"SGD": _sgd, "Adam": _adam, "RMSprop": _rmsprop}[kind]
    return rule(group, g, {k: float(v) for k, v in old.items()},
                {k: float(v) for k, v in new.items()})


def _sgd(group: dict, g: float, old: dict, new: dict) -> tuple[str, float]:
    lr, mu = group["lr"], group["momentum"]
    if mu == 0:
        return f"Δw = −lr·g = −{fmt(lr)}·({fmt(g)}) = {fmt(-lr * g)}", -lr * g
    buf = new["momentum_buffer"]
    prev = (f"{fmt(mu)}·({fmt(old['momentum_buffer'])}) + ({fmt(g)})" if old
            else f"g = {fmt(g)} (the first step starts the buffer)")
    return (f"b = μ·b_old + g = {prev} = {fmt(buf)}\n"
            f"Δw = −lr·b = −{fmt(lr)}·({fmt(buf)}) = {fmt(-lr * buf)}"), -lr * buf


def _adam(group: dict, g: float, old: dict, new: dict) -> tuple[str, float]:
    lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
    t = new["step"]
    m, v = new["exp_avg"], new["exp_avg_sq"]
    m_old, v_old = old.get("exp_avg", 0.0), old.get("exp_avg_sq", 0.0)
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    value = -lr * m_hat / (v_hat**0.5 + eps)
    return (f"m = β1·m_old + (1−β1)·g = {fmt(b1)}·({fmt(m_old)}) + {fmt(1 - b1)}·({fmt(g)}) = "
            f"{fmt(m)}\n"
            f"v = β2·v_old + (1−β2)·g² = {fmt(b2)}·{fmt(v_old)} + {fmt(1 - b2)}·({fmt(g)})² = "
            f"{fmt(v)}\n"
            f"Δw = −lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε), t = {t:g}\n"
            f"   = −{fmt(lr)}·({fmt(m_hat)}) / ({fmt(v_hat**0.5)} + {fmt(eps)}) = {fmt(value)}"
            ), value


def _rmsprop(group: dict, g: float, old: dict, new: dict) -> tuple[str, float]:
    lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
    v, v_old = new["square_avg"], old.get("square_avg", 0.0)
    avg = v**0.5 + eps
    text = (f"v = α·v_old + (1−α)·g² = {fmt(alpha)}·{fmt(v_old)} + {fmt(1 - alpha)}·({fmt(g)})² "
            f"= {fmt(v)}\n")
    if mu > 0:
        buf, buf_old = new["momentum_buffer"], old.get("momentum_buffer", 0.0)
        return (text + f"b = μ·b_old + g/(√v + ε) = {fmt(mu)}·({fmt(buf_old)}) + ({fmt(g)})/"
                f"{fmt(avg)} = {fmt(buf)}\n"
                f"Δw = −lr·b = −{fmt(lr)}·({fmt(buf)}) = {fmt(-lr * buf)}"), -lr * buf
    return (text + f"Δw = −lr·g/(√v + ε) = −{fmt(lr)}·({fmt(g)})/{fmt(avg)} = "
            f"{fmt(-lr * g / avg)}"), -lr * g / avg
