"""Node-editor canvas: frame times a user feels when panning a big graph and watching backward.

- Pan step with 300 nodes, all in view, against the same view of an empty scene (same size, same
  run): a pan step scrolls the view and repaints it synchronously (raster, no OpenGL).
- Fit-to-view with 300 nodes (F, a resize, a scene change), in normal mode and presenting at
  ×1.5 (where the zoom floor asks every node how small its value text was shrunk).
- Backward animation with 100 edges: one pulse frame (the dot moves along its edge, repaint) and
  one schedule step (the player advances, every node and edge is re-worded, repaint).

Run: xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/run.py --only canvas
"""

from __future__ import annotations

from app_setup import application, dispose
from table import Row, median_time

VIEW_SIZE = (1200, 800)


def _wide_graph(n_nodes: int):
    """A grid-shaped DAG of about ``n_nodes`` nodes, 19 columns wide: each op takes the node to
    its left and the node above it, so edges are short, as in a laid-out graph."""
    from gradviz.graph import Graph

    g = Graph()
    rows = max(1, -(-n_nodes // 19))
    above: list[int] = []
    for r in range(rows):
        row = [g.add_node("input", f"x{r}", 1.0 + r * 0.01, True, (0.0, 90.0 * r)).id]
        for c in range(1, 19):
            kind = "mul" if (c + r) % 2 else "add"
            nid = g.add_node(kind, "", None, False, (170.0 * c, 90.0 * r)).id
            g.connect(row[-1], nid, "a")
            g.connect(above[c] if above else row[0], nid, "b")
            row.append(nid)
        above = row
    out = g.add_node("output", "", None, False, (170.0 * 19, 90.0 * (rows - 1))).id
    g.connect(above[-1], out, "x")
    return g


def _view(graph):
    from gradviz.ui.panels.graph_editor.style import canvas_style
    from gradviz.ui.panels.graph_editor.view import QtGraphView
    from gradviz.ui.theme import LIGHT
    from gradviz.ui.window_common import settle

    view = QtGraphView(graph, push=lambda c: True, status=lambda m: None,
                       listen=lambda sig, slot: sig.connect(slot), style=canvas_style(LIGHT))
    view.resize(*VIEW_SIZE)
    view.show()
    settle(50)
    return view


def _pan_frame_ms(view, full: bool = False) -> float:
    """One pan step as the event loop delivers it (Qt scrolls the pixels and paints only the
    strip that came into view); with ``full`` the whole view is repainted (as a zoom step does)."""
    from PySide6.QtWidgets import QApplication

    state = {"n": 0}

    def frame():
        state["n"] += 1
        d = 6 if (state["n"] // 20) % 2 == 0 else -6  # back and forth over the graph
        view.pan_by(d, 2 if d > 0 else -2)
        if full:
            view.viewport().repaint()
        else:
            QApplication.processEvents()

    return median_time(frame, repeat=40, warmup=5)


def _zoom_frame_ms(view) -> float:
    """One wheel step: zoom in or out by 5 % around a point, then repaint everything."""
    from PySide6.QtCore import QPoint

    state = {"n": 0}

    def frame():
        state["n"] += 1
        view.zoom_by(1.05 if state["n"] % 2 else 1 / 1.05, QPoint(400, 300))
        view.viewport().repaint()

    return median_time(frame, repeat=30, warmup=4)


def _fit_rows(view, n: int) -> list[Row]:
    """Framing the whole graph: the zoom and centre only (the repaint is the pan rows')."""
    normal = median_time(view.fit_all, repeat=30, warmup=3)
    view.set_presenting(True, 1.5)
    presenting = median_time(view.fit_all, repeat=30, warmup=3)
    view.set_presenting(False)
    return [
        Row(f"canvas fit-to-view, {n} nodes", normal, "ms", goal=16.0,
            note=f"view {VIEW_SIZE[0]}×{VIEW_SIZE[1]}"),
        Row(f"canvas fit-to-view presenting ×1.5, {n} nodes", presenting, "ms", goal=16.0,
            note="zoom floor: legible value text"),
    ]


def _pan_rows() -> list[Row]:
    from gradviz.graph import Graph
    from gradviz.ui.panels.graph_editor.display import build_scene
    from gradviz.ui.window_common import settle

    graph = _wide_graph(300)
    n = len(graph)
    view = _view(graph)
    view.apply_scene(build_scene(graph, graph.run()))
    view.fit_all()
    settle(30)
    all_in_view = _pan_frame_ms(view)
    repaint_all = _pan_frame_ms(view, full=True)
    zoom_step = _zoom_frame_ms(view)
    fits = _fit_rows(view, n)
    view.zoom_by(1.0 / view.zoom())  # 100 %: node texts drawn in full
    settle(30)
    at_100 = _pan_frame_ms(view)
    empty = _view(Graph())
    base = _pan_frame_ms(empty)
    base_full = _pan_frame_ms(empty, full=True)
    base_zoom = _zoom_frame_ms(empty)
    dispose(view, empty)
    return [
        Row(f"canvas pan step, {n} nodes all in view", all_in_view, "ms", base, goal=33.0,
            note=f"view {VIEW_SIZE[0]}×{VIEW_SIZE[1]}, baseline: empty scene"),
        Row(f"canvas pan step, {n} nodes at 100 % zoom", at_100, "ms", base, goal=33.0,
            note="baseline: empty scene"),
        Row(f"canvas pan step with full repaint, {n} nodes in view", repaint_all, "ms",
            base_full, goal=33.0, note="baseline: empty scene, full repaint"),
        Row(f"canvas zoom step (wheel), {n} nodes in view", zoom_step, "ms", base_zoom,
            goal=33.0, note="titles of far-out nodes return 160 ms after the wheel stops; baseline: empty scene"),
        *fits,
    ]


def _animation_rows() -> list[Row]:
    from gradviz.core.model import AppModel
    from gradviz.ui.panels.graph_editor.panel import QtGraphEditorPanel
    from gradviz.ui.registry import PanelContext
    from gradviz.ui.window_common import settle

    graph = _wide_graph(57)
    model = AppModel()
    model.register(graph)
    panel = QtGraphEditorPanel(PanelContext(model=model))
    panel.resize(1500, 950)
    panel.show()
    settle(50)
    panel.view.fit_all()
    edges = len(graph.edges)
    player = panel.player
    first = player.first_backward()
    n_back = len(player.frames) - first
    player.load(player.frames, first)
    settle(10)
    state = {"t": 0.0}

    from PySide6.QtWidgets import QApplication

    def pulse_frame():
        # As the event loop delivers it: only where the dot was and is gets repainted.
        state["t"] = (state["t"] + 0.05) % 1.0
        panel._on_pulse(state["t"])
        QApplication.processEvents()

    pulse_ms = median_time(pulse_frame, repeat=60, warmup=5)

    def step_frame():
        if player.pos is None or player.pos >= len(player.frames) - 1:
            player.load(player.frames, first)
        player.step(+1)
        player.timeline.stop()
        QApplication.processEvents()

    step_ms = median_time(step_frame, repeat=40, warmup=3)
    dispose(panel)
    return [
        Row(f"backward animation frame, {edges} edges (pulse moves)", pulse_ms, "ms", goal=16.0,
            note=f"{n_back} backward steps"),
        Row(f"backward animation step, {edges} edges (re-word all, repaint)", step_ms, "ms",
            goal=16.0),
    ]


def rows() -> list[Row]:
    application()
    return _pan_rows() + _animation_rows()
