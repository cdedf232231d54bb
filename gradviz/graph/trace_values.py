"""Summaries of tensors for display in a traced graph: shape, dtype, min/mean/max/norm and, for
1-D and 2-D tensors of modest size, a small downsampled preview (a sparkline or a heatmap).

A summary is plain data (numbers, tuples, strings): it is what a lesson file stores for a traced
graph, so a reopened graph shows the same figures without any tensor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

#: Longest sparkline kept for a 1-D tensor, and the largest heatmap side for a 2-D tensor.
PREVIEW_1D = 64
PREVIEW_2D = 32
#: Tensors with more elements than this get statistics but no preview (the pooling would cost
#: more than a glance at a node is worth).
PREVIEW_MAX_ELEMENTS = 1_000_000
#: Largest rank kept in a summary's shape.
MAX_RANK = 64


@dataclass(frozen=True, slots=True)
class ValueSummary:
    """What a node or an edge shows of one tensor.

    Parameters
    ----------
    shape : tuple of int
        The tensor's shape.
    dtype : str
        The dtype's name without ``torch.`` (``"float32"``).
    min, mean, max, norm : float or None
        Statistics over the finite entries (None when there are none, or no summary).
    nonfinite : int
        How many entries are NaN or infinite.
    preview : tuple or None
        A 1-D tensor's values downsampled to at most ``PREVIEW_1D`` means (a tuple of floats), or
        a 2-D tensor's downsampled to at most ``PREVIEW_2D`` × ``PREVIEW_2D`` (a tuple of rows),
        to six significant digits.
        Non-finite entries are replaced by finite ones (NaN by 0) so that a picture can be drawn.
    reason : str
        Why there is no summary (complex, sparse, quantized, empty, …); "" when there is one.
    """

    shape: tuple[int, ...]
    dtype: str
    min: float | None = None
    mean: float | None = None
    max: float | None = None
    norm: float | None = None
    nonfinite: int = 0
    preview: tuple | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the statistics could be computed."""
        return not self.reason

    def to_dict(self) -> dict[str, Any]:
        return {"shape": list(self.shape), "dtype": self.dtype, "min": self.min,
                "mean": self.mean, "max": self.max, "norm": self.norm,
                "nonfinite": self.nonfinite,
                "preview": None if self.preview is None else _preview_to_lists(self.preview),
                "reason": self.reason}


def dtype_name(dtype: torch.dtype) -> str:
    """``torch.float32`` → ``"float32"``."""
    return str(dtype).removeprefix("torch.")


def _preview_to_lists(preview: tuple) -> list:
    return [list(row) if isinstance(row, tuple) else row for row in preview]


def _no_summary(t: torch.Tensor) -> str:
    """Why ``t`` cannot be summarised, or ""."""
    if t.is_sparse or t.layout != torch.strided:
        return f"no summary: {str(t.layout).removeprefix('torch.')} tensor"
    if t.is_quantized:
        return "no summary: quantized tensor"
    if t.is_complex():
        return "no summary: complex tensor"
    if getattr(t, "is_nested", False):
        return "no summary: nested tensor"
    if t.device.type == "meta":
        return "no summary: a meta tensor has no values"
    if t.numel() == 0:
        return "no summary: empty tensor"
    return ""


def summarize(tensor: torch.Tensor) -> ValueSummary:
    """Summarise ``tensor`` (any dtype, layout or device) without keeping a reference to it.

    Examples
    --------
    >>> s = summarize(torch.tensor([1.0, 2.0, 3.0]))
    >>> s.min, s.mean, s.max, s.preview
    (1.0, 2.0, 3.0, (1.0, 2.0, 3.0))
    """
    t = tensor.detach()
    shape = tuple(int(n) for n in t.shape[:MAX_RANK])
    dtype = dtype_name(t.dtype)
    reason = _no_summary(t)
    if reason:
        return ValueSummary(shape, dtype, reason=reason)
    x = t.to("cpu", torch.float64)
    flat = x.reshape(-1)
    lo, hi = torch.aminmax(flat)
    stats = torch.stack([lo, flat.mean(), hi, torch.linalg.vector_norm(flat)]).tolist()
    if all(math.isfinite(v) for v in stats):  # the common case: no NaN or inf anywhere
        return ValueSummary(shape, dtype, *stats, preview=_preview(x, stats[0], stats[2]))
    finite = torch.isfinite(flat)
    values = flat[finite]
    nonfinite = int(flat.numel() - values.numel())
    if values.numel() == 0:
        return ValueSummary(shape, dtype, nonfinite=nonfinite, preview=_preview(x, 0.0, 0.0))
    lo, hi = torch.aminmax(values)
    stats = torch.stack([lo, values.mean(), hi, torch.linalg.vector_norm(values)]).tolist()
    # Finite entries can still overflow a mean or a norm (float64 near 1e308): say None.
    stats = [v if math.isfinite(v) else None for v in stats]
    return ValueSummary(shape, dtype, *stats, nonfinite=nonfinite,
                        preview=_preview(x, stats[0], stats[2]))


def _preview(x: torch.Tensor, lo: float, hi: float) -> tuple | None:
    """A downsampled copy of a 1-D or 2-D float64 tensor (block means), or None."""
    if x.dim() not in (1, 2) or x.numel() > PREVIEW_MAX_ELEMENTS:
        return None
    x = torch.nan_to_num(x, nan=0.0, posinf=hi or 0.0, neginf=lo or 0.0)
    if x.dim() == 1:
        if x.numel() > PREVIEW_1D:
            x = torch.nn.functional.adaptive_avg_pool1d(x.view(1, 1, -1), PREVIEW_1D).view(-1)
        return tuple(_rounded(x).tolist())
    rows, cols = x.shape
    if rows > PREVIEW_2D or cols > PREVIEW_2D:
        size = (min(rows, PREVIEW_2D), min(cols, PREVIEW_2D))
        x = torch.nn.functional.adaptive_avg_pool2d(x[None, None], size)[0, 0]
    return tuple(tuple(row) for row in _rounded(x).tolist())


def _rounded(x: torch.Tensor) -> torch.Tensor:
    """Six significant digits (one vectorized pass): plenty for a picture, and about half the
    size in a saved lesson, since such a float prints short. Block means of huge values can
    overflow: the result is finite all the same (infinities become the largest float)."""
    magnitude = torch.floor(torch.log10(x.abs().clamp_min(1e-300)))
    scale = torch.pow(10.0, (5 - magnitude).clamp(-300, 300))
    return torch.nan_to_num(torch.round(x * scale) / scale, nan=0.0)


def summarize_many(tensors: tuple) -> ValueSummary | None:
    """Summary of the first tensor in ``tensors`` (autograd hands gradients over as tuples with
    ``None`` for outputs that got none); None when there is no tensor."""
    for t in tensors:
        if isinstance(t, torch.Tensor):
            return summarize(t)
    return None
