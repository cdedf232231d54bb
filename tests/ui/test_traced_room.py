"""The traced canvas for a room (issue 14, item 4, on the traced page): a small traced graph is
framed where its text reads on a laptop, no box is drawn with an empty body, and while
presenting titles, values and gradients grow with the scale (≥ 18 px at ×1.5), a lit box's
number is never hidden, and a graph too wide for that zoom follows the active box.

Text is measured as in test_graph_editor_room.py: the font's height in scene units, as the
canvas last painted it, times the view's zoom."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gradviz.graph.trace import trace, trace_module
from gradviz.graph.trace_model import TracedGraph
from gradviz.ui.panels.traced.canvas import FULL_LOD, TITLE_LOD
from gradviz.ui.panels.traced.drawing import title_lines
from gradviz.ui.panels.traced.legibility import TITLE_PX
from gradviz.ui.viewer import _swap_traced
from gradviz.ui.window_common import settle


def _mlp(layers: int = 1) -> TracedGraph:
    """The small MLP of the screenshots; ``layers`` more hidden layers make a larger one."""
    torch.manual_seed(0)
    parts: list[nn.Module] = [nn.Linear(4, 8), nn.Tanh()]
    for _ in range(layers - 1):
        parts += [nn.Linear(8, 8), nn.Tanh()]
    net = nn.Sequential(*parts, nn.Linear(8, 3))
    return trace_module(net, torch.randn(16, 4))


def _chain(n_ops: int) -> TracedGraph:
    """``x`` scaled ``n_ops`` times in a row: a graph far wider than any screen."""
    x = torch.tensor(1.5, requires_grad=True)
    y = x
    for _ in range(n_ops):
        y = y * 1.01
    return trace(y, params={"x": x})


@pytest.fixture
def room(make_window, app_model, qtbot):
    """``open(graph, size)``: a main window of ``size`` (the editor docked as the app opens)
    showing ``graph`` on the traced page; returns the window and the page."""
    made = []

    def open_(graph: TracedGraph, size: tuple[int, int]):
        window = make_window()
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        _swap_traced(app_model, graph)
        assert window.show_panel("traced")
        page = window.panel("graph").traced.page
        qtbot.waitExposed(page.canvas)
        settle(60)
        made.append(window)
        return window, page

    yield open_
    for window in made:
        window.presentation.stop()
    if app_model.get("traced") is not None:
        app_model["traced"].close()


def painted(canvas) -> dict:
    """What the canvas draws now, with its text in screen pixels."""
    canvas.viewport().repaint()
    p = dict(canvas.item.painted)
    zoom = canvas.zoom()
    p["title_screen"] = p["title_px"] * zoom if p["title_px"] else 0.0
    p["body_screen"] = p["body_px"] * zoom if p["body_px"] else 0.0
    return p


def lit_in_view(page) -> bool:
    canvas = page.canvas
    seen = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    for k in page.canvas.item.current:
        x0, y0, x1, y1 = page.drawing.rects[k].tolist()
        if not seen.contains((x0 + x1) / 2, (y0 + y1) / 2):
            return False
    return True


def test_a_small_mlp_reads_on_a_1366_laptop_and_the_view_follows_the_steps(room):
    window, page = room(_mlp(), (1366, 768))
    canvas = page.canvas
    assert len(page.drawing) <= 40 and canvas.auto_fit
    p = painted(canvas)
    assert p["mode"] == "full" and p["empty_bodies"] == 0
    assert p["title_screen"] >= 11.0 and p["body_screen"] >= 11.0
    editor = window.panel("graph")
    editor.restart()
    steps = 0
    while editor.step(1) and steps < 40:
        steps += 1
        settle(5)
        assert lit_in_view(page)
        p = painted(canvas)
        assert p["body_screen"] >= 11.0 and p["empty_bodies"] == 0
    assert steps > 8  # the forward and the backward pass were both walked


def test_no_box_is_drawn_with_an_empty_body_at_any_zoom(room):
    _window, page = room(_mlp(layers=12), (1366, 768))
    canvas = page.canvas
    assert len(page.drawing) > 40  # a larger graph: fit shows it whole
    p = painted(canvas)
    assert canvas.zoom() < FULL_LOD and not canvas.overflowing
    assert p["mode"] in ("boxes", "compact") and p["body_px"] is None
    canvas.zoom_by((TITLE_LOD + FULL_LOD) / 2 / canvas.zoom())
    p = painted(canvas)
    assert p["mode"] == "compact" and p["body_px"] is None
    assert p["title_px"] > TITLE_PX  # the title alone takes the box: larger than in a full one
    canvas.zoom_by(FULL_LOD * 1.01 / canvas.zoom())
    p = painted(canvas)
    assert p["mode"] == "full" and p["empty_bodies"] == 0 and p["body_screen"] >= 11.0


def test_presenting_grows_the_text_with_the_scale_and_stopping_restores_it(room):
    window, page = room(_mlp(), (1280, 720))
    canvas = page.canvas
    normal = painted(canvas)["body_screen"]
    window.presentation.scale = 1.5
    window.presentation.start()
    settle(100)
    assert window.width() <= 1280 and window.height() <= 720  # the small projector
    at_15 = painted(canvas)
    assert canvas.presenting_scale == pytest.approx(1.5)
    assert at_15["mode"] == "full" and at_15["empty_bodies"] == 0
    assert at_15["title_screen"] >= 18.0 and at_15["body_screen"] >= 18.0
    # As the layout-fit check and the hand-built canvas's room test measure it.
    assert canvas.item.value_text_pixels() * canvas.zoom() >= 18.0
    window.presentation.set_scale(2.0)
    settle(100)
    at_2 = painted(canvas)
    assert at_2["title_screen"] >= 24.0 and at_2["body_screen"] >= 24.0
    assert canvas.item.value_text_pixels() * canvas.zoom() >= 24.0
    assert at_2["body_screen"] > at_15["body_screen"] > normal
    editor = window.panel("graph")
    editor.restart()
    editor.step(1)
    editor.step(1)
    canvas.zoom_by(0.3)  # the lecturer zooms far out: the lit boxes' numbers stay legible
    p = painted(canvas)
    assert p["body_screen"] < 24.0 and canvas.item.callouts
    assert p["callout_px"] >= 24.0
    canvas.fit_all()
    window.presentation.stop()
    settle(100)
    assert canvas.presenting_scale is None
    assert painted(canvas)["body_screen"] == pytest.approx(normal, rel=0.02)


def test_presenting_never_hides_the_lit_value_and_follows_a_wide_graph(room):
    window, page = room(_chain(30), (1280, 720))
    canvas = page.canvas
    window.presentation.scale = 1.5
    window.presentation.start()
    settle(100)
    assert canvas.overflowing  # 31 boxes in a row: wider than the screen at 18 px
    editor = window.panel("graph")
    editor.restart()
    seen = 0
    while editor.step(1) and seen < 80:
        settle(5)
        assert lit_in_view(page)
        assert painted(canvas)["body_screen"] >= 18.0
        seen += 1
    assert seen > 30  # the walk crossed far more than one screen of boxes


def test_a_compact_title_breaks_before_backward_or_after_the_last_dot():
    assert title_lines("AddmmBackward0") == ["Addmm", "Backward0"]
    assert title_lines("layers.0.self_attn.in_proj_weight") == ["layers.0.self_attn.",
                                                                "in_proj_weight"]
    assert title_lines("AccumulateGrad") == ["AccumulateGrad"]
    assert title_lines("Backward0") == ["Backward0"]  # nothing before it to break off
    assert title_lines("x.") == ["x."]
