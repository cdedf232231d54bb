"""The chapter's mini network, shared by the graph example, the zero_grad trap and the (w, b)
loss surface: a linear unit ``pred = w*x + b`` with squared-error loss ``(pred - y)**2``.

With the defaults (x = 1, w = 0.5, b = 0, y = 0.3) one ``backward()`` gives ``w.grad = 0.4``,
the number the chapter explains. A small synthetic data set (seeded) serves the training run and
the mean-squared-error surface over (w, b).
"""

from __future__ import annotations

import torch

from gradviz.core.model import Setting, SettingsModel


def _number(default: float, label: str, doc: str, lo: float = -100.0,
            hi: float = 100.0) -> Setting:
    return Setting(default, lo=lo, hi=hi, label=label, doc=doc)


class MiniNetwork(SettingsModel):
    """One example (x, y), the parameters w and b, and the recipe of a seeded data set
    ``y = true_w · x + true_b + noise`` with x uniform in [-1, 1].

    Examples
    --------
    >>> net = MiniNetwork(w=1.5)
    >>> net.w, net.b
    (1.5, 0.0)
    """

    key = "mininet"
    format_version = 1
    SETTINGS = {
        "x": _number(1.0, "input x", "The one example's input."),
        "y": _number(0.3, "target y", "The one example's target: the loss is (w·x + b − y)²."),
        "w": _number(0.5, "weight w", "The weight: a parameter with requires_grad=True."),
        "b": _number(0.0, "bias b", "The bias: a parameter with requires_grad=True."),
        "seed": Setting(0, lo=0, hi=2**31 - 1, label="data seed",
                        doc="The random seed of the synthetic data set: same seed, same data."),
        "n_samples": Setting(32, lo=2, hi=10_000, label="examples",
                             doc="How many examples the synthetic data set has."),
        "true_w": _number(2.0, "true slope", "The slope the data set was generated with."),
        "true_b": _number(-1.0, "true intercept",
                          "The intercept the data set was generated with."),
        "noise": _number(0.1, "noise", "Standard deviation of the noise added to each target.",
                         lo=0.0, hi=10.0),
    }

    def single_loss(self, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The one-example loss (w*x + b - y)**2, in float32 like students' code."""
        x = torch.tensor(self.x, dtype=w.dtype)
        y = torch.tensor(self.y, dtype=w.dtype)
        return (w * x + b - y) ** 2

    def dataset(self, dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
        """The seeded synthetic data set ``(xs, ys)``; the same seed gives the same data."""
        gen = torch.Generator().manual_seed(int(self.seed))
        xs = torch.rand(self.n_samples, generator=gen, dtype=torch.float64) * 2 - 1
        noise = torch.randn(self.n_samples, generator=gen, dtype=torch.float64) * self.noise
        ys = self.true_w * xs + self.true_b + noise
        return xs.to(dtype), ys.to(dtype)

    def mse(self, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Mean squared error on the data set; ``w``/``b`` may be grids (vectorized)."""
        xs, ys = self.dataset(w.dtype)
        pred = w.unsqueeze(-1) * xs + b.unsqueeze(-1)
        return ((pred - ys) ** 2).mean(dim=-1)
