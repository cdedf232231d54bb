"""Peak memory (RSS) after opening every panel and every example graph, against a process that
only imports the stack (torch, PySide6, pyqtgraph) and shows an empty window."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from table import Row

GOAL_MB = 1200.0

_BASELINE = r"""
import json

# VmHWM is this process's own peak: ru_maxrss would carry over the parent's peak across exec.
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
import torch, pyqtgraph
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1600, 1000); w.show()
for _ in range(20): app.processEvents()
print(json.dumps({"peak_mb": peak_mb()}))
"""

_APP = r"""
import json

# VmHWM is this process's own peak: ru_maxrss would carry over the parent's peak across exec.
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
from gradviz.ui.qt_app import make_application
app = make_application()
from gradviz.app import build_model
from gradviz.ui.panels import builtin_registry
from gradviz.ui.main_window import QtMainWindow
from gradviz.ui.window_common import settle
model = build_model()
window = QtMainWindow(model, builtin_registry(), None)
window.resize(1600, 1000)
window.show()
settle(100)
for name in window.registry.names():
    window.show_panel(name)
    settle(150)
examples = 0
if "graph" in model:
    from gradviz.graph.examples import available_examples, load_example
    for name in available_examples():
        model["graph"].from_dict(load_example(name).to_dict())
        model["graph"].run()
        settle(50)
        examples += 1
print(json.dumps({"peak_mb": peak_mb(),
                  "panels": len(window.registry.names()), "examples": examples}))
"""


def _peak(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env={**os.environ})
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def rows() -> list[Row]:
    if not os.environ.get("DISPLAY"):
        return [Row("peak memory, every panel and example", None, "MB",
                    note="needs a display (run under xvfb-run)")]
    base = _peak(_BASELINE)
    app = _peak(_APP)
    return [Row("peak memory, every panel and example", app["peak_mb"], "MB",
                baseline=base["peak_mb"], goal=GOAL_MB, goal_on="value",
                note=f"{app['panels']} panels, {app['examples']} examples; "
                     "baseline: bare imports + empty window")]
