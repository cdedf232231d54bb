"""How numbers are shown: six significant figures on screen, the full value in a tooltip.

Teaching panels compute in float32 as students' code does, so ``0.39999998`` is common; it shows as
``0.4`` and the tooltip explains why the stored value differs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SIGNIFICANT = 6


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    return float(value)


def fmt(value: Any, sig: int = SIGNIFICANT) -> str:
    """Format to ``sig`` significant figures: ``fmt(0.39999998) == '0.4'``; None → ``'None'``."""
    v = _as_float(value)
    if v is None:
        return "None"
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    text = f"{v:.{sig}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa}e{int(exp)}"
    return text


def full_text(value: Any, dtype: str = "float32") -> str:
    """The exact stored value and a sentence on rounding, for tooltips."""
    v = _as_float(value)
    if v is None:
        return "None: PyTorch has not stored a gradient here (.grad is None)."
    if not math.isfinite(v):
        return f"{fmt(v)}: not a finite number."
    # numpy prints the shortest text that reads back as the same float32 (1.9999999), where
    # repr(float(...)) would print all digits of its float64 widening (1.9999998807907104).
    exact32 = str(to_float32(v))
    exact64 = repr(v)
    shown = fmt(v)
    lines = [f"shown: {shown}", f"stored ({dtype}): {exact32 if dtype == 'float32' else exact64}"]
    if dtype == "float32":
        lines.append(f"as float64: {exact64}")
        if exact32 != shown:
            lines.append("float32 keeps about 7 significant digits, so decimals such as 0.4 "
                         "are stored as the nearest binary fraction.")
    return "\n".join(lines)


def to_float32(value: float) -> np.float32:
    """``value`` as float32 stores it: beyond float32's range that is ±inf, as a float32 tensor
    would hold (numpy warns about the overflow; here it is the answer, not a mistake)."""
    with np.errstate(over="ignore"):
        return np.float32(value)
