"""One node of a traced autograd graph, and the error a traced graph raises."""

from __future__ import annotations

from dataclasses import dataclass

import torch

Shape = tuple[int, ...]

#: From this many nodes a graph is shown folded by module, with a warning.
FOLD_WARNING_NODES = 50_000


class TraceError(RuntimeError):
    """A traced graph cannot do what was asked (backward on freed tensors, a graph too large)."""


@dataclass(slots=True)
class TracedNode:
    """One autograd node of a traced graph.

    Parameters
    ----------
    op : str
        ``type(grad_fn).__name__``: ``"MulBackward0"``, ``"AccumulateGrad"``, …
    label : str
        A parameter's name for an ``AccumulateGrad`` whose tensor was named, else ``op``.
    shape : tuple of int or None
        Shape of the (first) tensor the forward operation produced, None where torch does not
        expose it.
    dtype : torch.dtype or None
        Its dtype, likewise.
    module : str
        Qualified name of the innermost module that created it (``"layers.3.self_attn"``), ""
        when unknown.
    extra_outputs : tuple
        ``(shape, dtype)`` of the second and later outputs of a multi-output operation.
    """

    op: str
    label: str
    shape: Shape | None
    dtype: torch.dtype | None
    module: str = ""
    extra_outputs: tuple = ()

    def output(self, slot: int) -> tuple[Shape | None, torch.dtype | None]:
        """``(shape, dtype)`` of output ``slot`` (0 = the first)."""
        if slot == 0:
            return self.shape, self.dtype
        if 0 < slot <= len(self.extra_outputs):
            return self.extra_outputs[slot - 1]
        return None, None
