"""What every neuron of the Playground network outputs over the input plane, in one batched
forward pass over an n × n grid: arrays ready to draw as heatmaps, and the decision boundary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gradviz.core.playground_data import EXTENT

GRID = 50


@dataclass(frozen=True)
class Heatmaps:
    """Each layer's neuron outputs on the grid.

    ``layers[l]`` has shape (neurons, n, n), float32, for hidden layer l (after its activation)
    and, last, the output layer (its raw outputs: logits or the regression value);
    ``[:, i, j]`` is at ``(xs[j], ys[i])``, so row i is one value of x2 (image order).
    """

    xs: np.ndarray
    ys: np.ndarray
    layers: list[np.ndarray]


def grid_points(n: int = GRID, extent: float = EXTENT) -> tuple[torch.Tensor, torch.Tensor]:
    """The n × n grid over ``[-extent, extent]²`` as an (n², 2) float32 tensor, and the axis."""
    axis = torch.linspace(-extent, extent, n, dtype=torch.float32)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1), axis


def neuron_heatmaps(network: torch.nn.Sequential, n: int = GRID,
                    extent: float = EXTENT) -> Heatmaps:
    """Every neuron's output on an n × n grid, from one forward pass of the n² points."""
    points, axis = grid_points(n, extent)
    layers: list[np.ndarray] = []
    modules = list(network)
    with torch.no_grad():
        a = points
        for i, module in enumerate(modules):
            a = module(a)
            last = i + 1 == len(modules)
            if last or not isinstance(module, torch.nn.Linear):
                layers.append(a.T.reshape(-1, n, n).numpy().copy())
    return Heatmaps(axis.numpy(), axis.numpy(), layers)


def decision_grid(network: torch.nn.Sequential, task: str, n: int = GRID,
                  extent: float = EXTENT) -> np.ndarray:
    """What the network predicts on the grid, shape (n, n) in image order: the probability of
    class 1 (binary), the predicted class 0/1/2 (multiclass) or the predicted value."""
    points, _ = grid_points(n, extent)
    with torch.no_grad():
        out = network(points)
    if task == "binary":
        value = torch.sigmoid(out[:, 0])
    elif task == "multiclass":
        value = out.argmax(dim=1).to(torch.float32)
    else:
        value = out[:, 0]
    return value.reshape(n, n).numpy().copy()
