"""Start-up: process start to the first painted window.

``python -m gradviz --quit-after-first-frame`` against a baseline process that only imports what
any torch + Qt + pyqtgraph app must (torch, PySide6.QtWidgets, pyqtgraph) and shows an empty
``QMainWindow`` of the same size. Both print ``FIRST_FRAME <s>`` after their first paint; the time
is taken by the parent, from ``Popen`` to that line, so interpreter start-up counts too. Runs
alternate (app, baseline, app, ...) so a noisy neighbour hurts both alike; medians are reported.
Needs an X display: run under ``xvfb-run`` (``make bench`` does).

The children may cache bytecode whatever this shell says (``PYTHONDONTWRITEBYTECODE`` is
dropped): an installed app has its ``.pyc`` files, while torch & co. in the baseline always come
with theirs, so without this every app start recompiled GradViz's own modules from source and
the ratio counted about 0.1 s that no user pays (compiling the 47 modules imported before the
window takes 75 ms of CPU here, the panels' modules come on top).

``first_frame_seconds`` and ``alternate`` are reused by ``bench_frozen``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from table import Row

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
GOAL_RATIO = 1.3
TIMEOUT_S = 120.0

#: The least a torch + PySide6 + pyqtgraph window costs: imports, QApplication, one paint.
BASELINE_SCRIPT = r"""
import os, time
t0 = time.perf_counter()
import torch  # noqa: F401
import pyqtgraph  # noqa: F401
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
app = QApplication([])
window = QMainWindow()
window.resize(1600, 1000)

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, report)
        return False

def report():
    print(f"FIRST_FRAME {time.perf_counter() - t0:.4f}", flush=True)
    os._exit(0)

first_paint = FirstPaint()
window.installEventFilter(first_paint)
window.show()
app.exec()
"""


def app_command() -> list[str]:
    """The app from this virtualenv, as ``python -m gradviz`` starts it."""
    return [sys.executable, "-m", "gradviz", "--quit-after-first-frame"]


def baseline_command() -> list[str]:
    return [sys.executable, "-c", BASELINE_SCRIPT]


def child_env() -> dict:
    """This environment, with bytecode caching as Python has it by default."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def first_frame_seconds(command: Sequence[str], env: dict | None = None) -> float:
    """Seconds from ``Popen`` to the child's ``FIRST_FRAME`` line (the child then exits);
    ``env`` defaults to ``child_env()``."""
    env = child_env() if env is None else env
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("FIRST_FRAME"):
                elapsed = time.perf_counter() - t0
                proc.wait(timeout=TIMEOUT_S)
                return elapsed
            if time.perf_counter() - t0 > TIMEOUT_S:
                break
        raise RuntimeError(f"{command[0]} ended without FIRST_FRAME (exit {proc.wait()})")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def alternate(first: Sequence[str], second: Sequence[str], runs: int = RUNS,
              env: dict | None = None) -> tuple[float, float]:
    """Medians of ``runs`` alternating timings of two commands, after one warm-up of each
    (the first start reads every library from disk and writes the bytecode caches; the rest find
    them in the page cache)."""
    first_frame_seconds(first, env)
    first_frame_seconds(second, env)
    a, b = [], []
    for _ in range(runs):
        a.append(first_frame_seconds(first, env))
        b.append(first_frame_seconds(second, env))
    return statistics.median(a), statistics.median(b)


def display_missing() -> bool:
    return sys.platform.startswith("linux") and not os.environ.get("DISPLAY")


def rows() -> list[Row]:
    name = "start-up to first frame (python -m gradviz)"
    if display_missing():
        return [Row(name, None, "s", goal=GOAL_RATIO, goal_on="ratio",
                    note="needs an X display: run under xvfb-run")]
    app, base = alternate(app_command(), baseline_command())
    return [Row(name, app, "s", baseline=base, goal=GOAL_RATIO, goal_on="ratio",
                note=f"baseline: import torch+PySide6+pyqtgraph, empty QMainWindow; "
                     f"median of {RUNS} alternating runs")]
