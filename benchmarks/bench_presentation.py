"""Presentation mode: how long a scene change of the bundled tour takes until its frame is
painted (goal ≤ 150 ms, median over every scene of a few rounds).

A scene change while presenting loads the scene's state, shows its panels side by side in their
presenter layout, folds what does not fit and paints the window. The baseline, measured in the
same run on the same window, is the same scene change in normal mode (the scene's state loaded
and its panels shown in their docks, then painted). Every panel is built in a warm-up round
first: building a panel is a one-off, not what a lecture feels at each click.

Run: xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/run.py --only presentation
"""

from __future__ import annotations

import statistics
import time

from app_setup import application, dispose
from table import Row

ROUNDS = 3
SCALE = 1.5
GOAL_MS = 150.0


def _window():
    from PySide6.QtCore import QStandardPaths

    from gradviz.app import build_model
    from gradviz.core.resources import resource_path
    from gradviz.ui.main_window import QtMainWindow
    from gradviz.ui.panels import builtin_registry
    from gradviz.ui.window_common import settle

    QStandardPaths.setTestModeEnabled(True)  # the user's settings and recent files stay as they are
    window = QtMainWindow(build_model(), builtin_registry(), None, model_factory=build_model)
    window.resize(window.screen().availableGeometry().size())
    window.show()
    settle(200)
    tour = resource_path("lessons", "why-derivatives.gradviz")
    if not window.lessons.load(tour, as_copy=True):
        raise RuntimeError(f"could not open {tour}")
    return window


def _painted(window) -> None:
    """Until the frame is on screen: pending events (layouts, deferred refits), then a
    synchronous paint of the whole window, then whatever that paint posted."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    window.repaint()
    QApplication.processEvents()


def _scene_changes(window, change, count: int, rounds: int) -> dict[int, list[float]]:
    """Milliseconds of ``change(i)`` + painting, for each scene walked in order, ``rounds``
    times after one warm-up round (which builds every panel)."""
    times: dict[int, list[float]] = {i: [] for i in range(count)}
    for round_ in range(rounds + 1):
        for i in range(count):
            t0 = time.perf_counter()
            change(i)
            _painted(window)
            if round_:
                times[i].append((time.perf_counter() - t0) * 1000)
    return times


def _median(times: dict[int, list[float]]) -> float:
    return statistics.median(t for ts in times.values() for t in ts)


def _slowest(times: dict[int, list[float]]) -> tuple[int, float]:
    index = max(times, key=lambda i: statistics.median(times[i]))
    return index + 1, statistics.median(times[index])


def rows() -> list[Row]:
    from gradviz.ui.window_common import settle

    application()
    window = _window()
    count = len(window.lessons.scenes)
    normal = _scene_changes(window, window.lessons.go_to_scene, count, ROUNDS)
    p = window.presentation
    p.set_scale(SCALE)
    p.start()
    settle(200)
    presenting = _scene_changes(window, p.go_to_scene, count, ROUNDS)
    p.stop()
    settle(50)
    size = window.screen().geometry()
    window.lessons.shutdown()
    dispose(window)
    scene, slowest = _slowest(presenting)
    return [Row(f"scene change in presentation ×{SCALE:g} ({count} scenes × {ROUNDS} rounds, "
                "until painted)", _median(presenting), "ms", _median(normal), goal=GOAL_MS,
                note=f"median; slowest scene {scene}: {slowest:.0f} ms; screen "
                     f"{size.width()}×{size.height()}; baseline: the same scene change in "
                     "normal mode")]
