"""Traced-graph canvas: what a user feels panning, zooming and folding a 3,900-node graph.

The graph is the 54-layer encoder of ``bench_trace`` (``trace_module``, so every op knows its
module), shown on the graph editor's traced page with a 1200×800 canvas, every module unfolded
(about 3,900 boxes).

- Pan and zoom steps, measured as ``bench_canvas`` measures the editor's canvas (a pan step as
  the event loop delivers it, then with a full synchronous repaint; a wheel step of 5 % and a
  full repaint), with the whole graph in view (level of detail: coloured boxes) and at 100 %
  (boxes with text); baseline: the same panel with an empty graph, same size, same run.
- Fold/unfold + redraw: from the click's model call (fold or unfold one encoder layer) through
  the view, the positions and the drawing to a full synchronous repaint; from the fully
  unfolded graph (positions kept from the whole graph's layout) and from the opening view
  (repeats folded to one "×53" box; a small view gets a layout of its own).
- Animation step: one frame of the player (forward, then backward frames) with the view
  following the lit boxes and a full synchronous repaint, at 100 % zoom over the unfolded graph.

Run: xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/run.py --only traced
"""

from __future__ import annotations

from bench_trace import encoder
from table import Row, median_time

VIEW_SIZE = (1200, 800)


def _panel(graph):
    """The graph editor's traced page (on an empty traced graph for the baseline)."""
    from gradviz.core.model import AppModel
    from gradviz.graph import Graph
    from gradviz.graph.trace_model import TracedGraph
    from gradviz.ui.panels.graph_editor.panel import QtGraphEditorPanel
    from gradviz.ui.registry import PanelContext
    from gradviz.ui.viewer import _swap_traced
    from gradviz.ui.window_common import settle

    model = AppModel()
    model.register(Graph())
    _swap_traced(model, graph if graph is not None else TracedGraph())
    editor = QtGraphEditorPanel(PanelContext(model=model))
    editor.traced.show_page("traced", force=True)
    editor.resize(VIEW_SIZE[0] + 300, VIEW_SIZE[1] + 400)
    editor.show()
    panel = editor.traced.page
    panel.canvas.resize(*VIEW_SIZE)
    settle(50)
    panel.editor = editor
    return panel


def _pan_ms(canvas, full: bool) -> float:
    from PySide6.QtWidgets import QApplication

    state = {"n": 0}

    def frame():
        state["n"] += 1
        d = 6 if (state["n"] // 20) % 2 == 0 else -6  # back and forth over the graph
        canvas.pan_by(d, 2 if d > 0 else -2)
        if full:
            canvas.viewport().repaint()
        else:
            QApplication.processEvents()

    return median_time(frame, repeat=40, warmup=5)


def _zoom_ms(canvas) -> float:
    from PySide6.QtCore import QPoint

    state = {"n": 0}

    def frame():
        state["n"] += 1
        canvas.zoom_by(1.05 if state["n"] % 2 else 1 / 1.05, QPoint(400, 300))
        canvas.viewport().repaint()

    return median_time(frame, repeat=30, warmup=4)


def _frames(canvas) -> tuple[float, float, float]:
    return _pan_ms(canvas, False), _pan_ms(canvas, True), _zoom_ms(canvas)


def _fold_ms(panel, module: str) -> float:
    """Fold and unfold ``module`` alternately; each call relayouts and repaints in full."""
    folding = panel.folding
    state = {"n": 0}

    def frame():
        state["n"] += 1
        panel._focus_node = -2  # keep the zoom: time the fold, not a camera move
        if state["n"] % 2:
            folding.fold(module)
        else:
            folding.unfold(module)
        panel.canvas.viewport().repaint()

    return median_time(frame, repeat=10, warmup=2)


def _step_ms(panel, phase_first: bool) -> float:
    """One animation frame forward (follow + full repaint), from the first forward frame or
    the first backward one; wraps to the start of that phase at its end."""
    panel.restart() if phase_first else panel.start_backward()
    start = panel.player.pos

    def frame():
        if not panel.step(+1):
            panel.player.pos = start
        panel.canvas.viewport().repaint()

    return median_time(frame, repeat=40, warmup=3)


def rows() -> list[Row]:
    from gradviz.graph.trace import trace_module
    from gradviz.ui.qt_app import make_application
    from gradviz.ui.window_common import settle

    make_application(["bench"])
    model, x = encoder()
    graph = trace_module(model, x)
    empty = _panel(None)
    base = _frames(empty.canvas)
    panel = _panel(graph)
    opening_fold = _fold_ms(panel, "layers.0")
    panel.folding.unfold_all()
    settle(30)
    n = len(panel.drawing)
    panel.canvas.fit_all()
    settle(30)
    fit = _frames(panel.canvas)
    panel.canvas.zoom_by(1.0 / panel.canvas.zoom())
    settle(30)
    at_100 = _frames(panel.canvas)
    unfolded_fold = _fold_ms(panel, "layers.27")
    settle(30)
    panel.canvas.zoom_by(1.0 / panel.canvas.zoom())
    forward_step, backward_step = _step_ms(panel, True), _step_ms(panel, False)
    for p in (panel, empty):
        p.editor.teardown()
        p.editor.close()
    graph.close()
    names = ("pan step", "pan step with full repaint", "zoom step (wheel)")
    note = f"view {VIEW_SIZE[0]}×{VIEW_SIZE[1]}; baseline: the panel with an empty graph"
    out = [Row(f"traced canvas {name}, {n:,} nodes at 100 % zoom", v, "ms", b, goal=33.0,
               note=note) for name, v, b in zip(names, at_100, base, strict=True)]
    # Fitted, the graph fills the view: there is nothing to scroll, so only repaints count.
    out += [Row(f"traced canvas {name}, {n:,} nodes all in view", v, "ms", b, goal=33.0,
                note=note + "; level of detail: coloured boxes")
            for name, v, b in zip(names[1:], fit[1:], base[1:], strict=True)]
    return out + [
        Row(f"traced fold/unfold + redraw, {n:,} nodes unfolded", unfolded_fold, "ms",
            goal=100.0, note="one layer of 54; places kept from the whole graph's layout"),
        Row("traced fold/unfold + redraw, opening view (×53 folded)", opening_fold, "ms",
            goal=100.0, note="layers.0 folded and opened; a layout of its own each time"),
        Row(f"traced animation forward step, {n:,} nodes at 100 % zoom", forward_step, "ms",
            goal=16.0, note="one player frame: lit boxes, view follows, full repaint"),
        Row(f"traced animation backward step, {n:,} nodes at 100 % zoom", backward_step, "ms",
            goal=16.0, note="one player frame: gradient reached, view follows, full repaint"),
    ]
