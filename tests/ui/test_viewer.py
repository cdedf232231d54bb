"""The scripting API: ``gradviz.Viewer``, ``add_graph``, ``show`` and ``run`` from a script (a
subprocess on the test's X display), in process, and from IPython with ``%gui qt``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import QTimer
from torch import nn

import gradviz
from gradviz.graph.trace import trace, trace_module
from gradviz.graph.trace_node import TraceError
from gradviz.ui import viewer as viewer_module
from gradviz.ui.window_common import settle

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="xcb")


def test_viewer_show_and_run_resolve_lazily_without_importing_qt():
    code = ("import sys, gradviz; names = {'Viewer', 'show', 'run'}; "
            "print(names <= set(dir(gradviz)), 'PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=_env(), check=True)
    assert out.stdout.split() == ["True", "False"], out.stderr
    assert gradviz.Viewer is viewer_module.Viewer and gradviz.run is viewer_module.run


SCRIPT = """
import time, torch, gradviz
from torch import nn
from PySide6.QtCore import QTimer
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
loss = net(torch.randn(16, 4)).pow(2).mean()
viewer = gradviz.show(loss, name="my loss", module=net)
graph = viewer.model["traced"]

def check():
    editor = viewer.window.panel("graph")
    panel = editor.traced.page
    print("ITEMS", len(panel.drawing), len(graph), flush=True)
    print("LEAVES", sorted(t for t in panel.drawing.titles if "." in t), flush=True)
    print("TITLE", editor.traced.traced_button.text(), panel.isVisible(), flush=True)
    viewer.close()

QTimer.singleShot(400, check)
t0 = time.perf_counter()
gradviz.run()
print("RUN_BLOCKED", round(time.perf_counter() - t0, 2), "LIVE", graph.is_live, flush=True)
"""


def test_a_script_shows_a_loss_and_run_blocks_until_the_window_closes(tmp_path):
    script = tmp_path / "show_loss.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         env=_env(), timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    items, nodes = lines["ITEMS"].split()
    assert items == nodes and int(nodes) > 8
    assert lines["LEAVES"] == "['0.bias', '0.weight', '2.bias', '2.weight']"
    assert lines["TITLE"] == "Your PyTorch graph: my loss True"
    blocked, _, live = lines["RUN_BLOCKED"].split()
    assert float(blocked) >= 0.35  # run() returned only when the timer closed the window
    assert live == "False"  # closing the window removed the hooks and released the tensors


@pytest.fixture
def viewer(qtbot):
    v = gradviz.Viewer()
    qtbot.addWidget(v.window)
    yield v
    v.close()


def test_add_graph_replaces_the_shown_graph_and_closes_the_old_one(viewer):
    x = torch.randn(3, requires_grad=True)
    first = viewer.add_graph((x * x).sum())
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    second = viewer.add_graph(trace_module(net, torch.randn(4, 2)), name="relu net")
    settle(30)
    assert viewer.model["traced"] is second and not first.is_live and second.is_live
    panel = viewer.window.panel("graph").traced.page
    assert len(panel.drawing) == len(second)
    assert "0.weight" in panel.drawing.titles
    assert gradviz.ui.viewer.current_viewer() is viewer
    viewer.close()
    assert not second.is_live and gradviz.ui.viewer.current_viewer() is None


def test_add_graph_refuses_what_it_cannot_trace_and_keeps_the_graph(viewer):
    x = torch.randn(3, requires_grad=True)
    shown = viewer.add_graph(trace(x.exp().sum()))
    with pytest.raises(ValueError, match="does not require grad"):
        viewer.add_graph(torch.ones(3))
    with pytest.raises(TypeError, match="tensor or a traced graph"):
        viewer.add_graph([1, 2, 3])
    assert viewer.model["traced"] is shown and shown.is_live


@pytest.mark.filterwarnings("ignore::gradviz.graph.trace.TraceWarning")
def test_a_long_trace_keeps_the_window_answering_and_can_be_cancelled(viewer):
    shown = viewer.add_graph(torch.ones(2, requires_grad=True).exp().sum())
    panel = viewer.window.panel("graph").traced.page
    x = torch.ones(1, requires_grad=True)
    big = torch.cat([x * float(i) for i in range(80_000)]).sum()
    seen = []

    def cancel_while_tracing():  # runs in the window's loop while add_graph waits
        seen.append(panel.controls.busy_row.isVisible())
        panel.controls.cancel.click()

    QTimer.singleShot(round(viewer_module.SYNC_TRACE_S * 1000) + 100, cancel_while_tracing)
    try:
        viewer.add_graph(big)
    except TraceError as exc:
        assert "cancelled" in str(exc)
    else:
        pytest.skip("this machine traced 80,000 operations before the timer fired")
    assert seen == [True]
    assert viewer.model["traced"] is shown and shown.is_live
    assert not panel.controls.busy_row.isVisible()
    for thread in threading.enumerate():  # the cancelled trace ends (and is closed) here
        if thread.name.startswith("gradviz-trace"):
            thread.join(timeout=60)


def test_run_without_a_window_warns_and_returns():
    assert viewer_module.current_viewer() is None
    t0 = time.perf_counter()
    with pytest.warns(UserWarning, match="no window is open"):
        gradviz.run()
    assert time.perf_counter() - t0 < 1.0


def test_ipython_with_gui_qt_does_not_block_and_runs_the_loop_between_cells():
    """In a real terminal IPython (a pseudo-terminal): ``run()`` returns at once, and a Qt
    timer fires while IPython waits for the next cell."""
    pytest.importorskip("IPython")
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "IPython", "--no-banner", "--colors=NoColor",
                                           "--no-confirm-exit", "--no-autoindent"],
                          env=dict(_env(), TERM="xterm"), encoding="utf-8", timeout=180,
                          dimensions=(40, 240))
    cells = ["%gui qt",
             "import time, torch, gradviz; from PySide6.QtCore import QTimer",
             "x = torch.tensor([1.0, 2.0], requires_grad=True); "
             "v = gradviz.show((x.tanh() * x).sum())",
             "t0 = time.perf_counter(); gradviz.run(); "
             "print('RUN', round(time.perf_counter() - t0, 3), 'END')",
             "hits = []; QTimer.singleShot(200, lambda: hits.append(1))"]
    try:
        child.expect(r"In \[1\]")
        for k, cell in enumerate(cells, start=2):
            child.sendline(cell)
            child.expect(rf"In \[{k}\]")
            if cell.startswith("t0"):
                run_seconds = float(child.before.split("RUN ")[-1].split(" END")[0])
        time.sleep(1.5)  # IPython idles at its prompt: only the Qt input hook runs the timer
        child.sendline("print('HITS', len(hits), 'ITEMS', len(v.window.panel('graph').traced.page.drawing), 'END')")
        child.expect(r"HITS (\d+) ITEMS (\d+) END")
        hits, items = int(child.match.group(1)), int(child.match.group(2))
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert run_seconds < 0.5
    assert hits == 1 and items == 4
