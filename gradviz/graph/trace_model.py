"""The :class:`TracedGraph` model: a user's real autograd graph, read-only, as nodes and edges.

It is a sub-model of its own (key ``"traced"``) beside the hand-built :class:`~gradviz.graph.Graph`
(a scalar editor with its own limits). A *live* graph (made by :func:`~gradviz.graph.trace.trace`)
holds the autograd nodes, the traced tensors and the values kept by ``trace_module``, and
captures the gradients of every backward pass through it until :meth:`TracedGraph.close`. A graph
*reopened* from a lesson holds only data (structure and value summaries) and no tensor.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, ClassVar, NamedTuple

import torch
from psygnal import Signal, SignalGroup

from gradviz.core.model import state_fingerprint
from gradviz.graph import trace_io
from gradviz.graph.trace_grads import GradStore, saved_tensor_problem
from gradviz.graph.trace_node import Shape, TracedNode, TraceError
from gradviz.graph.trace_values import ValueSummary, dtype_name, summarize, summarize_many


class TracedGraphEvents(SignalGroup):
    """Signals of a :class:`TracedGraph`."""

    rebuilt = Signal()  # the whole graph was replaced (from_dict, reset, load)
    grads_captured = Signal(int)  # a backward pass finished; the number of passes seen so far
    closed = Signal()  # hooks removed, tensors released: the graph is data only from now on


class PreparedGraph(NamedTuple):
    """A validated saved graph (:meth:`TracedGraph.prepare_state`), shared, never modified."""

    fingerprint: str
    loaded: tuple


#: Prepared graphs by the fingerprint of their saved state: a lesson is validated once, in the
#: worker that opens it, and its scenes are shown again without validating anything.
_PREPARED: OrderedDict[str, PreparedGraph] = OrderedDict()
_PREPARED_KEEP = 6
_LIVE_IDS = itertools.count(1)


class TracedGraph:
    """A traced autograd graph: ``nodes[0]`` is the traced tensor's ``grad_fn`` and ``edges``
    holds one ``(i, j)`` per non-None entry of ``nodes[i]``'s ``next_functions``, in order,
    duplicates kept: the direction the gradient flows.

    Read-only: nothing edits its structure. Values (:meth:`value`) and gradients (:meth:`grad`,
    :meth:`edge_grad`) are summaries (:class:`ValueSummary`), computed on demand from the live
    tensors and kept once computed.

    Examples
    --------
    >>> import torch
    >>> from gradviz.graph.trace import trace
    >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> g = trace((x * x).sum(), params={"x": x})
    >>> [n.op for n in g.nodes], g.edges
    (['SumBackward0', 'MulBackward0', 'AccumulateGrad'], [(0, 1), (1, 2), (1, 2)])
    >>> g.close()
    """

    key: ClassVar[str] = "traced"
    format_version: ClassVar[int] = trace_io.FORMAT_VERSION
    #: ``grads_captured`` fires on the thread that ran ``backward()`` (see ``SubModel``).
    thread_events: ClassVar[frozenset[str]] = frozenset({"grads_captured"})

    def __init__(self) -> None:
        self.events = TracedGraphEvents()
        self._live_id = next(_LIVE_IDS)
        self._clear()

    def _clear(self) -> None:
        self.nodes: list[TracedNode] = []
        self.edges: list[tuple[int, int]] = []
        #: Which output of ``nodes[j]`` each edge carries (``next_functions[k][1]``).
        self.edge_slots: list[int] = []
        #: How many nodes at the start of ``nodes`` are traced outputs (roots).
        self.n_roots = 0
        #: A warning for the viewer ("" when none), e.g. for a very large graph.
        self.warning = ""
        self._fns: list | None = None
        self._edge_pos: list[int] = []
        self._tensors: list[torch.Tensor] = []
        self._values: dict[int, tuple[torch.Tensor, int]] = {}
        self._value_cache: dict[int, ValueSummary | None] = {}
        self._grad_cache: dict[int, ValueSummary | None] = {}
        self._edge_grad_cache: dict[int, ValueSummary | None] = {}
        self._store: GradStore | None = None
        self._reopened = False
        #: The fingerprint of the saved state this graph was loaded from ("" when live/empty).
        self._loaded_from = ""

    @classmethod
    def live(cls, nodes: list[TracedNode], edges: list[tuple[int, int]], edge_slots: list[int],
             edge_pos: list[int], fns: list, tensors: list[torch.Tensor],
             values: dict[int, tuple[torch.Tensor, int]] | None = None,
             capture_grads: bool = True) -> TracedGraph:
        """A graph over live autograd nodes (used by :func:`~gradviz.graph.trace.trace`)."""
        graph = cls()
        graph.nodes, graph.edges, graph.edge_slots = nodes, edges, edge_slots
        graph.n_roots = len(tensors)
        graph._fns, graph._edge_pos, graph._tensors = fns, edge_pos, tensors
        graph._values = values or {}
        if capture_grads:
            graph._store = GradStore(graph._on_grads)
            graph._store.install(fns)
        return graph

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def is_live(self) -> bool:
        """True while the graph holds autograd nodes and tensors (not closed, not reopened)."""
        return self._fns is not None

    @property
    def reopened(self) -> bool:
        """True for a graph loaded from saved data."""
        return self._reopened

    @property
    def grad_runs(self) -> int:
        """How many backward passes through this graph were captured."""
        return self._store.runs if self._store else 0

    def grad_fn(self, i: int) -> Any:
        """The live autograd node behind node ``i`` (None once closed or when reopened)."""
        return None if self._fns is None else self._fns[i]

    def edge_shape(self, e: int) -> tuple[Shape | None, torch.dtype | None]:
        """``(shape, dtype)`` of the tensor whose gradient travels along edge ``e``."""
        return self.nodes[self.edges[e][1]].output(self.edge_slots[e])

    # -- values and gradients --------------------------------------------------------------

    def value(self, i: int) -> ValueSummary | None:
        """Summary of the value node ``i`` produced, or None where it is not known.

        ``trace_module`` keeps every op's value; without it, a leaf shows its tensor (as it is
        now) and an op that saved its own result for backward shows that result."""
        if i not in self._value_cache:
            self._value_cache[i] = self._summarize_value(i)
        return self._value_cache[i]

    def _summarize_value(self, i: int) -> ValueSummary | None:
        kept = self._values.get(i)
        if kept is None:
            tensor = self._value_from_node(i)
            return None if tensor is None else summarize(tensor)
        tensor, version = kept
        if tensor._version != version:
            return ValueSummary(tuple(tensor.shape), dtype_name(tensor.dtype),
                                reason=f"no summary: modified in place after it was computed "
                                       f"(version counter {tensor._version}, expected {version})")
        return summarize(tensor)

    def _value_from_node(self, i: int) -> torch.Tensor | None:
        """A value autograd holds anyway: a leaf's tensor, or the result an op saved for its
        backward (``exp``, ``tanh``, ``sigmoid``, …); None for the others, or once freed."""
        if self._fns is None:
            return None
        fn = self._fns[i]
        try:
            if self.nodes[i].op == "AccumulateGrad":
                return fn.variable.detach()
            saved = fn._saved_result
        except (AttributeError, RuntimeError):  # not saved, or freed by a backward pass
            return None
        return saved.detach() if isinstance(saved, torch.Tensor) else None

    def grad(self, i: int) -> ValueSummary | None:
        """Summary of the gradient that flowed into node ``i`` in the last backward pass."""
        if i not in self._grad_cache:
            grads = self._store.node_grads.get(i) if self._store else None
            self._grad_cache[i] = summarize_many(grads) if grads else None
        return self._grad_cache[i]

    def edge_grad(self, e: int) -> ValueSummary | None:
        """Summary of the gradient that travelled along edge ``e`` in the last backward pass."""
        if e not in self._edge_grad_cache:
            sent = self._store.sent_grads.get(self.edges[e][0]) if self._store else None
            g = sent[self._edge_pos[e]] if sent and self._edge_pos[e] < len(sent) else None
            self._edge_grad_cache[e] = None if g is None else summarize(g)
        return self._edge_grad_cache[e]

    def _on_grads(self) -> None:
        self._grad_cache.clear()
        self._edge_grad_cache.clear()
        self.events.grads_captured.emit(self.grad_runs)

    # -- backward --------------------------------------------------------------------------

    def backward_problem(self) -> str:
        """Why :meth:`backward` would fail ("" when it would not)."""
        if self._reopened:
            return "this graph was reopened from saved data: it holds no tensors to run backward"
        if self._fns is None:
            return "this graph was closed: its tensors were released"
        return saved_tensor_problem(self._fns)

    def can_backward(self) -> bool:
        """True when :meth:`backward` can run (the saved tensors are there and unchanged)."""
        return not self.backward_problem()

    def backward(self) -> None:
        """Run ``backward()`` from the traced tensors (a gradient of ones for each, keeping the
        graph so it can run again). Gradients accumulate into the leaves' ``.grad`` as after the
        user's own ``backward()``; the captured gradients are the ones of this pass.

        Raises
        ------
        TraceError
            With a plain message when the graph cannot run backward (see
            :meth:`backward_problem`).
        """
        problem = self.backward_problem()
        if problem:
            raise TraceError(problem)
        torch.autograd.backward(self._tensors, [torch.ones_like(t) for t in self._tensors],
                                retain_graph=True)

    # -- life cycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Remove the hooks and release the autograd nodes and tensors; the graph stays
        viewable as data. Summaries already computed (shown or saved) stay; the others are gone
        (call :meth:`to_dict` first to keep them all). Closing twice does nothing."""
        if self._fns is None:
            return
        if self._store is not None:
            self._store.remove()
        self._fns, self._tensors, self._values = None, [], {}
        self._loaded_from = ""  # now data: its fingerprint is that of its summaries
        self.events.closed.emit()

    def _summarize_all(self) -> None:
        for i in range(len(self.nodes)):
            self.value(i)
            self.grad(i)
        for e in range(len(self.edges)):
            self.edge_grad(e)

    def precompute_state(self) -> None:
        """Summarise every value and gradient of a live graph now (about a second for 3,900
        nodes), on the caller's thread: the lesson window does it in its worker before saving."""
        if self.is_live:
            self._summarize_all()

    def to_dict(self) -> dict[str, Any]:
        """Structure and value summaries only (plain data; see :mod:`gradviz.graph.trace_io`)."""
        if self.is_live:
            self._summarize_all()
        return trace_io.graph_to_dict(self)

    def from_dict(self, data: dict[str, Any]) -> None:
        """Load saved data (validated in full first: on :class:`StateError` nothing changes).
        The graph is then read-only data: no tensors, no backward."""
        self.apply_prepared(self.prepare_state(data))

    @staticmethod
    def prepare_state(data: Any) -> PreparedGraph:
        """Validate saved data (:class:`StateError` on anything wrong); keeps no reference into
        ``data``. The same data prepared again is found by its fingerprint, not re-validated."""
        fingerprint = state_fingerprint(data)
        prepared = _PREPARED.get(fingerprint)
        if prepared is None:
            prepared = PreparedGraph(fingerprint, trace_io.graph_from_dict(data))
            _PREPARED[fingerprint] = prepared
            while len(_PREPARED) > _PREPARED_KEEP:
                _PREPARED.popitem(last=False)
        _PREPARED.move_to_end(fingerprint)
        return prepared

    def apply_prepared(self, prepared: PreparedGraph) -> None:
        """Show a prepared graph (read-only data); cannot fail."""
        self.close()
        self._clear()
        nodes, edges, slots, self.n_roots, self.warning, values, grads, edge_grads = \
            prepared.loaded
        # Shared with other graphs loaded from the same data: the lists and caches are copied.
        self.nodes, self.edges, self.edge_slots = list(nodes), list(edges), list(slots)
        self._value_cache, self._grad_cache = dict(values), dict(grads)
        self._edge_grad_cache = dict(edge_grads)
        self._reopened = bool(self.nodes)
        self._loaded_from = prepared.fingerprint if self.nodes else ""
        self.events.rebuilt.emit()

    def is_empty(self) -> bool:
        """True without nodes: an empty graph is not written to lessons (see ``SubModel``)."""
        return not self.nodes

    def fingerprint(self) -> str:
        """Changes whenever :meth:`to_dict` would: the saved data's fingerprint for a reopened
        graph; for a live one a token of this graph and its backward passes (a live graph's
        state is never equal to a saved one, and summarising it takes a second)."""
        if self.is_live:
            return f"live-{self._live_id}-{self.grad_runs}"
        if not self._loaded_from:
            self._loaded_from = state_fingerprint(self.to_dict())
        return self._loaded_from

    def reset(self) -> None:
        """Close and empty the graph."""
        self.close()
        self._clear()
        self.events.rebuilt.emit()
