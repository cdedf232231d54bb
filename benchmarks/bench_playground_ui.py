"""The Playground panel while it trains: updates per second with the views live, against a bare
torch loop, and how long the window is kept from drawing.

* "training with the UI live": the panel's own Play (timer slices of training, views redrawn
  about 15 times a second, all neuron heatmaps on) on an 8 × 16 tanh network, 1,000 training
  points, batch 10, Adam, run through the real event loop for a few seconds; its time per update
  against a bare torch loop on the same network, data and batch size (goal: ≥ 0.5× the bare
  throughput, i.e. ≤ 2× the time per update).
* "redraw interval": wall time between redraws while playing (goal ≤ 100 ms: ≥ 10 a second).
* "UI frame while training": the longest the event loop is busy at once — one training slice, or
  one view's redraw with its paint — as the 95th percentile of the gaps between a 2 ms probe
  timer's ticks (2 ms apart; goal ≤ 16 ms); and the median time of one whole redraw (paint aside).

torch runs on one thread (restored afterwards), as in bench_playground.py: the machine's 2 cores
are shared. Run: xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/run.py
--only playground_ui
"""

from __future__ import annotations

import os
import statistics
import time

import torch
from table import Row

PLAY_SECONDS = 4.0


def _app():
    from gradviz.ui.qt_app import make_application

    return make_application(["bench"])


def _panel():
    from gradviz.app import build_model
    from gradviz.ui.panels.playground.panel import QtPlaygroundPanel
    from gradviz.ui.registry import PanelContext

    model = build_model()
    pg = model["playground"]
    pg.hidden = (16,) * 8
    pg.train_fraction = 0.9
    pg.points = tuple((0.01 * i - 0.5, 0.3, i % 2) for i in range(111))
    assert len(pg.data()[0]) == 1000 and pg.batch_size == 10 and pg.optimizer == "Adam"
    panel = QtPlaygroundPanel(PanelContext(model=model))
    panel.resize(1600, 1000)
    panel.show()
    return panel


def _play(app, panel) -> dict:
    """Play for PLAY_SECONDS through the event loop; gaps of a 2 ms probe timer and redraws."""
    from PySide6.QtCore import QEventLoop, QTimer

    gaps, cpu_gaps, redraws = [], [], []
    last = [time.perf_counter(), time.thread_time()]

    def probe():
        now, cpu = time.perf_counter(), time.thread_time()
        gaps.append((now - last[0]) * 1000)
        cpu_gaps.append((cpu - last[1]) * 1000)
        last[:] = [now, cpu]

    original = panel.trainer.redraw

    def timed_redraw():
        redraws.append(time.perf_counter())
        original()

    panel.trainer.redraw = timed_redraw
    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(probe)
    timer.start()
    start_steps = panel.pg.steps
    panel.trainer.start()
    t0, c0 = time.perf_counter(), time.process_time()
    loop = QEventLoop()
    QTimer.singleShot(int(PLAY_SECONDS * 1000), loop.quit)
    loop.exec()  # the real event loop: it sleeps whenever nothing is due, as the app's does
    panel.trainer.timer.stop()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    timer.stop()
    panel.trainer.redraw = original
    return {"steps": panel.pg.steps - start_steps, "seconds": elapsed, "cpu": cpu,
            "gaps": gaps[5:], "cpu_gaps": cpu_gaps[5:], "redraws": redraws}


def _bare_ms_per_update(panel, seconds: float = 2.0) -> tuple[float, float]:
    """A student's loop on a copy of the same network and the same data: Adam, batch 10;
    (CPU, wall) milliseconds per update."""
    import copy

    from gradviz.core.playground_net import data_loss, make_optimizer

    net = copy.deepcopy(panel.pg.network)
    opt = make_optimizer("Adam", list(net.parameters()), 0.01, 0.9)
    x, y, _, _ = panel.pg.data()
    n, i, t0, c0 = 0, 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        i = (i + 10) % (len(x) - 10)
        opt.zero_grad()
        data_loss(net(x[i:i + 10]), y[i:i + 10], panel.pg.task).backward()
        opt.step()
        n += 1
    return (time.process_time() - c0) * 1000 / n, (time.perf_counter() - t0) * 1000 / n


def _redraw_ms(panel, repeat: int = 20) -> float:
    """Median time to bring every view up to date (heatmaps, boundary, curves; paint aside)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        panel.refresh_views()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def rows() -> list[Row]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        app = _app()
        panel = _panel()
        app.processEvents()
        bare = _bare_ms_per_update(panel)
        run = _play(app, panel)
        bare_after = _bare_ms_per_update(panel)  # a load spike during play shows up here too
        redraw_ms = _redraw_ms(panel)
        panel.teardown()
        panel.close()
    finally:
        torch.set_num_threads(before)
    steps = max(run["steps"], 1)
    ours_cpu, ours_wall = run["cpu"] * 1000 / steps, run["seconds"] * 1000 / steps
    bare_cpu = statistics.mean([bare[0], bare_after[0]])
    bare_wall = statistics.mean([bare[1], bare_after[1]])
    starts = run["redraws"]
    interval = statistics.median([b - a for a, b in zip(starts, starts[1:], strict=False)]) * 1000
    p95 = _percentile(run["cpu_gaps"], 0.95)
    wall95 = _percentile(run["gaps"], 0.95)
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    return [
        Row("playground UI: training with the UI live, CPU per update (8×16, 1,000 pts, "
            "batch 10, Adam, heatmaps on)", ours_cpu, "ms", bare_cpu, goal=2.0, goal_on="ratio",
            note=f"baseline: bare torch loop; {run['steps']} updates, {len(starts)} redraws in "
                 f"{run['seconds']:.1f} s; 1 thread"),
        Row("playground UI: the same, wall time per update", ours_wall, "ms", bare_wall,
            note=f"{load}: wall time is at the mercy of the other processes"),
        Row("playground UI: redraw interval while training", interval, "ms", goal=100.0,
            note="goal ≥ 10 redraws a second"),
        Row("playground UI: frame while training, CPU (95th pct of event-loop turns)", p95, "ms",
            goal=16.0, note=f"wall: 95th pct {wall95:.1f} ms, median "
                            f"{statistics.median(run['gaps']):.1f} ms ({load})"),
        Row("playground UI: one redraw, all views (heatmaps, boundary, curves; no paint)",
            redraw_ms, "ms", note="while playing it is split over three event-loop turns"),
    ]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


if __name__ == "__main__":
    from table import as_text

    print(as_text(rows()))
