"""The Playground's view maths, Qt-free: where each neuron sits in the network picture, every
edge's segment with its real weight and gradient, which edge the pointer is on, and the labels a
click on the input plane adds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gradviz.core.numbers import fmt

#: Horizontal distance between layers and vertical distance between neurons (scene units).
LAYER_GAP = 1.0
NEURON_GAP = 0.42
#: Side of one neuron's heatmap tile.
TILE = 0.3
#: Edge widths (pixels) for the four magnitude bins.
WIDTHS = (0.6, 1.4, 2.6, 4.0)


def layer_sizes(network: torch.nn.Sequential) -> list[int]:
    """Neurons per layer, inputs first: ``[2, h1, …, outputs]``."""
    linears = [m for m in network if isinstance(m, torch.nn.Linear)]
    return [linears[0].in_features] + [m.out_features for m in linears]


def neuron_positions(sizes: list[int]) -> list[np.ndarray]:
    """Per layer, an (n, 2) array of tile centres; layers left to right, each centred on y = 0
    and listed top to bottom."""
    out = []
    for i, n in enumerate(sizes):
        ys = (np.arange(n)[::-1] - (n - 1) / 2) * NEURON_GAP
        out.append(np.column_stack([np.full(n, i * LAYER_GAP), ys]))
    return out


@dataclass(frozen=True)
class EdgeTable:
    """Every weight as a segment from neuron k of layer l to neuron j of layer l + 1.

    ``segments`` is (E, 4): x0, y0, x1, y1; ``weights`` and ``grads`` (E,) are read from the
    parameters (grads 0 before the first backward); ``index`` (E, 3) holds (layer, j, k) so
    ``W{layer+1}[j, k]`` names the weight."""

    segments: np.ndarray
    weights: np.ndarray
    grads: np.ndarray
    index: np.ndarray


def edge_table(network: torch.nn.Sequential, positions: list[np.ndarray]) -> EdgeTable:
    linears = [m for m in network if isinstance(m, torch.nn.Linear)]
    segs, ws, gs, idx = [], [], [], []
    for layer, lin in enumerate(linears):
        src, dst = positions[layer], positions[layer + 1]
        n_out, n_in = lin.weight.shape
        j, k = np.meshgrid(np.arange(n_out), np.arange(n_in), indexing="ij")
        j, k = j.ravel(), k.ravel()
        segs.append(np.column_stack([src[k], dst[j]]))
        w = lin.weight.detach()
        ws.append(w.numpy().ravel().astype(float))
        g = lin.weight.grad
        gs.append(np.zeros(len(j)) if g is None else g.detach().numpy().ravel().astype(float))
        idx.append(np.column_stack([np.full(len(j), layer), j, k]))
    return EdgeTable(np.concatenate(segs), np.concatenate(ws), np.concatenate(gs),
                     np.concatenate(idx).astype(int))


def edge_bins(weights: np.ndarray) -> list[tuple[bool, int, np.ndarray]]:
    """Edges grouped for drawing: (positive?, width bin, edge indices), the bin from |w| relative
    to the largest |w| so the thickest edge is always the strongest weight."""
    mag = np.abs(weights)
    top = float(mag.max()) if len(mag) and np.isfinite(mag).all() and mag.max() > 0 else 1.0
    level = np.minimum((mag / top * len(WIDTHS)).astype(int), len(WIDTHS) - 1)
    groups = []
    for positive in (True, False):
        for b in range(len(WIDTHS)):
            chosen = np.nonzero(((weights >= 0) == positive) & (level == b))[0]
            if len(chosen):
                groups.append((positive, b, chosen))
    return groups


def nearest_edge(table: EdgeTable, x: float, y: float, tolerance: float) -> int | None:
    """The edge whose segment passes nearest (x, y), if within ``tolerance`` (scene units)."""
    if not len(table.segments):
        return None
    a, b = table.segments[:, :2], table.segments[:, 2:]
    ab = b - a
    t = np.clip(((np.array([x, y]) - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0, 1)
    d = np.hypot(*(a + ab * t[:, None] - np.array([x, y])).T)
    i = int(np.argmin(d))
    return i if d[i] <= tolerance else None


def weight_name(layer: int, j: int, k: int | None) -> str:
    return f"b{layer + 1}[{j}]" if k is None else f"W{layer + 1}[{j},{k}]"


def weight_text(table: EdgeTable, i: int) -> str:
    """What hovering an edge shows: the weight's name, value and gradient."""
    layer, j, k = (int(v) for v in table.index[i])
    return (f"{weight_name(layer, j, k)} = {fmt(table.weights[i])}   "
            f"∂L/∂w = {fmt(table.grads[i])}")


def nearest_neuron(positions: list[np.ndarray], x: float, y: float) -> tuple[int, int] | None:
    """(layer, neuron) of the tile under (x, y), inputs being layer 0."""
    for layer, pos in enumerate(positions):
        inside = (np.abs(pos[:, 0] - x) <= TILE / 2) & (np.abs(pos[:, 1] - y) <= TILE / 2)
        hits = np.nonzero(inside)[0]
        if len(hits):
            return layer, int(hits[0])
    return None


def click_label(task: str, button: str) -> float | None:
    """The label a click adds: left = class 1, right = class 0, middle = class 2 (three classes
    only); for regression left = +1, right = −1. None if that button adds nothing here."""
    if task == "regression":
        return {"left": 1.0, "right": -1.0}.get(button)
    labels = {"left": 1.0, "right": 0.0}
    if task == "multiclass":
        labels["middle"] = 2.0
    return labels.get(button)
