"""A traced graph in a lesson: saving, opening and switching scenes.

The graph is the one of ``bench_trace``: ``trace_module`` of the 54-layer
``nn.TransformerEncoder`` (about 3,900 nodes, every value kept) after one backward, so every node
has a value and a gradient summary. The lesson has two scenes, one with the graph, one without.

* "save, GUI thread": what the window does before handing the file to its worker (the model's
  state, ``AppModel.to_dict``); goal 150 ms. "save, in the worker": ``save_lesson`` (encode and
  an atomic, fsynced write). Baseline: ``json.dumps`` of the same dictionary.
* "open, in the worker": ``open_lesson`` (parse, migrate, validate into candidate models, every
  scene included). "open, GUI thread": applying the decoded lesson (``AppModel.from_dict``) and
  the change-tracking digest; goal 150 ms. Baseline: ``json.loads`` of the same file.
* "live traced graph save, GUI thread": the viewer's live graph, once the worker has summarised
  its tensors (``precompute_state``, timed in the note); goal 150 ms.
* "window stall" rows: in a real window, the longest time its event loop does not turn while
  File → Open, a scene switch (the graph editor's traced page shown) and File → Save run.
* "scene switch": showing a scene (``apply_scene_state``) plus the digest the window computes
  after it, alternating between the two scenes; baseline: the same lesson without the graph.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from bench_trace import encoder
from table import Row, median_time

from gradviz.graph.trace import trace_module
from gradviz.graph.trace_model import TracedGraph
from gradviz.lesson import Lesson, open_lesson, save_lesson
from gradviz.lesson.catalog import build_model
from gradviz.lesson.digest import state_digest
from gradviz.lesson.scenes import SCENES_KEY, apply_scene_state, capture_scene

GOAL_MS = 150.0


def _model() -> object:
    model = build_model()
    if "traced" not in model:  # builds before issue 15's lesson work (to measure "before")
        model.register(TracedGraph())
    return model


def _lesson_model(with_graph: bool) -> object:
    """A model holding the encoder's graph (reopened, as in a lecturer's lesson) and two
    scenes: the graph, and none."""
    model = _model()
    if with_graph:
        torch_model, x = encoder()
        live = trace_module(torch_model, x)
        live.backward()
        state = live.to_dict()
        live.close()
        model["traced"].from_dict(json.loads(json.dumps(state)))
    model[SCENES_KEY].insert(0, capture_scene(model, ["graph"], "the graph"))
    keep = model["traced"].to_dict()
    model["traced"].reset()
    model[SCENES_KEY].insert(1, capture_scene(model, ["graph"], "no graph"))
    model["traced"].from_dict(keep)
    model[SCENES_KEY].set_current(0)
    return model


def _switch_ms(model: object) -> float:
    scenes = model[SCENES_KEY]
    turn = [0]

    def switch() -> None:
        turn[0] ^= 1
        apply_scene_state(model, scenes[turn[0]])
        scenes.set_current(turn[0])
        state_digest(model)

    return median_time(switch, repeat=10)


def _live_save_row() -> Row:
    """The viewer's case: a live graph, whose first ``to_dict`` summarises every tensor."""
    model = _model()
    torch_model, x = encoder()
    live = model.replace(trace_module(torch_model, x))
    live.backward()
    t0 = time.perf_counter()
    getattr(live, "precompute_state", lambda: None)()  # in the window's worker
    worker_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    state = model.to_dict()
    gui_ms = (time.perf_counter() - t0) * 1000
    dumps_ms = median_time(lambda: json.dumps(state), repeat=3)
    live.close()
    return Row("live traced graph save, GUI thread", gui_ms, "ms", baseline=dumps_ms,
               goal=GOAL_MS, note=f"to_dict after the worker summarised it ({worker_ms:.0f} ms); "
                                  "baseline json.dumps")


def _window_rows(path: Path) -> list[Row]:
    """What the window feels: the longest the event loop goes without turning (a 5 ms timer's
    longest gap) while File → Open, a scene switch (the editor's traced page redrawn) and
    File → Save run; baseline: the same timer's longest gap in an idle second."""
    from app_setup import application
    from PySide6.QtCore import QTimer

    from gradviz.ui.main_window import QtMainWindow
    from gradviz.ui.panels import builtin_registry
    from gradviz.ui.window_common import settle

    application()
    window = QtMainWindow(build_model(), builtin_registry(), None)
    window.resize(1600, 1000)
    window.show()
    settle(300)
    ticks: list[float] = []
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()

    def longest_gap(action) -> float:
        settle(300)
        ticks[:] = [time.perf_counter()]
        action()
        settle(150)
        return max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) * 1000

    idle = longest_gap(lambda: settle(1000))
    opened = longest_gap(lambda: window.lessons.load(path))
    window.show_panel("graph")
    window.panel("graph").show_page("traced")
    settle(1000)
    switch = max(longest_gap(lambda i=i: window.lessons.go_to_scene(i)) for i in (1, 0, 1, 0))
    saved = longest_gap(lambda: window.lessons.save_as(path.with_name("again.gradviz")))
    timer.stop()
    window.close()
    note = "longest event-loop stall; baseline: idle"
    return [Row("traced lesson File → Open, window stall", opened, "ms", baseline=idle,
                goal=GOAL_MS, note=note),
            Row("traced lesson scene switch, window stall", switch, "ms", baseline=idle,
                goal=100.0, note=note + " (traced page shown and redrawn)"),
            Row("traced lesson File → Save, window stall", saved, "ms", baseline=idle,
                goal=GOAL_MS, note=note)]


def rows() -> list[Row]:
    model = _lesson_model(True)
    n = len(model["traced"])
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "traced.gradviz"
        state = model.to_dict()
        dumps_ms = median_time(lambda: json.dumps(state), repeat=5)
        capture_ms = median_time(model.to_dict, repeat=5)
        write_ms = median_time(lambda: save_lesson(path, Lesson(model.to_dict())), repeat=5)
        mb = path.stat().st_size / 1e6
        out.append(Row(f"traced lesson save, GUI thread ({n:,} nodes)", capture_ms, "ms",
                       baseline=dumps_ms, goal=GOAL_MS,
                       note="AppModel.to_dict; baseline json.dumps of that dict"))
        out.append(Row("traced lesson save, in the worker", write_ms, "ms", baseline=dumps_ms,
                       note=f"to_dict + save_lesson, {mb:.1f} MB; baseline json.dumps"))
        raw = path.read_bytes()
        loads_ms = median_time(lambda: json.loads(raw), repeat=5)
        open_ms = median_time(lambda: open_lesson(path, _model), repeat=3)
        lesson = open_lesson(path, _model)
        window_model = _model()

        # What the worker validated rides along (builds before issue 15 validate again here).
        kwargs = {"prepared": lesson.prepared} if hasattr(lesson, "prepared") else {}

        def apply() -> None:
            window_model.from_dict(lesson.model, **kwargs)
            state_digest(window_model)

        apply_ms = median_time(apply, repeat=5)
        out.append(Row("traced lesson open, in the worker", open_ms, "ms", baseline=loads_ms,
                       note="open_lesson (both scenes validated); baseline json.loads"))
        out.append(Row("traced lesson open, GUI thread", apply_ms, "ms", baseline=loads_ms,
                       goal=GOAL_MS, note="AppModel.from_dict + state_digest"))
        out += _window_rows(path)
    out.append(_live_save_row())
    plain = _switch_ms(_lesson_model(False))
    out.append(Row(f"scene switch, {n:,}-node graph ↔ none", _switch_ms(model), "ms",
                   baseline=plain, goal=100.0,
                   note="apply_scene_state + state_digest; baseline: same lesson, no graph"))
    return out


if __name__ == "__main__":
    from table import as_text

    print(as_text(rows()))
