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
NEURON_GAP = 0.4
#: Side of one neuron's heatmap tile.
TILE = 0.3
#: Mosaic pixels per scene unit: the tiles, gaps and layer steps are then whole pixels
#: (18, 24 and 60), so all tiles are drawn as one image.
PIXELS = 60
TILE_PX = round(TILE * PIXELS)
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
    """Every weight's segment, name and current value and gradient."""
    linears = [m for m in network if isinstance(m, torch.nn.Linear)]
    segs, idx = [], []
    for layer, lin in enumerate(linears):
        src, dst = positions[layer], positions[layer + 1]
        n_out, n_in = lin.weight.shape
        j, k = np.meshgrid(np.arange(n_out), np.arange(n_in), indexing="ij")
        j, k = j.ravel(), k.ravel()
        segs.append(np.column_stack([src[k], dst[j]]))
        idx.append(np.column_stack([np.full(len(j), layer), j, k]))
    layout = EdgeTable(np.concatenate(segs), np.zeros(0), np.zeros(0),
                       np.concatenate(idx).astype(int))
    return with_values(layout, network)


def with_values(table: EdgeTable, network: torch.nn.Sequential) -> EdgeTable:
    """The same edges with the network's current weights and gradients (one gather per redraw;
    the segments are laid out once per architecture). W[j, k] flattens row-major, the order
    :func:`edge_table` lists the edges in."""
    linears = [m for m in network if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        weights = torch.cat([m.weight.reshape(-1) for m in linears]).double().numpy()
        grads = torch.cat([torch.zeros(m.weight.numel()) if m.weight.grad is None
                           else m.weight.grad.reshape(-1) for m in linears]).double().numpy()
    return EdgeTable(table.segments, weights, grads, table.index)


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


@dataclass(frozen=True)
class Mosaic:
    """Where every neuron's tile lies in one image covering the whole network picture.

    ``shape`` is (rows, columns) of the image, ``flat`` (neurons · TILE_PX²) the flat index of
    each tile pixel (neuron after neuron, row-major inside a tile), ``rect`` = (x, y, width,
    height) in scene units; image row 0 is the bottom (smallest y)."""

    shape: tuple[int, int]
    flat: np.ndarray
    rect: tuple[float, float, float, float]
    ring: np.ndarray  # flat indices of a 1-pixel frame just outside every tile


def mosaic_layout(positions: list[np.ndarray]) -> Mosaic:
    centres = np.concatenate(positions)
    x0 = float(centres[:, 0].min()) - TILE / 2
    y0 = float(centres[:, 1].min()) - TILE / 2
    width = float(centres[:, 0].max()) + TILE / 2 - x0
    height = float(centres[:, 1].max()) + TILE / 2 - y0
    shape = (round(height * PIXELS), round(width * PIXELS))
    inner = np.arange(TILE_PX)
    rows = np.round((centres[:, 1] - TILE / 2 - y0) * PIXELS).astype(int)
    cols = np.round((centres[:, 0] - TILE / 2 - x0) * PIXELS).astype(int)
    r = rows[:, None, None] + inner[None, :, None]
    c = cols[:, None, None] + inner[None, None, :]
    # The frame lies in the gap left around the outermost tiles: the image grows by 1 pixel.
    shape = (shape[0] + 2, shape[1] + 2)
    r, c = r + 1, c + 1
    edge = np.arange(-1, TILE_PX + 1)
    ring = [(rr, cc) for rr in (-1, TILE_PX) for cc in edge] + \
        [(rr, cc) for rr in edge[1:-1] for cc in (-1, TILE_PX)]
    dr, dc = (np.array(v) for v in zip(*ring, strict=True))
    ring_flat = ((rows[:, None] + 1 + dr[None, :]) * shape[1] + cols[:, None] + 1 + dc[None, :])
    pad = 1 / PIXELS
    return Mosaic(shape, (r * shape[1] + c).reshape(-1),
                  (x0 - pad, y0 - pad, width + 2 * pad, height + 2 * pad), ring_flat.reshape(-1))


def mosaic_rgba(maps: list[np.ndarray], mosaic: Mosaic, lut: np.ndarray,
                out: np.ndarray | None = None, frame: tuple[int, int, int] = (128, 128, 128)
                ) -> np.ndarray:
    """One RGBA image of every tile: each tile scaled by its own largest |value| onto the
    diverging ``lut`` (n, 3); transparent between tiles. ``maps`` are (neurons, TILE_PX,
    TILE_PX) arrays, layer after layer, in the order of the positions. ``out`` (from an earlier
    call with the same mosaic) is reused: only the tiles' pixels are written; ``frame`` is the
    colour of the thin frame around each tile."""
    values = np.concatenate([np.asarray(m, dtype=np.float32) for m in maps])
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    top = np.abs(values).reshape(len(values), -1).max(axis=1)
    scale = (len(lut) - 1) / 2 / np.where(top > 0, top, 1.0)
    index = (values * scale[:, None, None] + (len(lut) - 1) / 2).round().astype(np.intp)
    np.clip(index, 0, len(lut) - 1, out=index)
    table = np.concatenate([lut, np.full((len(lut), 1), 255, dtype=np.ubyte)], axis=1)
    if out is None or out.shape[:2] != mosaic.shape:
        out = np.zeros((*mosaic.shape, 4), dtype=np.ubyte)
        out.reshape(-1, 4)[mosaic.ring] = (*frame, 255)  # a frame shows where a pale tile ends
    out.reshape(-1, 4)[mosaic.flat] = table[index.reshape(-1)]
    return out
