"""The chapter's mini network, shared by the graph example, the zero_grad trap and the (w, b)
loss surface: a linear unit ``pred = w*x + b`` with squared-error loss ``(pred - y)**2``.

With the defaults (x = 1, w = 0.5, b = 0, y = 0.3) one ``backward()`` gives ``w.grad = 0.4``,
the number the chapter explains. A small synthetic data set (seeded) serves the training run and
the mean-squared-error surface over (w, b).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from psygnal import evented

from gradviz.core.model import FieldModel


@evented
@dataclass
class MiniNetwork(FieldModel):
    key = "mininet"
    format_version = 1

    x: float = field(default=1.0, metadata={"lo": -100.0, "hi": 100.0})
    y: float = field(default=0.3, metadata={"lo": -100.0, "hi": 100.0})
    w: float = field(default=0.5, metadata={"lo": -100.0, "hi": 100.0})
    b: float = field(default=0.0, metadata={"lo": -100.0, "hi": 100.0})
    # The synthetic data set: y = true_w * x + true_b + noise, x uniform in [-1, 1].
    seed: int = field(default=0, metadata={"lo": 0, "hi": 2**31 - 1})
    n_samples: int = field(default=32, metadata={"lo": 2, "hi": 10_000})
    true_w: float = field(default=2.0, metadata={"lo": -100.0, "hi": 100.0})
    true_b: float = field(default=-1.0, metadata={"lo": -100.0, "hi": 100.0})
    noise: float = field(default=0.1, metadata={"lo": 0.0, "hi": 10.0})

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
