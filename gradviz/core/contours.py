"""Iso-lines of a sampled surface: the levels (evenly spaced in displayed height) and the
segments of vectorized marching squares, shared by the 3D floor and the 2D contour map."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gradviz.core.surfaces import SurfaceGrid


def contour_levels(grid: SurfaceGrid, count: int = 12) -> np.ndarray:
    """Levels evenly spaced in displayed height (so log-drawn surfaces get log-spaced levels)."""
    t = (np.arange(1, count + 1) - 0.5) / count
    if grid.surface.log_height:
        return grid.lo + np.expm1(t * math.log1p(grid.hi - grid.lo))
    return grid.lo + t * (grid.hi - grid.lo)


def contour_segments(xs: np.ndarray, ys: np.ndarray, f: np.ndarray,
                     levels: np.ndarray) -> np.ndarray:
    """Iso-lines of ``f`` (ij layout) at ``levels`` by vectorized marching squares.

    Returns an ``(m, 2, 2)`` array of segments in (x, y) data coordinates.
    """
    return contour_segments_by_level(xs, ys, f, levels)[0]


def contour_segments_by_level(xs: np.ndarray, ys: np.ndarray, f: np.ndarray,
                              levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`contour_segments`, plus the index of each segment's level ``(m,)``."""
    f = np.asarray(f, np.float64)
    xs = np.asarray(xs, np.float64)
    ys = np.asarray(ys, np.float64)
    nb = f.shape[1] - 1
    # Corners of every cell, counter-clockwise: (i, j), (i+1, j), (i+1, j+1), (i, j+1);
    # edge k joins corner k and corner k+1. Only cells that straddle a level are ever stacked.
    corners = (f[:-1, :-1].ravel(), f[1:, :-1].ravel(), f[1:, 1:].ravel(), f[:-1, 1:].ravel())
    cmin = np.minimum(np.minimum(corners[0], corners[1]), np.minimum(corners[2], corners[3]))
    cmax = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
    out = []
    which = []
    for k, level in enumerate(np.asarray(levels, np.float64)):
        cells = np.flatnonzero((cmin <= level) & (cmax > level))
        if cells.size == 0:
            continue
        ii, jj = np.divmod(cells, nb)
        c = np.stack([corners[0][cells], corners[1][cells], corners[2][cells],
                      corners[3][cells]], axis=-1)
        cx = np.stack([xs[ii], xs[ii + 1], xs[ii + 1], xs[ii]], axis=-1)
        cy = np.stack([ys[jj], ys[jj], ys[jj + 1], ys[jj + 1]], axis=-1)
        v0 = c
        above = v0 > level
        cross = above != np.roll(above, -1, axis=-1)
        count = cross.sum(-1)
        v1 = np.roll(v0, -1, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.clip((level - v0) / (v1 - v0), 0.0, 1.0)
        x0, y0 = cx, cy
        px = x0 + s * (np.roll(x0, -1, axis=-1) - x0)
        py = y0 + s * (np.roll(y0, -1, axis=-1) - y0)
        two = count == 2
        if two.any():
            e = np.argsort(~cross[two], axis=-1, kind="stable")[:, :2]
            rows = np.arange(len(e))[:, None]
            out.append(np.stack([px[two][rows, e], py[two][rows, e]], axis=-1))
            which.append(np.full(len(e), k))
        four = count == 4
        if four.any():
            # A saddle cell: the centre value decides which corners the curve cuts off.
            centre_above = v0[four].mean(-1) > level
            join = centre_above == above[four][:, 0]
            pairs = np.where(join[:, None, None], np.array([[0, 1], [2, 3]]),
                             np.array([[3, 0], [1, 2]]))
            rows = np.arange(len(pairs))[:, None, None]
            seg = np.stack([px[four][rows, pairs], py[four][rows, pairs]], axis=-1)
            out.append(seg.reshape(-1, 2, 2))
            which.append(np.full(2 * len(pairs), k))
    if not out:
        return np.zeros((0, 2, 2), np.float64), np.zeros(0, int)
    return np.concatenate(out), np.concatenate(which)
