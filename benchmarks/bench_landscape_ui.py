"""The 3D panel's "Network loss" source: the grid in the worker, and switching to a cached one.

* "network loss 51×51 in the worker": from choosing the source to the grid arriving on the GUI
  thread (an 8 × 16 Playground network on its default data), wall time; the note gives the
  process CPU time over the same span. Baseline: the same ``compute_landscape`` called directly
  on the main thread (the worker's overhead is the ratio's excess over 1).
* "switch to a cached network surface": the panel brought up to date after a seed change whose
  grid is already cached (mesh, shaded colours, floor contours, contour image, iso-lines, the
  race frame), against a switch between two formula surfaces at the same grid size.

Run: xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/run.py --only landscape
"""

from __future__ import annotations

import statistics
import time

from table import Row, timings

HIDDEN = (8, 16)
N = 51
TIMEOUT_S = 120.0


def _app():
    from gradviz.ui.qt_app import make_application

    return make_application(["bench"])


def _wait(condition, app) -> None:
    end = time.perf_counter() + TIMEOUT_S
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the worker did not answer in time")
        app.processEvents()
        time.sleep(0.001)


def _panel():
    from gradviz.app import build_model
    from gradviz.ui.panels.surface.panel import QtSurfacePanel
    from gradviz.ui.registry import PanelContext
    from gradviz.ui.window_common import settle

    model = build_model()
    model["playground"].hidden = HIDDEN
    model["playground"].step(50)
    panel = QtSurfacePanel(PanelContext(model=model))
    panel.resize(1400, 950)
    panel.show()
    settle(200)
    return panel


def _grid_in_worker(panel, app) -> tuple[float, float]:
    """Wall and CPU milliseconds from asking for the grid to holding it."""
    state = panel.state
    t0, c0 = time.perf_counter(), time.process_time()
    state.surface = "network"
    panel.refresh_now()
    _wait(lambda: state.landscapes.get(state.network_key()) is not None, app)
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def _switch_times(panel, app, field: str, values: tuple) -> list[float]:
    state = panel.state
    cycle = iter(values * 20)

    def switch() -> None:
        setattr(state, field, next(cycle))
        panel.refresh_now()

    return timings(switch, repeat=20, warmup=2)


def rows() -> list[Row]:
    app = _app()
    from gradviz.core.landscape_source import Snapshot, compute_landscape

    panel = _panel()
    state = panel.state
    state.net_grid = N
    snapshot = Snapshot.of(state.playground)
    t0 = time.perf_counter()
    compute_landscape(snapshot, state.network_spec())
    direct = (time.perf_counter() - t0) * 1000
    wall, cpu = _grid_in_worker(panel, app)
    state.net_seed1 = 5
    panel.refresh_now()
    _wait(lambda: state.landscapes.get(state.network_key()) is not None
          and not panel.network.worker.busy(), app)
    cached = _switch_times(panel, app, "net_seed1", (1, 5))
    state.surface = "bowl"
    state.grid = N if N >= 50 else 50
    formula = _switch_times(panel, app, "surface", ("bowl", "elongated"))
    panel.teardown()
    return [
        Row(f"network loss {N}×{N} in the worker", wall, "ms", baseline=direct, goal=1000.0,
            note=f"CPU {cpu:.0f} ms; {HIDDEN[0]}×{HIDDEN[1]} network, "
                 f"{len(snapshot.rebuild()[0].data()[0])} training points"),
        Row("switch to a cached network surface", statistics.median(cached), "ms",
            baseline=statistics.median(formula), goal=100.0,
            note=f"fastest {min(cached):.1f} ms; baseline: formula surface switch at {N}×{N}"),
    ]
