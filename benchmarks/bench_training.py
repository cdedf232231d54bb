"""The trap, the training runs and the no_grad measurement, as users feel them.

* "training step, both runs": ``TrainingModel.step()`` (two runs, four phases each, events)
  against the same two SGD loops written as plain torch, measured alternately in the same
  process. The goal is on the ratio, ≤ 1.2: the panel may add a fifth to what torch itself costs.
  (An absolute goal, 0.33 ms for 30 steps in a 10 ms slice of a 30 ms tick, is one plain torch
  does not meet on this machine: its own loops take about 0.5 ms.)
* "trap press": ``TrapModel.press()`` against a bare forward + ``backward()``.
* "no_grad measure (largest sliders)": one ``measure()`` at width 1024, depth 8, batch 512, and the
  width sweep the panel redraws when depth or batch change; both against a bare forward pass. The
  panel runs them on a worker thread, so these say how long until the numbers appear.
* "training panel": what a 30 ms timer tick draws while running (status lines and the loop
  diagram), and the loss-curve redraw with two 5000-point curves, done at most 10 times a second
  (needs Qt; a frame is 16.7 ms).
"""

from __future__ import annotations

import torch
from table import Row, interleaved, median_time

from gradviz.core.memory import make_mlp, measure, sweep_widths
from gradviz.core.mininet import MiniNetwork
from gradviz.core.training import MAX_STEPS, TrainingModel
from gradviz.core.trap import TrapModel

#: The training step may cost at most this many times the same loops written in plain torch.
GOAL_STEP_RATIO = 1.2


def _plain_loops(net: MiniNetwork):
    xs, ys = net.dataset()
    params = []
    for _ in range(2):
        w = torch.tensor(net.w, requires_grad=True)
        b = torch.tensor(net.b, requires_grad=True)
        params.append((w, b, torch.optim.SGD([w, b], lr=0.1)))

    def step():
        for i, (w, b, opt) in enumerate(params):
            if i == 0:
                opt.zero_grad()
            loss = ((w * xs + b - ys) ** 2).mean()
            loss.backward()
            opt.step()
    return step


def _training_rows() -> list[Row]:
    net = MiniNetwork()
    model = TrainingModel(net)
    model.lr = 0.01  # stays finite for the whole measurement

    def ours():
        if model.finished or model.runs["correct"].steps > MAX_STEPS - 10:
            model.restart(emit=False)
        model.step()

    ours_ms, base_ms, cpu_ratio = interleaved(ours, _plain_loops(net), repeat=300, warmup=10)
    return [Row("training step, both runs (4 phases each)", ours_ms, "ms", base_ms,
                goal=GOAL_STEP_RATIO, goal_on="ratio",
                note=f"baseline: the same two SGD loops in plain torch, alternating; "
                     f"CPU-time ratio {cpu_ratio:.2f}")]


def _trap_rows() -> list[Row]:
    trap = TrapModel(MiniNetwork())

    def press():
        if len(trap.history) > 1000:
            trap.restart()
        trap.press()

    w = torch.tensor(0.5, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    x, y = torch.tensor(1.0), torch.tensor(0.3)

    def bare():
        ((w * x + b - y) ** 2).backward()

    return [Row("trap press (forward + backward + record)", median_time(press, repeat=200), "ms",
                median_time(bare, repeat=200), goal=100.0, note="goal: answers within 100 ms")]


def _memory_rows() -> list[Row]:
    layers = make_mlp(1024, 8)
    x = torch.randn(512, 16)

    def bare_forward():
        h = x
        for i, (w, b) in enumerate(layers):
            h = torch.nn.functional.linear(h, w, b)
            if i < len(layers) - 1:
                h = torch.relu(h)

    base = median_time(bare_forward, repeat=5, warmup=1)
    one = median_time(lambda: measure(1024, 8, 512, no_grad=False), repeat=5, warmup=1)
    sweep = median_time(lambda: sweep_widths([4, 8, 16, 32, 64, 128, 256, 512, 1024], 8, 512),
                        repeat=3, warmup=1)
    return [
        Row("no_grad measure, width 1024 depth 8 batch 512", one, "ms", base, goal=2000.0,
            note="on a worker thread: the window stays responsive; baseline: bare forward"),
        Row("no_grad width sweep (9 widths), depth 8 batch 512", sweep, "ms", base, goal=5000.0,
            note="worker thread; only when depth or batch change"),
    ]


def _panel_rows() -> list[Row]:
    try:
        from app_setup import application, dispose

        app = application()
        from gradviz.app import build_model
        from gradviz.ui.panels.training import QtTrainingPanel
        from gradviz.ui.registry import PanelContext
    except Exception as exc:  # no display: say so rather than fail the table
        return [Row("training panel redraw", None, "ms", note=f"no Qt: {exc}")]
    model = build_model()
    panel = QtTrainingPanel(PanelContext(model=model))
    panel.resize(1100, 850)
    panel.show()
    app.processEvents()
    training = model["training"]
    training.lr = 0.01
    for _ in range(MAX_STEPS):
        training.runs["correct"].step()
        training.runs["buggy"].step()

    def full():
        # As the event loop delivers it: one paint of the plot. A repaint() here would paint it
        # twice, since pyqtgraph's setData queues a scene update that lands after the repaint
        # (counted: 2 paints per call, twice the time).
        panel._redraw()
        app.processEvents()

    def tick():
        panel._redraw(curves=False)
        panel.diagram.repaint()
        app.processEvents()

    full_ms = median_time(full, repeat=20)
    tick_ms = median_time(tick, repeat=20)
    dispose(panel)
    return [Row("training panel: tick redraw (status + diagram)", tick_ms, "ms", goal=16.7,
                note="every 30 ms tick while running; a frame is 16.7 ms"),
            Row("training panel: curve redraw, 2 × 5000 points", full_ms, "ms", goal=50.0,
                note="at most 10 times a second while running")]


def rows() -> list[Row]:
    return _training_rows() + _trap_rows() + _memory_rows() + _panel_rows()
