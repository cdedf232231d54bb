"""What the tangent panel draws, computed without Qt: the y range that shows a curve well, the
tangent and secant lines, the descent trail's short tangents, a derivative curve broken where it
jumps, and the notice for a point that left the plot.

Everything takes and returns plain floats and numpy arrays, so it is tested in tests/core; the
panel only hands the results to pyqtgraph.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradviz.core.descent import DescentRow
from gradviz.core.functions1d import PointSlope
from gradviz.core.numbers import fmt

#: A tangent or secant reaches this fraction of the plotted width either side of the point.
LINE_REACH = 0.35
#: Half-length of the trail's short tangents, as a fraction of the plotted width.
TRAIL_TICK = 0.04
#: Empty space above and below the data, as a fraction of its height.
Y_PAD = 0.08
#: A jump in f′ between neighbouring samples stands out this many times from the differences
#: two samples away on both sides; a steep but smooth f′ (√x, log x near 0) never does.
JUMP_CONTRAST = 10.0


def view_y_range(series: Sequence[np.ndarray]) -> tuple[float, float]:
    """The y range that shows ``series`` (the curve, and f′ when shown), padded.

    The 1st and 99th percentiles keep one steep end (eˣ, log near 0) from squashing the rest; a
    range that starts a little above 0 is extended down to 0, so a parabola sits on its axis.
    """
    finite = np.concatenate([s[np.isfinite(s)] for s in series]) if series else np.zeros(0)
    if finite.size == 0:
        lo, hi = -1.0, 1.0
    else:
        if finite.size > 50:
            # Sorting, not np.percentile: its first call costs ~17 ms, felt at start-up.
            ordered = np.sort(finite)
            lo, hi = ordered[(finite.size - 1) // 100], ordered[(finite.size - 1) * 99 // 100]
        else:
            lo, hi = finite.min(), finite.max()
        lo, hi = float(min(lo, 0.0) if 0 < lo < 0.25 * hi else lo), float(hi)
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = Y_PAD * (hi - lo)
    return lo - pad, hi + pad


def tangent_line(p: PointSlope, x_lo: float, x_hi: float) -> tuple[np.ndarray, np.ndarray]:
    """The two ends of the tangent at ``p`` (empty arrays where f or f′ is not a number)."""
    if not p.defined:
        return np.zeros(0), np.zeros(0)
    span = LINE_REACH * (x_hi - x_lo)
    xs = np.array([p.x - span, p.x + span])
    return xs, p.value + p.slope * (xs - p.x)


@dataclass(frozen=True)
class Secant:
    """The secant through (x, f(x)) and (x + h, f(x + h)): its slope, the line's two ends, the
    second point, and the sentence under the checkbox. ``xs`` is empty when there is no line."""

    slope: float
    xs: np.ndarray
    ys: np.ndarray
    dot: tuple[float, float] | None
    text: str


def secant(p: PointSlope, fxh: float | None, h: float, x_lo: float, x_hi: float) -> Secant:
    """The secant at ``p`` with step ``h``, given f(x + h) from the same probe."""
    none = np.zeros(0)
    if not p.defined:
        return Secant(math.nan, none, none, None, "")
    if fxh is None or not math.isfinite(fxh):
        return Secant(math.nan, none, none, None, f"f(x + h) is {fmt(fxh)}: no secant.")
    slope = (fxh - p.value) / h
    span = LINE_REACH * (x_hi - x_lo) + h
    xs = np.array([p.x - span, p.x + span])
    text = (f"secant slope [f(x+h) − f(x)]/h = <b>{fmt(slope)}</b> with h = {fmt(h, 3)}; "
            f"tangent slope {fmt(p.slope)}. Shrink h and the secant turns into the tangent.")
    return Secant(slope, xs, p.value + slope * (xs - p.x), (p.x + h, fxh), text)


@dataclass(frozen=True)
class TrailMarks:
    """The descent trail as drawn: a dot at every visited point but the current one, and a short
    tangent through each (``tick_x``/``tick_y`` hold pairs of ends, drawn as separate segments)."""

    xs: np.ndarray
    ys: np.ndarray
    tick_x: np.ndarray
    tick_y: np.ndarray


def trail_marks(rows: Sequence[DescentRow], x_lo: float, x_hi: float) -> TrailMarks:
    """Dots and short tangents for the rows before the last (the last is the point itself)."""
    past = rows[:-1]
    xs = np.array([r.x for r in past], dtype=float)
    ys = np.array([r.loss for r in past], dtype=float)
    gs = np.array([r.grad for r in past], dtype=float)
    # The same on-screen length whatever the slope: the half-width shrinks as the tick steepens.
    half = TRAIL_TICK * (x_hi - x_lo) / np.sqrt(1 + gs**2)
    tick_x = np.stack([xs - half, xs + half], axis=1).ravel()
    tick_y = np.stack([ys - half * gs, ys + half * gs], axis=1).ravel()
    return TrailMarks(xs, ys, tick_x, tick_y)


def break_at_jumps(xs: np.ndarray, gs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(xs, gs)`` with a NaN sample inserted wherever f′ jumps between two samples (|x| or ReLU
    at 0), so a curve drawn with ``connect="finite"`` breaks there instead of joining the two
    sides with a vertical line. Unchanged (same arrays) where nothing jumps."""
    jumps = jump_indices(gs)
    if jumps.size == 0:
        return xs, gs
    mid = (xs[jumps] + xs[jumps + 1]) / 2
    return np.insert(xs, jumps + 1, mid), np.insert(gs, jumps + 1, np.nan)


def jump_indices(gs: np.ndarray) -> np.ndarray:
    """Indices i where f′ jumps between samples i and i + 1.

    A jump is a difference both large against the slopes themselves (the corner test of
    :func:`gradviz.core.functions1d.corner_slopes`) and much larger than the differences two
    samples away on either side (so a steep but smooth f′ is never broken).
    """
    if gs.size < 2:
        return np.zeros(0, dtype=int)
    with np.errstate(invalid="ignore"):
        d = np.abs(np.diff(gs))
        scale = np.maximum(1.0, np.maximum(np.abs(gs[:-1]), np.abs(gs[1:])))
        padded = np.concatenate([[0.0, 0.0], np.nan_to_num(d, nan=0.0), [0.0, 0.0]])
        around = np.maximum(padded[:-4], padded[4:])
        jump = (d > 0.25 * scale) & (d > JUMP_CONTRAST * around)
    return np.flatnonzero(jump)


def offscreen_text(x: float, x_lo: float, x_hi: float) -> str:
    """The notice shown when the point has left the plotted range (empty while it is inside)."""
    if x_lo <= x <= x_hi:
        return ""
    if x > x_hi:
        return f"→ the point left the view to the right (x = {fmt(x)})"
    return f"← the point left the view (x = {fmt(x)})"


def source_change(source: str, x: float, current: tuple[float, float],
                  preset: tuple[float, float] | None) -> dict[str, float | str]:
    """The settings a new function brings: its source, the preset's range when it has one, and
    x pulled into the (new) range when it lies outside (towards 0 where 0 is inside)."""
    values: dict[str, float | str] = {"source": source}
    lo, hi = preset if preset else current
    if preset:
        values.update(x_lo=lo, x_hi=hi)
    if not lo <= x <= hi:
        values["x"] = min(max(0.0, lo), hi)
    return values
