"""The 3D loss surface: frame time against a bare GLViewWidget, surface switches, one step.

* "3D frame at 200×200": one frame of the panel's GL view (surface with its baked-in grid lines,
  floor contours, red ball, yellow arrow, trail), timed as ``paintGL`` + ``glFinish`` with the
  ball moved between frames, against a bare ``GLViewWidget`` of the same size drawing the same
  mesh as a plain ``GLSurfacePlotItem``. Frames of the two views alternate, so a load spike hits
  both; both absolute times are reported (Mesa llvmpipe under Xvfb here).
* "surface recompute (torch grid)": the 200×200 grid of f = x² + 2xy through the safe
  expression compiler, against the same formula written as plain torch code.
* "surface switch, full update": switching surface at 200×200 — grid, mesh, shaded colours,
  floor contours, contour image and iso-lines — plus the first frame that uploads it.
* "optimizer step + scene update": one real ``torch.optim`` step for the ball and every view
  brought up to date (3D items, contour map, loss plot, readout), without the GL paint.

Medians are the headline; the notes add the fastest run, which on a shared machine is the best
estimate of the cost without the other processes.

Run: xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/run.py --only surface
"""

from __future__ import annotations

import itertools
import statistics

import torch
from app_setup import application, dispose
from table import Row, median_time, timings

SIZE = (800, 600)
N = 200


def _one_frame_ms(view) -> float:
    """Wall time of one synchronous frame: paintGL then glFinish in the view's context."""
    import time

    from OpenGL import GL

    view.makeCurrent()
    t0 = time.perf_counter()
    GL.glViewport(0, 0, view.deviceWidth(), view.deviceHeight())
    view.paintGL()
    GL.glFinish()
    t1 = time.perf_counter()
    view.doneCurrent()
    return (t1 - t0) * 1000


def _paired_frames(ours, bare, before, pairs: int = 100, warmup: int = 10):
    """Frames of the two views alternately (a load spike hits both alike); returns the
    medians of each and the median of the per-pair ratios."""
    import statistics

    a, b, r = [], [], []
    for i in range(warmup + pairs):
        before()
        t_bare = _one_frame_ms(bare)
        t_ours = _one_frame_ms(ours)
        if i >= warmup:
            a.append(t_ours)
            b.append(t_bare)
            r.append(t_ours / t_bare)
    return statistics.median(a), statistics.median(b), statistics.median(r)


def _median_and_best(fn, repeat: int, warmup: int = 3) -> tuple[float, float]:
    """Median and fastest wall time of ``fn()`` in ms (the fastest shows the cost without the
    other processes on a shared machine)."""
    times = timings(fn, repeat, warmup)
    return statistics.median(times), min(times)

def rows() -> list[Row]:
    application()
    from gradviz.ui.gl_info import gl_renderer

    renderer = gl_renderer()
    if renderer.startswith("unavailable"):
        return [Row("3D frame at 200×200", None, "ms", note=renderer)]
    import pyqtgraph.opengl as gl

    from gradviz.app import build_model
    from gradviz.core.surfaces import SURFACES, grid_values, one_thread, shaded_colours
    from gradviz.ui.window_common import settle
    from gradviz.ui.panels.surface.panel import QtSurfacePanel
    from gradviz.ui.registry import PanelContext

    model = build_model()
    panel = QtSurfacePanel(PanelContext(model=model))
    panel.resize(1400, 950)
    panel.show()
    settle(200)
    state = panel.state
    panel.apply_preset("chapter3d")
    state.grid = N
    panel.refresh_now()
    view = panel.scene.view
    view.setFixedSize(*SIZE)
    settle(200)
    grid = state.grid_data()

    bare = gl.GLViewWidget()
    bare.resize(*SIZE)
    bare.opts.update(view.opts)
    sx, sy = grid.scene_xy
    bare.addItem(gl.GLSurfacePlotItem(x=sx, y=sy, z=grid.height,
                                      colors=shaded_colours(grid).reshape(-1, 4),
                                      computeNormals=False, smooth=True, shader=None,
                                      glOptions="opaque"))
    bare.show()
    settle(200)

    steps = itertools.count()

    def move_ball():
        # The ball animates: a fresh step every frame, restarting before it settles.
        if next(steps) % 40 == 0:
            state.restart()
        state.step(1)
        panel.refresh_now()

    ours_ms, bare_ms, pair_ratio = _paired_frames(view, bare, move_ball)
    frame_note = (f"{renderer.split(',')[0]}, {SIZE[0]}×{SIZE[1]}; bare view {bare_ms:.2f} ms; "
                  f"median of paired ratios {pair_ratio:.3f}")

    # surface recompute: compiled expression vs the formula written by hand
    chapter = SURFACES["chapter"]
    xs = torch.linspace(-2, 2, N)
    gx, gy = torch.meshgrid(xs, xs, indexing="ij")

    def by_hand():
        with torch.no_grad(), one_thread():
            return gx**2 + 2 * gx * gy

    grid_ms = median_time(lambda: grid_values(chapter, N), repeat=50, warmup=5)
    hand_ms = median_time(by_hand, repeat=50, warmup=5)

    # full switch: alternate two surfaces so every switch recomputes
    cycle = itertools.cycle(["bowl", "himmelblau"])

    def switch():
        state.surface = next(cycle)
        panel.refresh_now()
        view.makeCurrent()
        from OpenGL import GL

        view.paintGL()
        GL.glFinish()
        view.doneCurrent()

    switch_ms, switch_best = _median_and_best(switch, repeat=16, warmup=2)
    panel.apply_preset("chapter3d")
    state.grid = N
    panel.refresh_now()

    def one_step():
        if state.race.steps >= 300:
            state.restart()
        state.step(1)
        panel.refresh_now()

    step_ms, step_best = _median_and_best(one_step, repeat=300, warmup=10)
    dispose(bare, panel)
    return [
        Row("3D frame at 200×200 (panel vs bare GLViewWidget)", ours_ms, "ms", baseline=bare_ms,
            goal=1.2, goal_on="ratio", note=frame_note),
        Row("surface recompute: torch grid 200×200", grid_ms, "ms", baseline=hand_ms, goal=5.0,
            note="f = x² + 2xy compiled; baseline: the formula as hand-written torch"),
        Row("surface switch: full update 200×200 + first frame", switch_ms, "ms", goal=150.0,
            note=f"fastest {switch_best:.1f} ms"),
        Row("optimizer step + scene update", step_ms, "ms", goal=2.0,
            note=f"fastest {step_best:.2f} ms; torch.optim.SGD step, 3D items, contour map, "
                 "loss plot, readout"),
    ]


if __name__ == "__main__":
    from table import as_text

    print(as_text(rows()))
