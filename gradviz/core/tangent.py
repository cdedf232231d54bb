"""The tangent-slope sub-model: a function, a point on it, overlays, and a 1-D descent trail.

The descent trail is not stored point by point: it is defined by its start ``descent_x0``, the
number of steps taken ``descent_steps``, the learning rate and the function, and recomputed with
:func:`gradviz.core.descent.gradient_descent_1d`. It is shown only while the point still sits at
the trail's end, so dragging the point away (or undoing) never leaves a stale trail on screen.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from gradviz.core.descent import DIVERGED_AT, MAX_STEPS, DescentRow, gradient_descent_1d
from gradviz.core.expr import ExpressionError
from gradviz.core.functions1d import PRESETS, check_function
from gradviz.core.model import Setting, SettingsModel, StateError
from gradviz.core.panel_info import PanelInfo, Presenter

X_LIMIT = DIVERGED_AT


#: The plotted range's ends may lie anywhere in ±RANGE_LIMIT.
RANGE_LIMIT = 1e4


class TangentModel(SettingsModel):
    """State of the tangent panel.

    ``source`` is always an expression that compiles (``set_source`` and ``from_dict`` refuse
    others); ``x`` is the point; ``x_lo``/``x_hi`` the plotted range. Keyword arguments set
    initial values (validated as any write is).
    """

    key = "tangent"
    format_version = 1
    SETTINGS = {
        "source": Setting(PRESETS[0].source, check=check_function, label="f(x)",
                          doc="The function of x to plot, in Python syntax."),
        "x": Setting(0.0, lo=-X_LIMIT, hi=X_LIMIT, step=0.1, decimals=4, label="x",
                     doc="Where the tangent touches the curve."),
        "x_lo": Setting(PRESETS[0].x_lo, lo=-RANGE_LIMIT, hi=RANGE_LIMIT, decimals=2,
                        label="plot x from", doc="The left end of the plotted range."),
        "x_hi": Setting(PRESETS[0].x_hi, lo=-RANGE_LIMIT, hi=RANGE_LIMIT, decimals=2,
                        label="plot x to", doc="The right end of the plotted range."),
        "show_derivative": Setting(False, label="show f′(x) over the whole range",
                                   doc="Draw the slope at every x as a dashed second curve."),
        "show_secant": Setting(False, label="show the secant through x and x + h",
                               doc="Draw the line through f at x and at x + h."),
        "h": Setting(1.0, lo=1e-4, hi=5.0, log=True, label="h",
                     doc="How far apart the secant's two points are; shrink it towards 0."),
        "lr": Setting(0.1, lo=0.0, hi=100.0, step=0.05, decimals=3, label="learning rate lr",
                      doc="How far one descent step moves x, per unit of slope."),
        "descent_x0": Setting(0.0, lo=-X_LIMIT, hi=X_LIMIT, label="descent start",
                              doc="Where the current descent run started."),
        "descent_steps": Setting(0, lo=0, hi=MAX_STEPS, integer=True, label="descent steps",
                                 doc="How many descent steps have been taken."),
    }

    def _validate(self, data: dict[str, Any]) -> dict[str, Any]:
        clean = super()._validate(data)
        lo = clean.get("x_lo", self.x_lo)
        hi = clean.get("x_hi", self.x_hi)
        if not lo < hi:
            raise StateError(f"The plot range needs 'from' below 'to' (from {lo:g}, to {hi:g}).")
        return clean

    # -- the descent trail ----------------------------------------------------------------
    def trail(self) -> list[DescentRow]:
        """The rows of the current descent, the last one being the point itself; empty when no
        descent is under way (no steps yet, or the point was moved away from the trail's end)."""
        if self.descent_steps <= 0:
            return []
        try:
            rows = list(_trail_rows(self.source, self.descent_x0, self.lr, self.descent_steps + 1))
        except (ExpressionError, ValueError):
            return []
        if not rows:
            return []
        # Diverged early: the run stopped before its last row; the point sits at that last row.
        if rows[-1].x != self.x:
            return []
        return rows

    def next_step(self) -> dict[str, Any] | None:
        """The field values after one more descent step from the point, or None when the step
        would leave every finite number (diverged)."""
        rows = self.trail()
        if rows:
            x0, steps = self.descent_x0, self.descent_steps + 1
        else:
            x0, steps = self.x, 1
        new = _trail_rows(self.source, x0, self.lr, steps + 1)
        if len(new) < steps + 1 or abs(new[-1].x) > X_LIMIT:
            return None
        return {"x": new[-1].x, "descent_x0": x0, "descent_steps": steps}

    def previous_step(self) -> dict[str, Any] | None:
        """The field values one descent step back, or None at the start of a trail."""
        rows = self.trail()
        if len(rows) < 2:
            return None
        return {"x": rows[-2].x, "descent_steps": self.descent_steps - 1}

    def reset_descent(self) -> dict[str, Any] | None:
        """The field values that put the point back at the trail's start."""
        rows = self.trail()
        if not rows:
            return None
        return {"x": self.descent_x0, "descent_steps": 0}


@lru_cache(maxsize=32)
def _trail_rows(source: str, x0: float, lr: float, steps: int) -> tuple[DescentRow, ...]:
    # Drag events ask for the trail many times a second; the run itself only changes when a
    # step is taken, so it is computed once per (function, start, lr, steps).
    return tuple(gradient_descent_1d(source, x0, lr, steps))


PANEL = PanelInfo("tangent", "Tangent slope", "tangent:QtTangentPanel", order=10,
                  models=lambda model: [TangentModel()],
                  presenter=Presenter(show=("plot", "stepping", "point"),
                                      fold=("function", "overlays"),
                                      overlay=("tangent-readout", "tangent-verdict",
                                               "tangent-note", "descent-status"),
                                      row=("point", "stepping", "code")))
