"""What each node and edge should say at a given moment of a run's animation.

This module turns a :class:`~gradviz.graph.RunResult` and a position in its schedules into texts
and states; it does no calculus. Every number comes from the run (values, gradients, per-edge
contributions, running sums at merges); this module only chooses which of them are visible at
frame ``pos`` and words them. It imports no Qt, so the canvas items stay thin painters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradviz.core.numbers import fmt
from gradviz.graph import BackwardStep, Edge, ForwardStep, Graph, Node, RunResult

FORWARD = "forward"
BACKWARD = "backward"


@dataclass(frozen=True)
class Frame:
    """One step of the animation: a node computed (forward) or an edge carrying gradient."""

    phase: str
    step: ForwardStep | BackwardStep


def frames_of(result: RunResult | None) -> list[Frame]:
    """The forward schedule, then the backward schedule, as the model gave them."""
    if result is None:
        return []
    return ([Frame(FORWARD, s) for s in result.forward_steps]
            + [Frame(BACKWARD, s) for s in result.backward_steps])


@dataclass
class NodeView:
    """The lines a node shows (already worded) and how it is highlighted."""

    header: str
    value: str = ""
    grad: str = ""
    grad_fn: str = ""
    note: str = ""
    dim: bool = False  # not computed yet at this frame of the forward animation
    lit: bool = False  # the node being computed (forward) or receiving gradient (backward)
    flash: bool = False
    problem: bool = False  # a nan/inf value or gradient
    grad_sign: int = 0  # -1, 0, +1: the colour of the gradient line
    tooltip: str = ""


@dataclass
class EdgeView:
    """What an edge shows: its contribution (None: nothing flowed) and its animation state."""

    contribution: float | None = None
    label: str = ""
    state: str = "idle"  # idle (no run), pending, current, done
    cut: bool = False  # into a detach node: no gradient passes
    tooltip: str = ""


@dataclass
class Scene:
    nodes: dict[int, NodeView] = field(default_factory=dict)
    edges: dict[Edge, EdgeView] = field(default_factory=dict)
    caption: str = ""


def _signed_sum(parts: list[float]) -> str:
    """``[4, 3] → "4 + 3"``, ``[4, -3] → "4 − 3"``: the sum written out as on a blackboard."""
    text = fmt(parts[0])
    for p in parts[1:]:
        text += f" − {fmt(-p)}" if p < 0 else f" + {fmt(p)}"
    return text


def _sign(v: float | None) -> int:
    if v is None or v != v or v == 0:
        return 0
    return 1 if v > 0 else -1


def root_label(graph: Graph, result: RunResult | None) -> str:
    """The name of the tensor ``backward()`` is called on (what the output marker is fed)."""
    if result is None or result.output is None or result.output not in graph:
        return "out"
    edge = graph.edge_at(result.output, "x")
    if edge is None or edge.src not in graph:
        return "out"
    return graph.node(edge.src).label


def node_title(node: Node) -> str:
    if node.kind == "input":
        return node.name
    if node.kind == "constant":
        return "constant"
    if node.kind == "output":
        return "backward()"
    return node.name or node.spec.title


@dataclass
class Timeline:
    """Where the animation stands: ``pos`` indexes :func:`frames_of`; ``None`` is "show all"."""

    frames: list[Frame]
    pos: int | None = None

    @property
    def phase(self) -> str | None:
        if self.pos is None or self.pos < 0 or not self.frames:
            return FORWARD if self.pos is not None else None
        return self.frames[self.pos].phase

    def forward_done(self) -> dict[int, int]:
        """Node id → index of its forward step, for the steps shown so far."""
        shown = len(self.frames) if self.pos is None else self.pos + 1
        return {f.step.node: i for i, f in enumerate(self.frames[:shown]) if f.phase == FORWARD}

    def backward_shown(self) -> list[tuple[int, BackwardStep]]:
        shown = len(self.frames) if self.pos is None else self.pos + 1
        return [(i, f.step) for i, f in enumerate(self.frames[:shown]) if f.phase == BACKWARD]

    def in_backward(self) -> bool:
        if self.pos is None:
            return True
        return any(f.phase == BACKWARD for f in self.frames[: self.pos + 1])


@dataclass
class _Frame:
    """What wording any node needs to know about the run and the frame shown."""

    graph: Graph
    result: RunResult | None
    timeline: Timeline
    root: str
    computed: dict[int, int]  # nodes whose forward step is shown → its index
    backward: list[tuple[int, BackwardStep]]  # backward steps shown so far
    in_backward: bool
    parts: dict[int, list[float]]  # node → contributions received so far, in order
    received_all: dict[int, float | None]  # node → its total, once its last part arrived
    previous: dict[int, float | None] | None
    zeroed: bool

    def shown(self, nid: int) -> bool:
        """The node's value exists at this frame (computed by the forward steps shown)."""
        return self.result is not None and nid in self.computed

    def dim(self, nid: int) -> bool:
        """Not computed yet at this frame of a stepped animation."""
        return self.result is not None and self.timeline.pos is not None \
            and not self.shown(nid)


def _frame_facts(graph: Graph, result: RunResult | None, timeline: Timeline,
                 previous: dict[int, float | None] | None, zeroed: bool) -> _Frame:
    backward = timeline.backward_shown() if result is not None else []
    parts: dict[int, list[float]] = {}
    received_all: dict[int, float | None] = {}
    for _, st in backward:
        parts.setdefault(st.edge.src, []).append(st.contribution)
        if st.last:
            received_all[st.edge.src] = st.total if st.total is not None else st.running_sum
    return _Frame(
        graph=graph, result=result, timeline=timeline, root=root_label(graph, result),
        computed=timeline.forward_done() if result is not None else {},
        backward=backward,
        in_backward=result is not None and timeline.in_backward() and result.backward_ran,
        parts=parts, received_all=received_all, previous=previous, zeroed=zeroed)


def build_scene(graph: Graph, result: RunResult | None, timeline: Timeline | None = None,
                previous_grads: dict[int, float | None] | None = None,
                zeroed: bool = False) -> Scene:
    """Word every node and edge for the frame ``timeline.pos`` of ``result``.

    Parameters
    ----------
    previous_grads
        The leaves' ``.grad`` before this run when it did not zero them (``run(zero_grad=False)``
        or ``backward()`` again): lets a leaf write out the accumulation "7 + 7 = 14".
    zeroed
        ``zero_grad()`` was called after the run: leaves show ``.grad = None``.
    """
    timeline = timeline or Timeline(frames_of(result))
    facts = _frame_facts(graph, result, timeline, previous_grads, zeroed)
    current = None if timeline.pos is None or timeline.pos < 0 else timeline.frames[timeline.pos]
    scene = Scene()
    for node in graph.nodes:
        scene.nodes[node.id] = _node_view(node, facts)
    _edge_views(scene, graph, result, timeline, facts.backward)
    _lighting(scene, graph, current)
    scene.caption = _caption(graph, result, timeline, current, facts.root)
    return scene


def _node_view(node: Node, facts: _Frame) -> NodeView:
    view = NodeView(header=node_title(node))
    result = facts.result
    flags = result.flags.get(node.id, ()) if result is not None else ()
    view.problem = bool(flags)
    if node.kind == "output":
        _output_lines(view, node, facts)
    elif node.kind == "constant":
        view.value = f"value {fmt(node.value)}"
        view.grad = "no gradient"
        view.note = "a plain number"
        view.tooltip = "A constant: a number in the code, not a tensor that tracks gradients."
        view.dim = facts.dim(node.id)
    elif node.kind == "input":
        view.value = f"value {fmt(node.value)}"
        if node.requires_grad:
            _leaf_lines(view, node, result, facts.timeline, facts.parts, facts.received_all,
                        facts.previous, facts.zeroed)
        else:
            view.grad = f"{node.label}.grad = None"
            view.note = "requires_grad=False"
            view.tooltip = (f"{node.label} is data: requires_grad is off, so PyTorch never "
                            "stores a gradient for it.")
        view.dim = facts.dim(node.id)
    else:
        _operation_lines(view, node, facts)
        view.dim = facts.dim(node.id)
    if flags:
        view.tooltip += "\n" + "; ".join(flags)
    return view


def _output_lines(view: NodeView, node: Node, facts: _Frame) -> None:
    root, result = facts.root, facts.result
    src = facts.graph.edge_at(node.id, "x")
    view.value = f"{root}.backward()" if src is not None else "connect a tensor"
    seed = result.node_grads.get(node.id) if result is not None else None
    view.grad = (f"∂{root}/∂{root} = {fmt(seed)}" if facts.in_backward and seed is not None
                 else "")
    view.grad_sign = _sign(seed) if facts.in_backward else 0
    view.tooltip = ("The output marker: backward() starts here with the gradient 1 of "
                    f"{root} with respect to itself.")


def _operation_lines(view: NodeView, node: Node, facts: _Frame) -> None:
    """An operation: its value once computed, its grad_fn, and the gradient it passed on
    (PyTorch keeps that only with ``retain_grad()``, which the note says)."""
    nid, result = node.id, facts.result
    shown = facts.shown(nid)
    value = result.node_values.get(nid) if result is not None else None
    view.value = f"= {fmt(value)}" if shown and value is not None else "= …"
    fn = result.grad_fns.get(nid) if result is not None and shown else None
    if node.kind == "detach":
        view.grad = "gradient stops here"
        view.grad_fn = f"grad_fn={fn}" if shown else ""
        view.note = "new tensor, cut from the graph"
        view.tooltip = ("detach() returns the same value with no history: backward() "
                        "cannot pass it, so nothing upstream gets a gradient from here.")
        return
    view.grad_fn = f"grad_fn={fn}" if fn else ("grad_fn=None" if shown else "")
    dname = f"∂{facts.root}/∂{node.label}"
    _operation_gradient(view, nid, dname, facts)
    name = node.name or "t"
    view.note = f"kept only with {name}.retain_grad()"
    view.tooltip = (f"{dname} — PyTorch keeps it only with {name}.retain_grad(): "
                    f"without it, {name}.grad is None after backward(), because "
                    f"{name} is an intermediate tensor, not a leaf.")


def _operation_gradient(view: NodeView, nid: int, dname: str, facts: _Frame) -> None:
    result, timeline = facts.result, facts.timeline
    got = facts.parts.get(nid, [])
    if facts.in_backward and got:
        total = _node_total(nid, result, facts.received_all, timeline)
        view.grad = f"{dname} = {_gradient_text(got, total)}"
        view.grad_sign = _sign(total if total is not None else sum(got))
    elif facts.in_backward and result.node_grads.get(nid) is not None \
            and _feeds_output(facts.graph, result, nid):
        view.grad = f"{dname} = {fmt(result.node_grads[nid])}"
        view.grad_sign = _sign(result.node_grads[nid])
    elif result is not None and result.backward_ran:
        if timeline.pos is not None and not facts.in_backward:
            view.grad = ""  # the forward pass: no gradient exists yet
        elif timeline.pos is not None and result.node_grads.get(nid) is not None:
            view.grad = f"{dname} = …"
        else:
            view.grad = f"{dname}: none"
    else:
        view.grad = f"{dname}: —"


def _feeds_output(graph: Graph, result: RunResult, nid: int) -> bool:
    """``nid`` is the tensor ``backward()`` is called on (it feeds the output marker)."""
    edge = graph.edge_at(result.output, "x")
    return edge is not None and edge.src == nid


def _gradient_text(got: list[float], total: float | None) -> str:
    if total is None:
        return _signed_sum(got) + (" + …" if len(got) else "")
    if len(got) == 1:
        return fmt(total)
    return f"{_signed_sum(got)} = {fmt(total)}"


def _node_total(nid: int, result: RunResult | None, received_all: dict[int, float | None],
                timeline: Timeline) -> float | None:
    if result is None:
        return None
    if timeline.pos is None:
        return result.node_grads.get(nid)
    return received_all.get(nid)


def _leaf_lines(view: NodeView, node: Node, result: RunResult | None, timeline: Timeline,
                parts: dict[int, list[float]], received_all: dict[int, float | None],
                previous: dict[int, float | None] | None, zeroed: bool) -> None:
    label = node.label
    view.tooltip = (f"{label} is a leaf: backward() adds its gradient into {label}.grad, which "
                    "keeps growing until zero_grad() clears it.")
    if result is None or node.id not in result.leaf_grads:
        view.grad = f"{label}.grad = None"
        view.note = "run the graph to fill .grad"
        return
    before = None if previous is None else previous.get(node.id)
    if zeroed:
        view.grad = f"{label}.grad = None"
        view.note = "zero_grad() set it to None"
        view.flash = True
        return
    done = timeline.pos is None or node.id in received_all
    got = parts.get(node.id, [])
    after = result.leaf_grads.get(node.id)
    reached = any(f.phase == BACKWARD and f.step.edge.src == node.id for f in timeline.frames)
    if not done and result.backward_ran and not reached and timeline.in_backward():
        view.grad = f"{label}.grad = {'None' if before is None else fmt(before)}"
        view.note = f"no gradient reaches {label}"
        return
    if not done:
        shown = "None" if before is None else fmt(before)
        view.grad = f"{label}.grad = {shown}"
        if got:
            view.note = f"arriving: {_signed_sum(got)} + …"
        elif result.backward_ran and timeline.in_backward():
            view.note = "waiting for gradient"
        else:
            view.note = "leaf: .grad accumulates"
        return
    if after is None:
        view.grad = f"{label}.grad = None"
        view.note = f"no gradient reached {label}"
        return
    this_run = result.node_grads.get(node.id)
    view.grad_sign = _sign(after)
    if before is not None and this_run is not None:
        view.grad = f"{label}.grad = {fmt(before)} + {fmt(this_run)} = {fmt(after)}"
        view.note = "accumulated: not zeroed"
    elif len(got) > 1:
        view.grad = f"{label}.grad = {_signed_sum(got)} = {fmt(after)}"
        view.note = "sum over its paths"
    else:
        view.grad = f"{label}.grad = {fmt(after)}"
        view.note = "leaf: .grad accumulates"


def _edge_views(scene: Scene, graph: Graph, result: RunResult | None, timeline: Timeline,
                backward: list[tuple[int, BackwardStep]]) -> None:
    kinds = {n.id: n.kind for n in graph.nodes}
    done = {st.edge: i for i, st in backward}
    current_pos = timeline.pos
    for e in graph.edges:
        view = EdgeView(cut=kinds.get(e.dst) == "detach")
        c = None if result is None else result.edge_grads.get(e)
        view.contribution = c
        src, dst = graph.node(e.src).label, graph.node(e.dst).label
        if view.cut:
            view.tooltip = f"{src} → detach: no gradient passes a detach."
        if result is not None and timeline.pos is not None and not timeline.in_backward():
            # The forward pass: an edge is drawn once the value it carries exists.
            view.state = "idle" if e.src in timeline.forward_done() else "pending"
        elif result is None or not result.backward_ran or c is None:
            view.state = "idle"
        elif timeline.pos is None:
            view.state = "done"
            view.label = fmt(c)
        elif e in done:
            view.state = "current" if done[e] == current_pos else "done"
            view.label = fmt(c)
        else:
            view.state = "pending"
        if c is not None and not view.cut:
            view.tooltip = (f"Gradient that flowed from {dst} back to {src}: {fmt(c)} "
                            f"(the gradient arriving at {dst} times the local derivative of "
                            f"{dst} with respect to {src}).")
        scene.edges[e] = view


def _lighting(scene: Scene, graph: Graph, current: Frame | None) -> None:
    if current is None:
        return
    if current.phase == FORWARD:
        nid = current.step.node
        if nid in scene.nodes:
            scene.nodes[nid].lit = True
    else:
        e = current.step.edge
        if e.src in scene.nodes:
            scene.nodes[e.src].lit = True


def _caption(graph: Graph, result: RunResult | None, timeline: Timeline,
             current: Frame | None, root: str) -> str:
    """One sentence on what the current frame does, for the line under the canvas."""
    if result is None or not timeline.frames:
        return ""
    n = len(timeline.frames)
    if timeline.pos is None:
        return ""
    if current is None:
        return "Ready: step forward to compute the graph node by node."
    where = f"step {timeline.pos + 1}/{n}"
    if current.phase == FORWARD:
        st = current.step
        node = graph.node(st.node) if st.node in graph else None
        if node is None:
            return where
        what = f"{node.label} = {fmt(st.value)}"
        fn = f", grad_fn={st.grad_fn}" if st.grad_fn else ""
        return f"Forward {where}: {what}{fn}"
    st = current.step
    if st.edge.src not in graph or st.edge.dst not in graph:
        return where
    src, dst = graph.node(st.edge.src), graph.node(st.edge.dst)
    text = (f"Backward {where}: {fmt(st.contribution)} flows from {dst.label} back to "
            f"{src.label}")
    if st.merge:
        text += (f"; {src.label} has received {fmt(st.running_sum)} so far"
                 + (f", all of ∂{root}/∂{src.label} = {fmt(st.total)}" if st.last else ""))
    return text
