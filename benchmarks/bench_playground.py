"""The Playground's Qt-free work, as users will feel it once the panel is built on it.

* "landscape 51×51": :func:`loss_grid` for an 8 × 16 network (8 hidden layers of 16 tanh
  neurons) on 1,000 training points, batched (``bmm``: stacked weight sets, batched matrix
  products) against a plain Python loop over the 2,601 grid points (one ``functional_call``
  each) measured in the same run; also the ``vmap`` + ``functional_call`` variant, the other
  batched formulation, so the choice of ``bmm`` as the default stays justified by numbers.
* "neuron heatmaps 50×50": every neuron's output on the grid in one batched forward pass; a frame
  is 16 ms.
* "training update": ``PlaygroundModel.step`` (which also records the full-set train and test loss
  after every update, for the curves) against a bare torch loop on the same network, data, batch
  size 10 and Adam.

Everything runs with one torch thread (restored afterwards) and reports CPU time (``time.
process_time``) beside the wall time: up to 8 engineers share this machine's 2 cores, and with
the default 2 threads a loaded machine made OpenMP wait on descheduled threads (a 51×51 grid took
25 s of wall time with 2 threads, 3.4 s with 1). CPU time of one thread is what an idle core
would take; the grid loop baseline is timed on every 4th row and column (169 points) and scaled
to 2,601.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time

import torch
from table import Row, median_time

from gradviz.core.landscape import loss_grid, loss_grid_loop, random_directions
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_heatmaps import neuron_heatmaps
from gradviz.core.playground_net import data_loss, make_optimizer

GRID = 51


def _model() -> PlaygroundModel:
    """8 × 16 tanh network; 1,111 points × 0.9 = 1,000 training points."""
    model = PlaygroundModel()
    model.hidden = (16,) * 8
    model.train_fraction = 0.9
    model.points = tuple((0.01 * i - 0.5, 0.3, i % 2) for i in range(111))
    model.step(50)
    assert len(model.data()[0]) == 1000
    return model


@contextlib.contextmanager
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _cpu_wall_ms(fn, repeat: int = 3) -> tuple[float, float]:
    """Median CPU time and median wall time of ``fn()`` in milliseconds."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def _landscape_rows(model: PlaygroundModel) -> list[Row]:
    params = list(model.network.parameters())
    dirs = (random_directions(params, 1), random_directions(params, 2))
    loss_grid(model, dirs, n=5)  # warm-up
    bmm_cpu, bmm_wall = _cpu_wall_ms(lambda: loss_grid(model, dirs, GRID, method="bmm"))
    vmap_cpu, _ = _cpu_wall_ms(lambda: loss_grid(model, dirs, GRID, method="vmap"), repeat=2)
    cells = [(i, j) for i in range(0, GRID, 4) for j in range(0, GRID, 4)]
    loop_cpu, loop_wall = (t * GRID * GRID / len(cells) for t in _cpu_wall_ms(
        lambda: loss_grid_loop(model, dirs, GRID, at=cells), repeat=1))
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    return [
        Row("playground landscape 51×51 bmm, CPU (8×16 net, 1,000 pts)", bmm_cpu, "ms",
            loop_cpu, goal=1000.0, note="1 thread; baseline: plain loop over grid points"),
        Row("playground landscape 51×51 bmm vs plain loop, CPU", bmm_cpu, "ms", loop_cpu,
            goal=0.5, goal_on="ratio", note="goal: ≥ 2× faster than the loop"),
        Row("playground landscape 51×51 bmm, wall", bmm_wall, "ms", loop_wall, note=load),
        Row("playground landscape 51×51 vmap+functional_call, CPU", vmap_cpu, "ms", bmm_cpu,
            note="baseline: bmm (the default); ratio > 1 means bmm is faster"),
    ]


def _heatmap_rows(model: PlaygroundModel) -> list[Row]:
    net = model.network
    grid = torch.rand(2500, 2)

    def bare():
        with torch.no_grad():
            net(grid)

    ms = median_time(lambda: neuron_heatmaps(net, 50), repeat=50)
    return [Row("playground neuron heatmaps 50×50 (8×16 net)", ms, "ms", median_time(bare, 50),
                goal=16.0, note="baseline: one bare forward of the 2,500 points")]


def _bare_loop(model: PlaygroundModel):
    """The same network, data and batches as a student's loop: Adam, batch 10."""
    net = model.network
    opt = make_optimizer("Adam", list(net.parameters()), 0.01, 0.9)
    x, y, _, _ = model.data()
    state = {"i": 0}

    def ten_steps():
        for _ in range(10):
            i = state["i"] = (state["i"] + 10) % len(x)
            opt.zero_grad()
            data_loss(net(x[i:i + 10]), y[i:i + 10], model.task).backward()
            opt.step()
    return ten_steps


def _training_rows() -> list[Row]:
    ours_model, bare_model = _model(), _model()
    ours, _ = _cpu_wall_ms(lambda: ours_model.step(100), repeat=5)
    ten_steps = _bare_loop(bare_model)
    bare, _ = _cpu_wall_ms(lambda: [ten_steps() for _ in range(10)], repeat=5)
    return [Row("playground training update, CPU (8×16, batch 10, Adam)", ours / 100, "ms",
                bare / 100, goal=2.0, goal_on="ratio",
                note="1 thread; baseline: bare torch loop; ours also records both loss curves")]


def rows() -> list[Row]:
    with _one_thread():
        model = _model()
        return _landscape_rows(model) + _heatmap_rows(model) + _training_rows()


if __name__ == "__main__":
    from table import as_text

    print(as_text(rows()))
