"""Saving and loading the Playground's tensors as plain JSON data, validated on the way in.

Float32 values go out as Python floats (exact: every float32 is a float64) and come back bit for
bit, so a loaded run continues exactly as the saved one would have. Lesson files refuse NaN and
infinity, so a diverged run's non-finite values are written as the strings ``"nan"``, ``"inf"``
and ``"-inf"``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from gradviz.core.model import StateError, check_number

_TOKENS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
#: Optimizer state entries torch keeps per parameter, by optimizer.
STATE_KEYS = {
    "SGD": {"momentum_buffer"},
    "Adam": {"step", "exp_avg", "exp_avg_sq"},
    "RMSprop": {"step", "square_avg", "momentum_buffer"},
}
MAX_CURVE = 1_000_000
#: The loss curves get a point every this many updates: evaluating the full sets after every
#: update nearly halved the training throughput (benchmarks/bench_playground.py).
CURVE_EVERY = 5


def encode_floats(values: torch.Tensor | list[float]) -> list[float | str]:
    """Flat list of numbers, non-finite values as ``"nan"``/``"inf"``/``"-inf"``."""
    flat = values.detach().reshape(-1).tolist() if isinstance(values, torch.Tensor) else values
    return [v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
            for v in flat]


def decode_floats(label: str, data: Any, count: int | None = None) -> list[float]:
    """The numbers of :func:`encode_floats`; :class:`StateError` on anything else."""
    if not isinstance(data, list):
        raise StateError(f"{label} must be a list of numbers")
    if count is not None and len(data) != count:
        raise StateError(f"{label} must hold {count} numbers, got {len(data)}")
    out = []
    for v in data:
        if isinstance(v, str) and v in _TOKENS:
            out.append(_TOKENS[v])
        elif isinstance(v, int | float) and not isinstance(v, bool):
            out.append(float(v))
        else:
            raise StateError(f"{label} holds {v!r:.30}, not a number")
    return out


def encode_params(params: list[torch.Tensor]) -> list[list[float | str]]:
    return [encode_floats(p) for p in params]


def decode_params(label: str, data: Any, shapes: list[torch.Size]) -> list[torch.Tensor]:
    """One float32 tensor per expected shape, or :class:`StateError` (wrong count or size)."""
    if not isinstance(data, list) or len(data) != len(shapes):
        raise StateError(f"{label} must be a list of {len(shapes)} parameter lists")
    return [torch.tensor(decode_floats(f"{label}[{i}]", d, shape.numel()),
                         dtype=torch.float32).reshape(shape)
            for i, (d, shape) in enumerate(zip(data, shapes, strict=True))]


def encode_optimizer(opt: torch.optim.Optimizer) -> list[dict[str, Any]]:
    """Per parameter (in order), torch's state tensors as flat lists (``step`` as a number)."""
    params = opt.param_groups[0]["params"]
    out = []
    for p in params:
        entry = {}
        for key, value in opt.state.get(p, {}).items():
            if isinstance(value, torch.Tensor):
                entry[key] = value.item() if value.dim() == 0 else encode_floats(value)
        out.append(entry)
    return out


def decode_optimizer(label: str, data: Any, kind: str,
                     shapes: list[torch.Size]) -> list[dict[str, torch.Tensor]]:
    """Validated per-parameter state for a ``kind`` optimizer over parameters of ``shapes``."""
    if not isinstance(data, list) or len(data) != len(shapes):
        raise StateError(f"{label} must be a list of {len(shapes)} entries")
    allowed = STATE_KEYS[kind]
    out = []
    for i, (entry, shape) in enumerate(zip(data, shapes, strict=True)):
        where = f"{label}[{i}]"
        if not isinstance(entry, dict) or set(entry) - allowed:
            raise StateError(f"{where} must be an object with keys among {sorted(allowed)}")
        state = {}
        for key, value in entry.items():
            if key == "step":
                state[key] = torch.tensor(check_number(f"{where}.step", value, 0, 2**40, True),
                                          dtype=torch.float32)
            else:
                state[key] = torch.tensor(decode_floats(f"{where}.{key}", value, shape.numel()),
                                          dtype=torch.float32).reshape(shape)
        out.append(state)
    return out


def load_optimizer_state(opt: torch.optim.Optimizer, state: list[dict[str, torch.Tensor]]) -> None:
    """Put decoded state into ``opt`` through torch's own ``load_state_dict``."""
    full = opt.state_dict()
    full["state"] = {i: s for i, s in enumerate(state) if s}
    opt.load_state_dict(full)


def decode_curve(label: str, data: Any, length: int) -> list[float]:
    if length > MAX_CURVE:
        raise StateError(f"{label} is longer than {MAX_CURVE} points")
    return decode_floats(label, data, length)
