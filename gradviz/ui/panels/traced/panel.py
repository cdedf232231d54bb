"""The traced page of the graph editor: a user's autograd graph, read-only, folded by module,
with the selected node's values and gradients and the forward and backward animation."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget

from gradviz.graph.trace_fold import TraceFolding
from gradviz.graph.trace_layout import LayoutCancelled, layered_layout
from gradviz.graph.trace_model import TracedGraph
from gradviz.ui.connections import disconnect_all
from gradviz.ui.panels.graph_editor.style import canvas_style
from gradviz.ui.panels.traced.animation import TracedAnimation
from gradviz.ui.panels.traced.backward import BackwardActions
from gradviz.ui.panels.traced.canvas import FULL_LOD, TITLE_LOD, QtTracedCanvas
from gradviz.ui.panels.traced.controls import TracedControls
from gradviz.ui.panels.traced.details import QtItemDetails
from gradviz.ui.panels.traced.drawing import (
    Drawing,
    build_drawing,
    fmt,
    shape_text,
    stable_positions,
    stats_text,
)
from gradviz.ui.panels.traced.guard import guarded
from gradviz.ui.panels.traced.stepping import TracedSchedule
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme
from gradviz.ui.widgets.job_runner import QtJobRunner

#: Views up to this many items get a layout of their own (about 25 ms here); larger ones keep
#: the places of the whole graph's layout, so a fold or unfold redraws within 100 ms.
RELAYOUT_MAX = 1_200
#: Graphs with more operations than this are laid out in the worker (about 0.2 s and more).
WORKER_ITEMS = 8_000
#: Graphs with more nodes than this open with their repeated blocks folded ("×N").
FOLD_REPEATS_FROM = 400
#: Zoom after opening a module or jumping to a search hit: every box shows its shape line.
FOCUS_ZOOM = 0.8
EMPTY = ("No traced graph yet. From Python: <code>gradviz.show(loss)</code>, or "
         "<code>viewer.add_graph(loss, module=model)</code>.")


class _GradsBridge(QObject):
    """``grads_captured`` fires on the thread that ran backward: this queues it to the GUI."""

    captured = Signal(int)


class QtTracedPage(TracedAnimation, BackwardActions, QWidget):
    """The ``traced`` sub-model (a :class:`TracedGraph`) drawn read-only in the graph editor:
    modules fold and unfold, repeats fold to one "×N" box, search, level of detail, fit, the
    selected node's summaries, and the forward and backward passes step by step.

    Parameters
    ----------
    ctx
        The graph editor's context (model, undo stack, status bar, theme).
    on_copied
        Called after "Copy as editable graph" replaced the editor's graph (the editor then
        shows its own page).
    """

    def __init__(self, ctx: PanelContext, on_copied: Callable[[], None] = lambda: None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("traced-page")
        self.ctx, self.model, self.on_copied = ctx, ctx.model, on_copied
        self._connections: list = []
        self.body_layout = QVBoxLayout(self)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.graph: TracedGraph | None = None
        self.folding: TraceFolding | None = None
        self.drawing: Drawing | None = None
        self.schedule: TracedSchedule | None = None
        self._detail_kind = "grad"
        self._backward_ok = False
        self._graph_conns: list = []
        self._hits: list[int] = []
        self._hit_pos = -1
        self._focus_node = -1
        self._ticket = 0
        self._full_xy: np.ndarray | None = None
        self._subtitles: dict[int, str] = {}
        self._external_cancel: Callable[[], None] | None = None
        self._build()
        self._make_player()
        self.listen(self.model.registered, self._on_registered)
        self._attach(self.model.get("traced"))

    def listen(self, signal: Any, slot: Callable) -> None:
        """Connect a model signal; :meth:`teardown` disconnects it."""
        signal.connect(slot)
        self._connections.append((signal, slot))

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        c = self.controls = TracedControls()
        style = canvas_style(self.ctx.theme())
        self.canvas = QtTracedCanvas(style)
        self.canvas.setMinimumHeight(160)
        self.details = QtItemDetails()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("traced-split")
        split.addWidget(self.canvas)
        # The card scrolls on its own, so a 768-pixel laptop keeps the canvas and the step row.
        card = QScrollArea()
        card.setObjectName("traced-details-scroll")
        card.setWidgetResizable(True)
        card.setFrameShape(QFrame.Shape.NoFrame)
        card.setMinimumWidth(230)
        card.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        card.setWidget(self.details)
        split.addWidget(card)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([1000, 280])
        for w in (c.notice_bar, c.warning, c.error, c.toolbar, c.busy_row):
            self.body_layout.addWidget(w)
        self.body_layout.addWidget(split, 1)
        self.body_layout.addWidget(c.step_label)
        self.runner = QtJobRunner(self, "gradviz-layout", cancelled_errors=(LayoutCancelled,))
        self.runner.progressed.connect(self._on_progress)
        self.runner.finished.connect(self._on_layout_done)
        self.runner.failed.connect(self._on_layout_failed)
        self.bridge = _GradsBridge(self)
        self.bridge.captured.connect(self._on_grads, Qt.ConnectionType.QueuedConnection)
        self.detail_timer = QTimer(self, singleShot=True, interval=90)
        self.detail_timer.timeout.connect(self._fill_box_details)
        self._wire(c)

    def _wire(self, c: TracedControls) -> None:
        self.canvas.item_clicked.connect(self._on_item_clicked)
        self.canvas.item_double_clicked.connect(self._on_item_double_clicked)
        for bar in (self.canvas.horizontalScrollBar(), self.canvas.verticalScrollBar()):
            bar.valueChanged.connect(lambda *_: self.detail_timer.start())
        c.search.returnPressed.connect(self._on_search)
        c.depth.valueChanged.connect(self._on_depth)
        c.repeats.clicked.connect(self._on_fold_repeats)
        c.fit.clicked.connect(self.canvas.fit_all)
        c.backward.clicked.connect(self._on_run_backward)
        c.copy.clicked.connect(self._on_copy)
        c.cancel.clicked.connect(self._on_cancel)
        self.details.fold_button.clicked.connect(self._on_fold_selected)

    # -- the sub-model ----------------------------------------------------------------------
    @guarded
    def _on_registered(self, key: str) -> None:
        if key == "traced":
            self._attach(self.model.get("traced"))

    def _attach(self, graph: TracedGraph | None) -> None:
        disconnect_all(self._graph_conns)
        self.graph = graph
        if graph is not None:
            for signal, slot in ((graph.events.rebuilt, self._rebuild),
                                 (graph.events.grads_captured, self.bridge.captured.emit),
                                 (graph.events.closed, self._update_buttons)):
                signal.connect(slot)
                self._graph_conns.append((signal, slot))
        self._rebuild()

    @guarded
    def _rebuild(self, *_: Any) -> None:
        self.player.stop()
        self.controls.show_error("")
        graph = self.graph
        self.folding = TraceFolding(graph) if graph is not None and len(graph) else None
        self._hits, self._focus_node = [], -1
        self._drop_schedule()
        self._full_xy, self._subtitles = None, {}
        self.controls.warning.setText(graph.warning if graph is not None else "")
        self.controls.warning.setVisible(bool(graph is not None and graph.warning))
        if self.folding is None:
            self.drawing = None
            self.canvas.set_drawing(build_drawing(TracedGraph(), _empty_view(), []))
            self.details.clear(EMPTY)
            self.controls.set_depth_range(0)
            self._update_buttons()
            return
        self.folding.changed.connect(self._relayout)
        deepest = max((m.count(".") + 1 for m in self.folding.modules), default=0)
        self.controls.set_depth_range(deepest)
        self.controls.repeats.setEnabled(bool(self.folding.modules))
        if not self._fold_at_start(deepest):
            self._relayout()
        self.details.clear()
        self._update_buttons()

    def _fold_at_start(self, deepest: int) -> bool:
        """A large graph opens folded: its modules at the depth of its repeated blocks (or
        the model's direct children), the repeats as one "×N" box. Whether it folded."""
        f = self.folding
        if len(self.graph) < FOLD_REPEATS_FROM or not f.modules or f.folded:
            return False
        depth = min((r.modules[0].count(".") + 1 for r in f.repeats), default=1)
        self.controls.set_depth_value(depth, deepest)
        f.folded = {m for m in f.modules if m.count(".") + 1 == depth}
        f.fold_repeats()  # emits changed → _relayout
        return True

    # -- layout -----------------------------------------------------------------------------
    @guarded
    def _relayout(self) -> None:
        """Lay out the current view: a small one on its own; a large one in the places of the
        whole graph's layout (computed once, in the worker when it would take long)."""
        view = self.folding.view()
        n = len(view.items)
        self.runner.cancel()
        self._ticket = -1
        self.controls.set_busy(False)
        if n <= RELAYOUT_MAX:
            self._show_layout(view, layered_layout(n, [(a, b) for a, b, _ in view.edges]))
            return
        if self._full_xy is None:
            graph = self.graph
            nodes, edges = len(graph), graph.edges

            def job(progress: Callable[[float], bool]) -> np.ndarray:
                return np.asarray(layered_layout(nodes, edges, progress)).reshape(-1, 2)

            if nodes > WORKER_ITEMS:
                self.controls.set_busy(True, f"Laying out {nodes:,} operations…")
                self._ticket = self.runner.submit(lambda progress, _cancelled: job(progress))
                return
            self._full_xy = job(lambda _done: True)
        self._show_layout(view, stable_positions(view, self._full_xy))

    def _on_progress(self, ticket: int, done: float) -> None:
        if ticket == self._ticket:
            self.controls.progress.setValue(round(100 * done))

    @guarded
    def _on_layout_done(self, ticket: int, result: Any) -> None:
        if ticket == self._ticket and self.folding is not None:
            self.controls.set_busy(False)
            self._full_xy = result
            self._relayout()

    def _on_layout_failed(self, ticket: int, message: str) -> None:
        if ticket == self._ticket:
            self.controls.set_busy(False)
            if message:  # empty: cancelled
                self.controls.show_error(f"The layout failed: {message}")

    def show_busy(self, text: str, on_cancel: Callable[[], None]) -> None:
        """Show work done outside the panel (the viewer tracing a tensor in a worker): an
        indeterminate progress bar whose Cancel calls ``on_cancel``."""
        self._external_cancel = on_cancel
        self.controls.set_busy(True, text)
        self.controls.progress.setRange(0, 0)

    def hide_busy(self) -> None:
        self._external_cancel = None
        self.controls.progress.setRange(0, 100)
        self.controls.set_busy(False)

    @guarded
    def _on_cancel(self) -> None:
        if self._external_cancel is not None:
            cancel = self._external_cancel
            self.hide_busy()
            cancel()
            return
        self.runner.cancel()
        self.controls.set_busy(False)
        self.controls.show_error("Layout cancelled: fold some modules (the depth slider) and "
                                 "the view is laid out again.")

    def _show_layout(self, view, positions) -> None:
        first = self.drawing is None
        self.drawing = build_drawing(self.graph, view, positions, self._subtitles)
        self.canvas.set_drawing(self.drawing)
        self._drop_schedule()
        self.controls.step_label.setText("")
        focus = self._focus_node
        if 0 <= focus < len(view.item_of_node):
            # Readable, yet wide enough to keep some of what surrounds the opened module.
            self.canvas.center_on_item(view.item_of_node[focus], FOCUS_ZOOM)
        elif first or focus == -1:
            self.canvas.fit_all()
        self._mark_hits()
        self.detail_timer.start()

    # -- what each box says -----------------------------------------------------------------
    @guarded
    def _fill_box_details(self) -> None:
        if self.drawing is None or self.folding is None or self.canvas.zoom() < FULL_LOD:
            return
        items = self.folding.view().items
        lines = self.canvas.item.details
        for k in self.canvas.visible_items().tolist():
            node = items[k].node
            if node < 0 or k in lines:
                continue
            grad = self.graph.grad(node) if self.graph.grad_runs and \
                self._detail_kind == "grad" else None
            lines[k] = (f"∇ ‖g‖ {fmt(grad.norm)}" if grad is not None and grad.ok
                        else stats_text(self.graph.value(node)))
        self.canvas.item.update()

    def _node_head(self, i: int) -> str:
        node = self.graph.nodes[i]
        rows = [f"<b>{escape(node.label)}</b>"]
        if node.label != node.op:
            rows.append(f"op {escape(node.op)}")
        rows.append(f"output {escape(shape_text(node.shape, node.dtype))}")
        if node.module:
            rows.append(f"module <code>{escape(node.module)}</code>")
        return "<br>".join(rows)

    def _show_node(self, i: int) -> None:
        graph = self.graph
        missing = ("run backward (the button, or your own loss.backward()) to capture it"
                   if not graph.grad_runs else "no gradient reached it in the last pass")
        self.details.show_node(self._node_head(i), graph.value(i),
                               graph.grad(i) if graph.grad_runs else None, missing,
                               graph.nodes[i].module)

    # -- clicks, folding, search ------------------------------------------------------------
    @guarded
    def _on_item_clicked(self, k: int) -> None:
        if self.drawing is None or k < 0:
            return
        item = self.folding.view().items[k]
        if item.kind == "node":
            self.canvas.item.selected = k
            self.canvas.item.update()
            if self.canvas.zoom() < TITLE_LOD:  # too far out to read it: go to it
                self.canvas.center_on_item(k, FOCUS_ZOOM)
            self._show_node(item.node)
            return
        self._focus_node = self.folding.view().item_of_node.index(k)
        if item.kind == "repeat":
            # Open the run into its N blocks, each still one box: unfolding the first block
            # drops the repeat; folding it again redraws once.
            first = next(r for r in self.folding.folded_repeats if r.name == item.name).modules[0]
            with self.folding.changed.blocked():
                self.folding.unfold(first)
            self.folding.folded.discard(first)
            self.folding.fold(first)
        else:
            self.folding.unfold(item.name)

    @guarded
    def _on_item_double_clicked(self, k: int) -> None:
        if self.drawing is None or k < 0:
            return
        item = self.folding.view().items[k]
        if item.kind == "node" and self.graph.nodes[item.node].module:
            self._fold_module_of(item.node)

    def _fold_module_of(self, node: int) -> None:
        self._focus_node = node
        self.folding.fold(self.graph.nodes[node].module)

    @guarded
    def _on_fold_selected(self) -> None:
        k = self.canvas.item.selected
        if self.drawing is not None and k >= 0:
            node = self.folding.view().items[k].node
            if node >= 0 and self.graph.nodes[node].module:
                self._fold_module_of(node)

    @guarded
    def _on_depth(self, value: int) -> None:
        if self.folding is None:
            return
        deepest = self.controls.depth.maximum() - 1
        self._focus_node = -1
        self.controls.set_depth_value(value, deepest)
        self.folding.fold_to_depth(None if value > deepest else value)

    @guarded
    def _on_fold_repeats(self) -> None:
        if self.folding is not None:
            if not self.folding.repeats:
                self.controls.show_error("No repeated blocks: no run of equal numbered modules.")
                return
            self._focus_node = -1
            self.folding.fold_repeats()

    @guarded
    def _on_search(self) -> None:
        if self.folding is None:
            return
        hits = self.folding.search(self.controls.search.text())
        if hits != self._hits:
            self._hits, self._hit_pos = hits, -1
        if not hits:
            self.controls.search_result.setText("no match")
            self._mark_hits()
            return
        self._hit_pos = (self._hit_pos + 1) % len(hits)
        node = hits[self._hit_pos]
        self.controls.search_result.setText(f"{self._hit_pos + 1} of {len(hits)}")
        self._focus_node = node
        self.folding.reveal(node)  # relayouts (and centres on it) if it was folded away
        k = self.folding.view().item_of_node[node]
        self.canvas.center_on_item(k, FOCUS_ZOOM)
        self.canvas.item.selected = k
        self._mark_hits()
        self._show_node(node)

    def _mark_hits(self) -> None:
        if self.folding is None:
            return
        of = self.folding.view().item_of_node
        self.canvas.item.hits = {of[i] for i in self._hits}
        self.canvas.item.update()

    # -- theme and teardown -----------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.canvas.set_style(canvas_style(theme))
        self.details.set_theme(theme)

    def teardown(self) -> None:
        self.player.stop()
        self.detail_timer.stop()
        self.runner.shutdown()
        disconnect_all(self._graph_conns)
        disconnect_all(self._connections)


def _empty_view():
    from gradviz.graph.trace_fold import FoldView

    return FoldView([], [], [])
