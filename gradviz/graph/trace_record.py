"""What :func:`gradviz.graph.trace.trace_module` records while the user's model runs forward:
which module created each autograd node, and the value each node produced.

*Which module*: autograd numbers every node it creates with a per-thread, increasing sequence
number (``grad_fn._sequence_nr()``). A forward pre-hook and a forward hook on every submodule
read the current number on entry and exit; the marks form a step function "sequence number →
innermost running module", looked up by bisection. This costs two tiny probe operations per
module call, instead of a hook on every tensor operation.

*Which value*: a torch function mode sees the result of every top-level torch call (and module
outputs are seen by the forward hooks); each result is kept, detached, under its ``grad_fn``
with its version counter, so a value modified in place later can be recognised as such. Ops that
run inside one fused function (``F.multi_head_attention_forward``) have no value of their own.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

#: Nesting depth beyond which containers returned by a model are not searched for tensors.
MAX_NESTING = 32


def flatten_tensors(obj: Any, depth: int = 0) -> Iterator[torch.Tensor]:
    """Every tensor in ``obj``: a tensor, or tuples, lists and dicts (values) of them."""
    if isinstance(obj, torch.Tensor):
        yield obj
    elif depth < MAX_NESTING and isinstance(obj, tuple | list):
        for item in obj:
            yield from flatten_tensors(item, depth + 1)
    elif depth < MAX_NESTING and isinstance(obj, dict):
        for item in obj.values():
            yield from flatten_tensors(item, depth + 1)


class _ValueMode(TorchFunctionMode):
    """Keeps each result of a torch call that has a ``grad_fn``, keyed by that ``grad_fn``."""

    def __init__(self, values: dict) -> None:
        super().__init__()
        self.values = values

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        out = func(*args, **(kwargs or {}))
        keep_values(self.values, out)
        return out


def keep_values(values: dict, out: Any) -> None:
    """Store every tensor of ``out`` that has a ``grad_fn`` as ``values[grad_fn] = (detached
    tensor, version)``; the first value seen for a node wins."""
    for t in flatten_tensors(out):
        fn = t.grad_fn
        if fn is not None and fn not in values:
            values[fn] = (t.detach(), t._version)


class ModuleRecorder:
    """Context manager that hooks every submodule of ``model`` for the duration of one forward
    pass, then removes every hook (also when the forward pass raises).

    Attributes
    ----------
    values : dict
        ``grad_fn`` → (detached tensor, version counter at the time it was produced).
    """

    def __init__(self, model: torch.nn.Module) -> None:
        self.model = model
        self.values: dict = {}
        self._marks: list[int] = []
        self._names: list[str] = []
        self._stack: list[str] = []
        self._handles: list = []
        self._mode = _ValueMode(self.values)
        self._probe = torch.zeros(1, requires_grad=True)

    def _now(self) -> int:
        """The sequence number autograd gives the next node: probe it with a throwaway view."""
        with torch.enable_grad():
            return self._probe.view(1).grad_fn._sequence_nr()

    def _enter(self, name: str) -> None:
        self._stack.append(name)
        self._marks.append(self._now())
        self._names.append(name)

    def _leave(self, output: Any) -> None:
        keep_values(self.values, output)
        if self._stack:
            self._stack.pop()
        self._marks.append(self._now())
        self._names.append(self._stack[-1] if self._stack else "")

    def __enter__(self) -> ModuleRecorder:
        for name, sub in self.model.named_modules():
            self._handles.append(sub.register_forward_pre_hook(
                lambda _m, _a, name=name: self._enter(name)))
            self._handles.append(sub.register_forward_hook(
                lambda _m, _a, out: self._leave(out), always_call=True))
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._mode.__exit__(*exc)
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def module_of(self, fn: Any) -> str:
        """Qualified name of the innermost module that was running when ``fn`` was created
        ("" for the top-level model or outside it)."""
        try:
            seq = fn._sequence_nr()
        except (AttributeError, RuntimeError):
            return ""
        k = bisect.bisect_right(self._marks, seq) - 1
        return self._names[k] if k >= 0 else ""
