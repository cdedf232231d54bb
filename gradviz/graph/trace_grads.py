"""Gradient capture for a traced graph: one autograd hook per node, removed by :meth:`close`.

A hook registered on an autograd node (``grad_fn.register_hook``) runs after the node ran in a
backward pass, with ``grad_inputs`` (what it sends on, aligned with its ``next_functions``) and
``grad_outputs`` (what flowed into it). So node ``j`` shows ``grad_outputs`` and the edge that is
entry ``k`` of node ``i``'s ``next_functions`` shows ``grad_inputs[k]`` of node ``i``.

The hooks hold this store, never the graph or its nodes: no reference cycle runs through
autograd's C++ objects, which Python's garbage collector cannot see.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import torch


def _detached(grads: tuple, clone: bool) -> tuple:
    """The tensors of ``grads`` detached (and cloned where autograd may reuse the buffer)."""
    out = []
    for g in grads:
        if isinstance(g, torch.Tensor):
            g = g.detach()
            out.append(g.clone() if clone else g)
        else:
            out.append(None)
    return tuple(out)


def _graph_task_id() -> int | None:
    """Id of the backward pass running now (None where torch does not tell)."""
    current = getattr(torch._C, "_current_graph_task_id", None)
    return None if current is None else current()


class GradStore:
    """Gradients captured during the last backward pass through a traced graph.

    Parameters
    ----------
    on_finished : callable
        Called (with no argument) once at the end of each backward pass that reached the graph.

    Attributes
    ----------
    node_grads : dict
        Node index → tuple of gradients that flowed into it (one per output, ``None`` where
        none did).
    sent_grads : dict
        Node index → tuple of gradients it sent to its ``next_functions`` (same order).
    runs : int
        How many backward passes were seen.
    """

    def __init__(self, on_finished: Callable[[], None]) -> None:
        self.node_grads: dict[int, tuple] = {}
        self.sent_grads: dict[int, tuple] = {}
        self.runs = 0
        self._on_finished = on_finished
        self._in_run = False
        self._task: int | None = -1
        self._handles: list = []

    def install(self, fns: Sequence[Any]) -> None:
        """Hook every node in ``fns`` (index in the sequence = node index)."""
        for i, fn in enumerate(fns):
            # AccumulateGrad may hand its buffer to the leaf's .grad, which a later backward
            # adds to in place: keep a copy so the figure stays the one that flowed.
            clone = type(fn).__name__ == "AccumulateGrad"
            self._handles.append(fn.register_hook(functools.partial(self._on_grad, i, clone)))

    def _on_grad(self, i: int, clone: bool, grad_inputs: tuple, grad_outputs: tuple) -> None:
        task = _graph_task_id()
        if task != self._task or task is None and not self._in_run:
            # A new backward pass (a failed one never called _finish: the id still moves on).
            self._task = task
            self._in_run = True
            self.node_grads.clear()
            self.sent_grads.clear()
            self._queue_finish()
        self.node_grads[i] = _detached(grad_outputs, clone)
        self.sent_grads[i] = _detached(grad_inputs, False)

    def _queue_finish(self) -> None:
        try:
            torch.autograd.Variable._execution_engine.queue_callback(self._finish)
        except (AttributeError, RuntimeError):
            # No engine callback here (not inside a backward pass): finish at once.
            self._finish()

    def _finish(self) -> None:
        self._in_run = False
        self.runs += 1
        self._on_finished()

    def remove(self) -> None:
        """Remove every hook (the captured gradients stay)."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    @property
    def installed(self) -> bool:
        return bool(self._handles)


#: ``type(grad_fn)`` → names of its attributes that unpack saved tensors (read once per type).
_SAVED_NAMES: dict[type, tuple[str, ...]] = {}

FREED_MESSAGE = ("the saved tensors of this graph were freed by an earlier backward(): run that "
                 "backward with retain_graph=True (or trace a fresh forward pass) to run "
                 "backward here")


def _saved_names(fn: Any) -> tuple[str, ...]:
    kind = type(fn)
    if kind not in _SAVED_NAMES:
        names = [a for a in dir(fn) if a.startswith("_saved_")]
        if hasattr(kind, "saved_tensors"):  # a custom autograd.Function's backward node
            names.append("saved_tensors")
        _SAVED_NAMES[kind] = tuple(names)
    return _SAVED_NAMES[kind]


def saved_tensor_problem(fns: Sequence[Any]) -> str:
    """Why a backward pass through ``fns`` would fail: saved tensors freed, or modified in place
    since they were saved (autograd's version counter); "" when neither.

    Reading a saved tensor runs autograd's own checks, so the verdict is autograd's.
    """
    for fn in fns:
        for name in _saved_names(fn):
            try:
                getattr(fn, name)
            except RuntimeError as exc:
                text = str(exc)
                if "freed" in text:
                    return FREED_MESSAGE
                if "inplace" in text or "in-place" in text:
                    first = text.split(". Hint")[0]
                    return (f"{type(fn).__name__}: a tensor it saved for backward was modified in "
                            f"place after the forward pass ({first})")
                return f"{type(fn).__name__}: {text.splitlines()[0]}"
    return ""
